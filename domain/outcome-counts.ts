// Request outcomes reported by applications (POST /v1/outcomes), summed into counts that merge: the API
// adds each outcome to a per-provider bucket, the monitor adds the buckets of every API process, the
// report adds minutes. Latency is a fixed-bound histogram rather than raw samples, because histograms
// from several processes add up exactly and stay the same size whatever the traffic.

export const OUTCOME_ERROR_TYPES = [
  'timeout',
  'connection',
  'rate_limit',
  'server_error',
  'client_error',
  'other',
] as const;
export type OutcomeErrorType = (typeof OUTCOME_ERROR_TYPES)[number];

/**
 * What the counts need of one attempt of one application request. The wire shape it comes in (POST
 * /v1/outcomes) is the API's schema, api/outcomes.ts; the route client's own copy is checked against it.
 */
export interface Attempt {
  latencyMs: number;
  ok: boolean;
  /** Why it failed; a failure without one counts as `other`. */
  errorType?: OutcomeErrorType;
  /** The last attempt of its request: a request is lost when its final attempt failed. */
  final: boolean;
  /** A half-open trial request to a recovering provider. */
  trial?: boolean;
}

/** Upper bounds (ms) of the latency histogram's buckets; one more bucket holds everything above. */
export const LATENCY_BOUNDS_MS = [
  25, 50, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10_000, 20_000, 30_000, 60_000,
];

export interface OutcomeCounts {
  /** Attempts (every outcome item is one). */
  attempts: number;
  /** Failed attempts. */
  errors: number;
  errorTypes: Partial<Record<OutcomeErrorType, number>>;
  /** Requests: final attempts, one per request. */
  requests: number;
  /** Requests whose final attempt failed: the user got an error. */
  lost: number;
  /** Half-open trial attempts by result (evidence for a recovering provider). */
  trialOk: number;
  trialFailed: number;
  /** Attempt latencies: counts per LATENCY_BOUNDS_MS bucket (length bounds + 1). */
  latency: number[];
}

export function emptyCounts(): OutcomeCounts {
  return {
    attempts: 0,
    errors: 0,
    errorTypes: {},
    requests: 0,
    lost: 0,
    trialOk: 0,
    trialFailed: 0,
    latency: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0),
  };
}

/** The bucket a latency falls in: the first bound it does not exceed. */
export function latencyBucket(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((b) => ms <= b);
  return i < 0 ? LATENCY_BOUNDS_MS.length : i;
}

/** Adds one attempt to the counts a passive window needs (mutates `c`). */
export function addAttempt(
  c: Pick<OutcomeCounts, 'attempts' | 'errors' | 'errorTypes' | 'trialOk' | 'trialFailed'>,
  o: Attempt,
): void {
  c.attempts += 1;
  if (!o.ok) {
    c.errors += 1;
    const t = o.errorType ?? 'other';
    c.errorTypes[t] = (c.errorTypes[t] ?? 0) + 1;
  }
  if (o.trial) {
    if (o.ok) c.trialOk += 1;
    else c.trialFailed += 1;
  }
}

/** Adds one outcome (mutates `c`): the attempt, its request when final, its latency. */
export function addOutcome(c: OutcomeCounts, o: Attempt): void {
  addAttempt(c, o);
  if (o.final) {
    c.requests += 1;
    if (!o.ok) c.lost += 1;
  }
  c.latency[latencyBucket(o.latencyMs)] += 1;
}

/** a + b, as a new object (neither is mutated). */
export function mergeCounts(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  const errorTypes: OutcomeCounts['errorTypes'] = { ...a.errorTypes };
  for (const [k, v] of Object.entries(b.errorTypes) as [OutcomeErrorType, number][])
    errorTypes[k] = (errorTypes[k] ?? 0) + v;
  const n = Math.max(a.latency.length, b.latency.length);
  return {
    attempts: a.attempts + b.attempts,
    errors: a.errors + b.errors,
    errorTypes,
    requests: a.requests + b.requests,
    lost: a.lost + b.lost,
    trialOk: a.trialOk + b.trialOk,
    trialFailed: a.trialFailed + b.trialFailed,
    latency: Array.from({ length: n }, (_, i) => (a.latency[i] ?? 0) + (b.latency[i] ?? 0)),
  };
}

/**
 * The p-th percentile (0..100) of a latency histogram, interpolated linearly inside its bucket (the
 * Prometheus histogram_quantile rule); the open top bucket answers its lower bound. null when empty.
 */
export function histogramPercentile(latency: number[], p: number): number | null {
  const total = latency.reduce((s, n) => s + n, 0);
  if (!total) return null;
  const rank = (p / 100) * total;
  let seen = 0;
  for (let i = 0; i < latency.length; i++) {
    if (!latency[i]) continue;
    if (seen + latency[i] >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
      if (i >= LATENCY_BOUNDS_MS.length) return lower;
      const upper = LATENCY_BOUNDS_MS[i];
      return Math.round(lower + ((upper - lower) * (rank - seen)) / latency[i]);
    }
    seen += latency[i];
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
}

/** The error type seen most often (ties: the first in OUTCOME_ERROR_TYPES order). */
export function dominantErrorType(c: Pick<OutcomeCounts, 'errorTypes'>): OutcomeErrorType | undefined {
  let best: OutcomeErrorType | undefined;
  for (const t of OUTCOME_ERROR_TYPES) if ((c.errorTypes[t] ?? 0) > (best ? (c.errorTypes[best] ?? 0) : 0)) best = t;
  return best;
}
