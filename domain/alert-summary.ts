// What the per-scope alert intake (workflows/intake.ts) forwards to the incident instead of raw alerts: a
// bounded summary of any number of alert events — counts, kinds, arrival times per kind (for the
// repeat-alert rule), services named, the first alerts as a sample, and the dedup-keyed events in order
// per key (so PagerDuty's trigger/acknowledge/resolve semantics apply exactly as for raw alerts). The
// same structure bounds the triggers that arrive after an incident resolved (they open the next one).
// Pure and deterministic: used inside workflows.
import { applyDedup } from './dedup';
import { ALERT_SAMPLE_LIMIT, type Alert, type AlertAction, type AlertKind, type IncidentState } from './incident';

/** Keyed events that make a summary "full" (the intake forwards at once instead of waiting its turn). */
export const SUMMARY_SOFT_OPS = 500;
/**
 * The most keyed entries one summary holds. Past it (more distinct keys than this in one forwarding
 * window, while a forward is in flight) events of further keys are counted as plain alerts — the
 * incident's dedup table is bounded to 1,000 keys anyway (domain/dedup.ts).
 */
export const SUMMARY_MAX_OPS = 2000;
export const SUMMARY_MAX_SERVICES = 50;
/** Arrival times kept per kind: the repeat-alert rule keeps the same 50 (workflows/alert-watch.ts). */
export const SUMMARY_MAX_ARRIVALS = 50;

/** Consecutive events of one dedup key with one action, merged. */
export interface KeyedOp {
  key: string;
  action: AlertAction;
  n: number;
  firstAt: string;
  lastAt: string;
}

export interface AlertSummary {
  /** Every event summarised (triggers, acknowledges, resolves). */
  events: number;
  /** Trigger events: what the incident counts as alerts. */
  triggers: number;
  /** Earliest and latest `observedAt` among the triggers. */
  firstAt?: string;
  lastAt?: string;
  /** The first triggers, whole (bounded details: api/ingest.ts). */
  sample: Alert[];
  /** Triggers by kind. */
  kinds: Partial<Record<AlertKind, number>>;
  /** When triggers of each kind arrived (workflow time, ms), the latest SUMMARY_MAX_ARRIVALS. */
  arrivals: Partial<Record<AlertKind, number[]>>;
  /** Services named in `details.services`. */
  services: string[];
  /** Dedup-keyed events, in order per key. */
  ops: KeyedOp[];
  /** Triggers without a dedup key (each a new alert). */
  keyless: number;
  /** Acknowledge/resolve events without a dedup key (dropped, as PagerDuty does). */
  keylessOther: number;
  /** Keyed triggers counted as plain alerts because the summary held SUMMARY_MAX_OPS keys. */
  overflow: number;
  /** The newest intake forward merged in (`origin` = the intake's first run), for the next incident. */
  through?: IntakeMark;
}

export interface IntakeMark {
  origin: string;
  seq: number;
}

export function emptySummary(): AlertSummary {
  return {
    events: 0,
    triggers: 0,
    sample: [],
    kinds: {},
    arrivals: {},
    services: [],
    ops: [],
    keyless: 0,
    keylessOther: 0,
    overflow: 0,
  };
}

export const hasEvents = (s: AlertSummary) => s.events > 0;
export const isFull = (s: AlertSummary) => s.ops.length >= SUMMARY_SOFT_OPS;

/** Adds raw alert events (in arrival order) that arrived at `arrivedAtMs`. */
export function addAlerts(s: AlertSummary, alerts: Alert[], arrivedAtMs: number): void {
  for (const a of alerts) {
    s.events += 1;
    const action = a.action ?? 'trigger';
    if (action === 'trigger') {
      s.triggers += 1;
      if (!s.firstAt || a.observedAt < s.firstAt) s.firstAt = a.observedAt;
      if (!s.lastAt || a.observedAt > s.lastAt) s.lastAt = a.observedAt;
      if (s.sample.length < ALERT_SAMPLE_LIMIT) s.sample.push(a);
      s.kinds[a.kind] = (s.kinds[a.kind] ?? 0) + 1;
      pushArrivals(s, a.kind, [arrivedAtMs]);
      const named = a.details?.services;
      if (Array.isArray(named))
        addServices(
          s,
          named.filter((x): x is string => typeof x === 'string'),
        );
    }
    if (!a.dedupKey) {
      if (action === 'trigger') s.keyless += 1;
      else s.keylessOther += 1;
      continue;
    }
    addOp(s, { key: a.dedupKey, action, n: 1, firstAt: a.observedAt, lastAt: a.observedAt });
  }
}

