// Service-level objectives and error budgets, as the Google SRE workbook computes them (chapter "Alerting
// on SLOs"): good/total events per time bucket, the error budget is (1 − target) of the window's events, and
// a burn rate is the error rate over a window divided by that budget share. Alerts use two windows each —
// fast: 1 h and 5 min above 14.4× (2 % of a 30-day budget in an hour); slow: 6 h and 30 min above 6× (5 % in
// 6 h) — so an alert fires quickly on a real burn and stops soon after it ends. Pure: counters and the
// clock come in. Buckets are [startMs, good, total] tuples in bounded rings (minutes for the last 6 h, hours
// for the window), so the state an SLO carries stays small whatever the probe rate.

export type SliKind = 'availability' | 'latency' | 'primary_share';

/** An objective as the workflow evaluates it (config/slos.ts resolved against providers and services). */
export interface SloDef {
  id: string;
  sli: SliKind;
  /** Percent, e.g. 99.9. */
  target: number;
  windowMs: number;
  thresholdMs?: number;
  provider?: string;
  service?: string;
  /** Providers whose probes count (the provider, or every provider of the service's chains). */
  providers: string[];
  /** Chains whose route counts for primary_share. */
  chains: string[];
}

export type Bucket = [startMs: number, good: number, total: number];
export interface SloSeries {
  minutes: Bucket[];
  hours: Bucket[];
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** The longest short-grained window (the slow alert's 6 h) plus one bucket of slack. */
const MINUTES_KEPT_MS = 6 * HOUR + MINUTE;

export const BURN_ALERTS = [
  { name: 'fast', longMs: HOUR, shortMs: 5 * MINUTE, factor: 14.4 },
  { name: 'slow', longMs: 6 * HOUR, shortMs: 30 * MINUTE, factor: 6 },
] as const;
export type BurnAlertName = (typeof BURN_ALERTS)[number]['name'];
/** The windows whose burn rates are reported (labels for the API and metrics). */
export const BURN_WINDOWS: Record<string, number> = {
  '5m': 5 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
};

export const newSeries = (): SloSeries => ({ minutes: [], hours: [] });

function addTo(ring: Bucket[], start: number, good: number, total: number, keepFrom: number): void {
  const last = ring[ring.length - 1];
  if (last && last[0] === start) {
    last[1] += good;
    last[2] += total;
  } else if (!last || last[0] < start) ring.push([start, good, total]);
  else {
    // A late sample (clock skew between workers): into its bucket if kept, else dropped.
    const b = ring.find((x) => x[0] === start);
    if (b) {
      b[1] += good;
      b[2] += total;
    }
  }
  while (ring.length && ring[0][0] < keepFrom) ring.shift();
}

/** Adds good/total events observed at `at` (ms) to an objective's series. */
export function addEvents(s: SloSeries, at: number, good: number, total: number, windowMs: number): void {
  if (total <= 0) return;
  addTo(s.minutes, Math.floor(at / MINUTE) * MINUTE, good, total, at - MINUTES_KEPT_MS);
  addTo(s.hours, Math.floor(at / HOUR) * HOUR, good, total, at - windowMs - HOUR);
}

/** Events in buckets that start inside (now − windowMs, now]. */
export function eventsIn(ring: Bucket[], now: number, windowMs: number): { good: number; total: number } {
  let good = 0;
  let total = 0;
  for (const [t, g, n] of ring)
    if (t > now - windowMs && t <= now) {
      good += g;
      total += n;
    }
  return { good, total };
}

const budgetShare = (target: number) => 1 - target / 100;

/** Error rate over the window ÷ the budget share; 0 without events. */
export function burnRate(s: SloSeries, now: number, windowMs: number, target: number): number {
  const ring = windowMs <= MINUTES_KEPT_MS - MINUTE ? s.minutes : s.hours;
  const { good, total } = eventsIn(ring, now, windowMs);
  return total ? (1 - good / total) / budgetShare(target) : 0;
}

export interface Budget {
  good: number;
  total: number;
  /** good/total over the window (null without events). */
  sli: number | null;
  /** Share of the window's error budget left: 1 untouched, 0 spent, negative overspent. */
  remaining: number;
}

export function errorBudget(s: SloSeries, now: number, def: Pick<SloDef, 'windowMs' | 'target'>): Budget {
  const { good, total } = eventsIn(s.hours, now, def.windowMs + HOUR);
  const allowed = total * budgetShare(def.target);
  const bad = total - good;
  return { good, total, sli: total ? good / total : null, remaining: allowed > 0 ? 1 - bad / allowed : 1 };
}

/** Which multi-window alert holds now (fast before slow), or null. */
export function firingAlert(s: SloSeries, now: number, target: number): BurnAlertName | null {
  for (const a of BURN_ALERTS)
    if (burnRate(s, now, a.longMs, target) > a.factor && burnRate(s, now, a.shortMs, target) > a.factor) return a.name;
  return null;
}

/**
 * Burn episodes: an incident opens when an alert starts to hold and not again until the episode is over —
 * when no alert's long window burns above its factor any more (the short window alone dropping is a
 * pause, not the end, so a flapping burn opens one incident).
 */
export function nextEpisode(
  active: boolean,
  s: SloSeries,
  now: number,
  target: number,
): { active: boolean; open: BurnAlertName | null } {
  const firing = firingAlert(s, now, target);
  if (!active) return { active: !!firing, open: firing };
  const stillBurning = BURN_ALERTS.some((a) => burnRate(s, now, a.longMs, target) > a.factor);
  return { active: stillBurning, open: null };
}

/**
 * Share of the window's error budget that the bad events between from and to used (what an incident cost):
 * minute buckets where they still exist, hour buckets before that.
 */
export function budgetSpent(s: SloSeries, from: number, to: number, def: Pick<SloDef, 'windowMs' | 'target'>): number {
  const oldestMinute = s.minutes[0]?.[0] ?? Infinity;
  const ring = from >= oldestMinute ? s.minutes : s.hours;
  const size = ring === s.minutes ? MINUTE : HOUR;
  let bad = 0;
  for (const [t, g, n] of ring) if (t + size > from && t <= to) bad += n - g;
  const { total } = eventsIn(s.hours, to, def.windowMs + HOUR);
  const allowed = total * budgetShare(def.target);
  return allowed > 0 ? bad / allowed : 0;
}

/** "30d", "6h", "15m", "90s", "1h30m", "500ms" → ms; undefined when it is not a duration. */
export function parseWindow(v: string): number | undefined {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR, d: 24 * HOUR, w: 7 * 24 * HOUR };
  let total = 0;
  let matched = '';
  for (const m of v.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(m[1]) * unit[m[2]];
    matched += m[0];
  }
  return matched && matched === v.trim() && total > 0 ? Math.round(total) : undefined;
}

/** 2592000000 → "30d", 5400000 → "1h30m": the shortest spelling, for tables and messages. */
export function formatWindow(ms: number): string {
  const parts: string[] = [];
  for (const [u, size] of [
    ['d', 24 * HOUR],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', 1000],
  ] as const) {
    const n = Math.floor(ms / size);
    if (n) parts.push(`${n}${u}`);
    ms -= n * size;
  }
  return parts.join('') || '0s';
}
