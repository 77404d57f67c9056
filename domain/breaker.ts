// Circuit breaker per provider: closed → open (on an unhealthy verdict) → half-open after a cooldown,
// where only sampled trial probes decide → closed after enough trial successes, or back to open on a
// trial failure. Pure and serialisable: the state lives in monitorWorkflow (durable, queryable).

export type BreakerPhase = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Time open before trial probes are allowed. */
  cooldownMs: number;
  /** Trial successes needed in half-open to close. */
  trialsToClose: number;
  /** Share of ordinary traffic let through as trials while half-open (0..1). */
  trialSampleRate: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { cooldownMs: 5_000, trialsToClose: 2, trialSampleRate: 0.1 };

export interface BreakerState {
  phase: BreakerPhase;
  since: string;
  openedCount: number;
  trialSuccesses: number;
  lastReason?: string;
}

export function newBreaker(at: string): BreakerState {
  return { phase: 'closed', since: at, openedCount: 0, trialSuccesses: 0 };
}

export type BreakerEvent =
  | { type: 'unhealthy'; at: string; reason: string }
  | { type: 'cooldown_elapsed'; at: string }
  | { type: 'trial'; at: string; ok: boolean; reason?: string }
  | { type: 'healthy'; at: string; reason: string };

/** Applies one event; returns the new state (the old one is not mutated) and whether the phase changed. */
export function nextBreaker(
  s: BreakerState,
  e: BreakerEvent,
  cfg: BreakerSettings = DEFAULT_BREAKER,
): { state: BreakerState; changed: boolean } {
  const to = (phase: BreakerPhase, reason: string) => ({
    state: {
      ...s,
      phase,
      since: e.at,
      trialSuccesses: 0,
      lastReason: reason,
      openedCount: s.openedCount + (phase === 'open' ? 1 : 0),
    },
    changed: true,
  });
  const same = { state: s, changed: false };
  switch (e.type) {
    case 'unhealthy':
      return s.phase === 'closed' ? to('open', e.reason) : same;
    case 'cooldown_elapsed':
      return s.phase === 'open' ? to('half-open', 'cooldown elapsed: trial probes allowed') : same;
    case 'trial':
      if (s.phase !== 'half-open') return same;
      if (!e.ok) return to('open', `trial failed${e.reason ? `: ${e.reason}` : ''}`);
      if (s.trialSuccesses + 1 >= cfg.trialsToClose)
        return to('closed', `${s.trialSuccesses + 1} trial probe(s) succeeded`);
      return { state: { ...s, trialSuccesses: s.trialSuccesses + 1 }, changed: false };
    case 'healthy':
      // The detector's own recovery verdict counts as trials passed, from open or half-open.
      return s.phase === 'closed' ? same : to('closed', e.reason);
  }
}

/** Whether a request (number `seq`, deterministic) may go to the provider: all when closed, none when
 *  open, a deterministic sample when half-open (no randomness, so the workflow can decide too). */
export function allowsRequest(s: BreakerState, seq: number, cfg: BreakerSettings = DEFAULT_BREAKER): boolean {
  if (s.phase === 'closed') return true;
  if (s.phase === 'open') return false;
  const every = Math.max(1, Math.round(1 / Math.max(cfg.trialSampleRate, 1e-6)));
  return seq % every === 0;
}