/** Merges `b` (newer) into `a`. */
export function mergeSummary(a: AlertSummary, b: AlertSummary): void {
  a.events += b.events;
  a.triggers += b.triggers;
  if (b.firstAt && (!a.firstAt || b.firstAt < a.firstAt)) a.firstAt = b.firstAt;
  if (b.lastAt && (!a.lastAt || b.lastAt > a.lastAt)) a.lastAt = b.lastAt;
  for (const x of b.sample) if (a.sample.length < ALERT_SAMPLE_LIMIT) a.sample.push(x);
  for (const [k, n] of Object.entries(b.kinds) as [AlertKind, number][]) a.kinds[k] = (a.kinds[k] ?? 0) + n;
  for (const [k, t] of Object.entries(b.arrivals) as [AlertKind, number[]][]) pushArrivals(a, k, t);
  addServices(a, b.services);
  for (const op of b.ops) addOp(a, { ...op });
  a.keyless += b.keyless;
  a.keylessOther += b.keylessOther;
  a.overflow += b.overflow;
  if (b.through) a.through = b.through;
}

/** Only the triggers of a summary (what a resolved incident carries to the next one). */
export function triggersOnly(s: AlertSummary): AlertSummary {
  const events = s.triggers;
  return { ...s, events, ops: s.ops.filter((o) => o.action === 'trigger').map((o) => ({ ...o })), keylessOther: 0 };
}

/**
 * Applies a summary to the incident's record exactly as the raw alerts would have been: every trigger
 * counted, the first ones sampled, keyed events through the dedup table in order.
 */
export function applySummary(state: IncidentState, s: AlertSummary): void {
  const alerts = state.alerts;
  alerts.count += s.triggers;
  if (s.lastAt && (!alerts.lastAt || s.lastAt > alerts.lastAt)) alerts.lastAt = s.lastAt;
  if (s.firstAt && s.firstAt < state.faultAt) state.faultAt = s.firstAt;
  for (const a of s.sample) if (alerts.sample.length < ALERT_SAMPLE_LIMIT) alerts.sample.push(a);
  const table = (alerts.keyed ??= {});
  let distinct = s.keyless + s.overflow;
  let dropped = s.keylessOther;
  for (const op of s.ops) {
    for (let i = 0; i < op.n; i++) {
      const outcome = applyDedup(table, {
        provider: state.provider,
        kind: 'other',
        summary: '',
        source: '',
        dedupKey: op.key,
        action: op.action,
        observedAt: i === 0 ? op.firstAt : op.lastAt,
      });
      if (outcome === 'new') distinct += 1;
      if (outcome === 'dropped') dropped += 1;
    }
  }
  alerts.distinct = (alerts.distinct ?? 0) + distinct;
  alerts.dropped = (alerts.dropped ?? 0) + dropped;
}

/**
 * Index of each key's last op, per summary object (not serialised: rebuilt after a summary crossed a
 * signal or continue-as-new), so adding an event costs O(1) however many keys the summary holds.
 */
const lastOpIndex = new WeakMap<AlertSummary, Map<string, number>>();

function indexOf(s: AlertSummary): Map<string, number> {
  let index = lastOpIndex.get(s);
  if (!index || index.size > s.ops.length) {
    index = new Map(s.ops.map((o, i) => [o.key, i]));
    lastOpIndex.set(s, index);
  }
  return index;
}

function addOp(s: AlertSummary, op: KeyedOp): void {
  const index = indexOf(s);
  const i = index.get(op.key);
  const last = i === undefined ? undefined : s.ops[i];
  if (last && last.key === op.key && last.action === op.action) {
    last.n += op.n;
    if (op.lastAt > last.lastAt) last.lastAt = op.lastAt;
    return;
  }
  if (last === undefined && s.ops.length >= SUMMARY_MAX_OPS) {
    // Full, and a key it does not hold: its triggers count as plain (new) alerts, its acknowledge/resolve
    // events are dropped — as the incident's bounded dedup table would have forgotten it anyway.
    if (op.action === 'trigger') s.overflow += op.n;
    else s.keylessOther += op.n;
    return;
  }
  index.set(op.key, s.ops.length);
  s.ops.push(op);
}

function pushArrivals(s: AlertSummary, kind: AlertKind, times: number[]): void {
  const prev = s.arrivals[kind] ?? [];
  const next =
    prev.length && times.length && times[0] < prev[prev.length - 1]
      ? [...prev, ...times].sort((x, y) => x - y)
      : [...prev, ...times];
  s.arrivals[kind] = next.slice(-SUMMARY_MAX_ARRIVALS);
}

function addServices(s: AlertSummary, named: string[]): void {
  for (const sv of named.slice(0, SUMMARY_MAX_SERVICES)) {
    if (s.services.length >= SUMMARY_MAX_SERVICES) return;
    if (!s.services.includes(sv)) s.services.push(sv);
  }
}
