// Turning a stream of probe outcomes into health transitions: N consecutive failures make a provider
// unhealthy (runbook: 3), M consecutive successes make it healthy again. Pure, so the probing activity
// and the unit tests share it.

export interface HealthThresholds {
  failuresToOpen: number;
  successesToClose: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = { failuresToOpen: 3, successesToClose: 2 };

export interface HealthTracker {
  healthy: boolean;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** When the current streak (of failures or successes) began: the fault time for MTTD. */
  streakStartedAt?: string;
}

export function newTracker(healthy = true): HealthTracker {
  return { healthy, consecutiveFailures: 0, consecutiveSuccesses: 0 };
}

/** Feeds one outcome; returns true when this outcome flips the provider's health. */
export function observe(
  t: HealthTracker,
  ok: boolean,
  th: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS,
  at?: string,
): boolean {
  if ((ok ? t.consecutiveSuccesses : t.consecutiveFailures) === 0) t.streakStartedAt = at;
  if (ok) {
    t.consecutiveSuccesses += 1;
    t.consecutiveFailures = 0;
    if (!t.healthy && t.consecutiveSuccesses >= th.successesToClose) {
      t.healthy = true;
      return true;
    }
  } else {
    t.consecutiveFailures += 1;
    t.consecutiveSuccesses = 0;
    if (t.healthy && t.consecutiveFailures >= th.failuresToOpen) {
      t.healthy = false;
      return true;
    }
  }
  return false;
}
