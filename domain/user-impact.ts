// User impact of an incident from the per-minute outcome aggregates apps reported: requests, errors and
// error rate, requests lost, latency p50/p95 against the pre-incident baseline — each judged against the
// runbook's targets (user error rate < 5 %, request loss < 1 %, latency degradation < 20 %).
import { emptyCounts, histogramPercentile, mergeCounts, type OutcomeCounts } from './outcome-counts';
import type { MinuteCounts } from './outcome-window';

export const IMPACT_TARGETS = { errorRate: 0.05, lossRate: 0.01, latencyDegradation: 0.2 };
/** The baseline is this long before the incident began. */
export const BASELINE_MS = 30 * 60_000;

export interface UserImpactRow {
  name: 'error_rate' | 'request_loss' | 'latency_degradation';
  label: string;
  target: string;
  value: string;
  verdict: 'met' | 'missed' | 'n/a';
}

export interface UserImpact {
  /** false: no outcome reached lifeline for the window (apps report none). */
  available: boolean;
  from: string;
  to: string;
  attempts: number;
  errors: number;
  errorRate: number | null;
  requests: number;
  lost: number;
  lossRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  baseline: { from: string; attempts: number; p50Ms: number | null; p95Ms: number | null };
  /** p95 in the window over the baseline's p95, minus 1 (0.35 = 35 % slower); null without both. */
  latencyDegradation: number | null;
  rows: UserImpactRow[];
  /** One line for the report's summary. */
  text: string;
}

const sum = (minutes: MinuteCounts[], from: number, to: number): OutcomeCounts =>
  minutes
    .filter((m) => {
      const t = Date.parse(m.minute);
      // A minute counts when it overlaps the window (the minute the incident began included).
      return t + 60_000 > from && t < to;
    })
    .reduce((acc, m) => mergeCounts(acc, m.counts), emptyCounts());

const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 10_000) / 100} %`);
const verdict = (x: number | null, target: number): UserImpactRow['verdict'] =>
  x === null ? 'n/a' : x < target ? 'met' : 'missed';

/** The impact over [from, to) (ISO), with the BASELINE_MS before `from` as the latency baseline. */
export function userImpact(minutes: MinuteCounts[], from: string, to: string): UserImpact {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const w = sum(minutes, start, end);
  // The baseline ends at the minute the incident began, so that minute's errors do not count as normal.
  const baseStart = start - BASELINE_MS;
  const b = sum(minutes, baseStart, Math.floor(start / 60_000) * 60_000);
  const errorRate = w.attempts ? w.errors / w.attempts : null;
  const lossRate = w.requests ? w.lost / w.requests : null;
  const p50Ms = histogramPercentile(w.latency, 50);
  const p95Ms = histogramPercentile(w.latency, 95);
  const base50 = histogramPercentile(b.latency, 50);
  const base95 = histogramPercentile(b.latency, 95);
  const latencyDegradation = p95Ms !== null && base95 ? p95Ms / base95 - 1 : null;
  const rows: UserImpactRow[] = [
    {
      name: 'error_rate',
      label: 'User error rate (failed attempts)',
      target: `< ${pct(IMPACT_TARGETS.errorRate)}`,
      value: w.attempts ? `${pct(errorRate)} (${w.errors} of ${w.attempts})` : 'n/a',
      verdict: verdict(errorRate, IMPACT_TARGETS.errorRate),
    },
    {
      name: 'request_loss',
      label: 'Request loss (final attempt failed)',
      target: `< ${pct(IMPACT_TARGETS.lossRate)}`,
      value: w.requests ? `${pct(lossRate)} (${w.lost} of ${w.requests})` : 'n/a',
      verdict: verdict(lossRate, IMPACT_TARGETS.lossRate),
    },
    {
      name: 'latency_degradation',
      label: 'Latency degradation (p95 against the 30 min before)',
      target: `< ${pct(IMPACT_TARGETS.latencyDegradation)}`,
      value:
        latencyDegradation === null
          ? p95Ms === null
            ? 'n/a'
            : `n/a (p95 ${p95Ms} ms, no baseline)`
          : `${latencyDegradation >= 0 ? '+' : ''}${pct(latencyDegradation)} (p95 ${p95Ms} ms vs ${base95} ms)`,
      verdict: verdict(latencyDegradation, IMPACT_TARGETS.latencyDegradation),
    },
  ];
  const available = w.attempts > 0;
  return {
    available,
    from,
    to,
    attempts: w.attempts,
    errors: w.errors,
    errorRate,
    requests: w.requests,
    lost: w.lost,
    lossRate,
    p50Ms,
    p95Ms,
    baseline: { from: new Date(baseStart).toISOString(), attempts: b.attempts, p50Ms: base50, p95Ms: base95 },
    latencyDegradation,
    rows,
    text: available
      ? `${w.requests} request(s), ${w.errors} failed attempt(s) of ${w.attempts} (${pct(errorRate)}), ` +
        `${w.lost} lost (${pct(lossRate)}), p50 ${p50Ms ?? 'n/a'} ms / p95 ${p95Ms ?? 'n/a'} ms` +
        (base95 ? ` against ${base50} / ${base95} ms before` : '')
      : 'n/a — no outcome data',
  };
}
