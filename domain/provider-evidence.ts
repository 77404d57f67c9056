// Outcome evidence for a failback: what users' attempts at a returning provider say since a moment (it
// became healthy; a failback step was applied). Read from the monitor's passive window, so it only
// reaches back `windowMs`. Pure: the monitor answers the query with it, the shift workflow judges it.
import type { OutcomeMemory } from './outcome-window';

export interface ProviderEvidence {
  /** Attempts (trial or normal) and failed ones, arrived since `sinceMs` and within the window. */
  attempts: number;
  errors: number;
  /** The passive window's error-share threshold (0..1): at or above it the provider counts as failing. */
  errorShare: number;
  windowMs: number;
}

/** Failback evidence settings (config `recovery.evidence`). */
export interface EvidenceSettings {
  /** Attempts needed before evidence counts as clean. */
  minRequests: number;
  /** With clean evidence, the wait between failback steps (instead of `shiftStepMs`). */
  stepMs: number;
}

/**
 * The window's outcomes since `sinceMs`. Window entries are per second of arrival, so the entry of the
 * second holding `sinceMs` counts too: a failure in it must not slip through.
 */
export function evidenceSince(m: OutcomeMemory, sinceMs: number, now: number): ProviderEvidence {
  const from = Math.max(sinceMs - 999, now - m.settings.windowMs);
  let attempts = 0;
  let errors = 0;
  for (const e of m.window) {
    if (e.at < from) continue;
    attempts += e.attempts;
    errors += e.errors;
  }
  return { attempts, errors, errorShare: m.settings.errorShare, windowMs: m.settings.windowMs };
}

/** Ready to fail back on traffic alone: enough attempts, and not one failed. */
export const readyOnEvidence = (e: ProviderEvidence | null, s: EvidenceSettings): boolean =>
  !!e && e.errors === 0 && e.attempts >= s.minRequests;

export type StepEvidence = 'clean' | 'failing' | 'thin';

/**
 * A failback step's own evidence: `failing` once failed attempts reach the passive window's share (one
 * failure of few attempts does); `clean` with enough attempts below it; `thin` otherwise (keep waiting).
 */
export function judgeStep(e: ProviderEvidence | null, s: EvidenceSettings): StepEvidence {
  if (!e || e.attempts === 0) return 'thin';
  const share = e.errors / e.attempts;
  if (e.errors > 0 && share >= e.errorShare) return 'failing';
  return e.attempts >= s.minRequests ? 'clean' : 'thin';
}
