// Root-cause selection from the diagnostic checklist. Pure: the checks are gathered by
// activities, this file only weighs their findings, so the decision is unit-testable and replay-safe.
import { RECOMMENDATIONS, type FailureCategory } from './classify';
import type { DiagnosticCheck, Diagnosis } from './incident';

/**
 * When several checks point at different causes, the most specific and most actionable wins:
 * a dead network or a rejected key explains every other symptom, a quota explains 429s, and a
 * provider-side outage is only concluded when nothing on our side is wrong.
 */
export const ROOT_CAUSE_PRIORITY: FailureCategory[] = [
  'network',
  'authentication',
  'quota_exceeded',
  'rate_limit',
  'model_unavailable',
  'overloaded',
  'provider_outage',
  'latency',
];

/** Picks the root cause from failed checks that suggest one; `unknown` when none does. */
export function selectRootCause(checks: DiagnosticCheck[]): { rootCause: FailureCategory; evidence: string[] } {
  const failed = checks.filter((c) => c.status === 'failed' && c.suggests);
  for (const cause of ROOT_CAUSE_PRIORITY) {
    const supporting = failed.filter((c) => c.suggests === cause);
    if (supporting.length) return { rootCause: cause, evidence: supporting.map((c) => `${c.name}: ${c.detail}`) };
  }
  return {
    rootCause: 'unknown',
    evidence: checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.detail}`),
  };
}

export function diagnosisFrom(checks: DiagnosticCheck[], at: string): Diagnosis {
  const { rootCause, evidence } = selectRootCause(checks);
  return { rootCause, checks, evidence, recommendations: RECOMMENDATIONS[rootCause], at };
}

/** Share of recent alerts that report rate limiting (429s), from the incident's alert sample. */
export function rateLimitShare(alertKinds: string[]): number {
  if (!alertKinds.length) return 0;
  return alertKinds.filter((k) => k === 'rate_limit').length / alertKinds.length;
}

/** Above this share of 429 alerts the incident is treated as rate limiting even if a probe passes. */
export const RATE_LIMIT_SHARE_THRESHOLD = 0.5;
