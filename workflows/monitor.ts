// monitorWorkflow: one per provider. Probing happens in a long-running heartbeating activity that
// returns only on a health transition (Temporal's pattern for sub-minute polling), so the history
// grows by a few events per transition, not per probe. The circuit breaker (domain/breaker.ts) lives
// here, durable and queryable: closed → open on an unhealthy verdict → half-open after a durable
// cooldown timer → trial probes → closed (or open again on a failed trial). Application outcomes
// (workflows/monitor-outcomes.ts) open it too when users fail while probes pass, and trial traffic counts
// as trials in half-open.
import { condition, continueAsNew, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { MonitorActivities, WatchResult } from '../activities/types';
import { newBreaker, nextBreaker, type BreakerEvent, type BreakerSettings } from '../domain/breaker';
import { monitorSettingsSignal, monitorStateQuery, type MonitorInput, type MonitorState } from './messages';
import { probeTaskQueue } from '../domain/task-queues';
import {
  mustRollOver,
  trackOutcomes,
  trialObservation,
  tripObservation,
  unlessInterrupted,
  type MonitorOutcomes,
} from './monitor-outcomes';

// The probe loop runs on the probe task queue (its own slot budget: domain/task-queues.ts). It returns on a
// transition or after worker.probeLoopMaxMs (≤ 1 h) without one. It heartbeats on its own timer every
// ≤ 3 s whatever the probe interval, so a dead worker's loop is retried elsewhere within ~8 s, and the
// retry resumes its detection windows from the last heartbeat (activities/probe-memory.ts).
const watcher = {
  watchProvider: (args: { provider: string; healthy: boolean }) =>
    proxyActivities<MonitorActivities>({
      taskQueue: probeTaskQueue(workflowInfo().taskQueue),
      startToCloseTimeout: '65 minutes',
      heartbeatTimeout: '8 seconds',
      retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds' },
    }).watchProvider(args),
};
// One signal-with-start or signal: seconds, not minutes.
const signaller = proxyActivities<MonitorActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});
// A trial is one probe: its start-to-close is the provider's probe timeout plus 5 s (2 min for monitors started
// before the starter passed it); a failure to run it is a failed trial.
const trialFor = (probeTimeoutMs: number | undefined) =>
  proxyActivities<MonitorActivities>({
    startToCloseTimeout: probeTimeoutMs ? probeTimeoutMs + 5_000 : '2 minutes',
    retry: { maximumAttempts: 2 },
  });

export async function monitorWorkflow(input: MonitorInput): Promise<void> {
  const state: MonitorState = {
    provider: input.provider,
    healthy: input.healthy ?? true,
    since: input.since ?? new Date().toISOString(),
    transitions: 0,
    ...(input.incidentId ? { incidentId: input.incidentId } : {}),
    ...(input.breaker ? { breaker: input.breaker } : {}),
  };
  setHandler(monitorStateQuery, () => state);
  const outcomes = trackOutcomes(state, input.outcomes);
  // Config changes (detection settings) reach the running monitor: each worker sends them at start.
  // They apply from the next cooldown or trial on (a cooldown already running keeps its length) and
  // are carried over continue-as-new.
  const current: MonitorInput = { ...input };
  const cfg: BreakerSettings = { cooldownMs: 5_000, trialsToClose: 2, trialSampleRate: 0.1 };
  const refresh = () => {
    Object.assign(cfg, { cooldownMs: current.breakerCooldownMs ?? 5_000, trialsToClose: current.trialsToClose ?? 2 });
    state.settings = {
      breakerCooldownMs: cfg.cooldownMs,
      trialsToClose: cfg.trialsToClose,
      trialIntervalMs: current.trialIntervalMs ?? 1_000,
    };
  };
  refresh();
  setHandler(monitorSettingsSignal, (s) => {
    Object.assign(current, s);
    refresh();
  });

  return breakerLoop(state, current, cfg, outcomes);
}

async function breakerLoop(
  state: MonitorState,
  input: MonitorInput,
  cfg: BreakerSettings,
  outcomes: MonitorOutcomes,
): Promise<void> {
  // A monitor that starts unhealthy (continued-as-new mid-outage) starts with its breaker open.
  state.breaker ??= state.healthy
    ? newBreaker(state.since)
    : { ...newBreaker(state.since), phase: 'open', openedCount: 1 };
  const apply = (e: BreakerEvent) => {
    const r = nextBreaker(state.breaker!, e, cfg);
    state.breaker = r.state;
    return r.changed;
  };

  // Trials cost a few events each: 200 rounds stay far below the history limits.
  // Outcome signals grow the history while the probe loop waits: mustRollOver interrupts it in time.
  for (let round = 0; round < 200 && !mustRollOver(input.historyLimit); round++) {
    const phase = state.breaker.phase;
    if (phase === 'closed') {
      // The probe loop, unless users' outcomes trip the passive window first (or the history must roll over).
      const result = await unlessInterrupted(
        () => watcher.watchProvider({ provider: state.provider, healthy: true }),
        () => outcomes.verdict().trip || mustRollOver(input.historyLimit),
      );
      if (result === 'interrupted') {
        const v = outcomes.verdict();
        if (!v.trip) continue; // rolling over
        const at = new Date().toISOString();
        state.healthy = false;
        state.since = at;
        state.transitions += 1;
        state.lastReason = v.reason;
        apply({ type: 'unhealthy', at, reason: v.reason });
        outcomes.reset();
        const opened = await signaller.openProviderIncident({
          provider: state.provider,
          observation: tripObservation(v, at),
          since: v.since,
          source: 'lifeline-outcomes',
          summary: `${state.provider} failing user traffic (${v.reason})`,
        });
        state.incidentId = opened.incidentId;
        continue;
      }
      state.lastObservation = result.observation;
      if (!result.transition || result.healthy) continue;
      state.healthy = false;
      state.since = result.observation.at;
      state.transitions += 1;
      state.lastReason = result.reason;
      // Opened now (when the verdict reached the workflow), not when the deciding probe started.
      apply({ type: 'unhealthy', at: new Date().toISOString(), reason: result.reason ?? 'unhealthy' });
      outcomes.reset();
      const opened = await signaller.openProviderIncident({
        provider: state.provider,
        observation: result.observation,
        since: result.streakStartedAt,
      });
      state.incidentId = opened.incidentId;
    } else if (phase === 'open') {
      await sleep(cfg.cooldownMs); // durable: a restart does not shorten or lose the cooldown
      apply({ type: 'cooldown_elapsed', at: new Date().toISOString() });
      outcomes.reset(); // trial traffic from here on is the evidence
    } else {
      // Trial traffic apps sent (outcomes with trial: true) decides when there is some; a probe otherwise.
      const traffic = outcomes.takeTrials();
      const fromTraffic = traffic.ok + traffic.failed > 0;
      let obs: WatchResult['observation'];
      if (fromTraffic) obs = trialObservation(traffic, new Date().toISOString());
      else
        try {
          obs = await trialFor(input.probeTimeoutMs).trialProbe({ provider: state.provider });
        } catch {
          obs = {
            ok: false,
            latencyMs: 0,
            category: 'unknown',
            at: new Date().toISOString(),
            message: 'trial probe could not run',
          };
        }
      state.lastObservation = obs;
      const what = fromTraffic ? obs.message : obs.status ? `HTTP ${obs.status}` : (obs.errorCode ?? 'error');
      // Each successful trial request counts as one trial (up to what closes the breaker); one failure fails.
      let closed = false;
      for (let n = fromTraffic && obs.ok ? Math.min(traffic.ok, cfg.trialsToClose) : 1; n > 0 && !closed; n--)
        closed = apply({ type: 'trial', at: obs.at, ok: obs.ok, reason: what }) && state.breaker.phase === 'closed';
      if (closed) {
        state.healthy = true;
        state.since = obs.at;
        state.transitions += 1;
        state.lastReason = state.breaker.lastReason;
        outcomes.reset();
        await reportRecovered(state, obs);
        delete state.incidentId;
      } else if (state.breaker.phase === 'half-open') {
        // Trials are sampled, not a flood; trial traffic arriving meanwhile is weighed at once.
        await condition(() => outcomes.hasTrials(), input.trialIntervalMs ?? 1_000);
      }
    }
  }
  await continueAsNew<typeof monitorWorkflow>({
    ...input,
    healthy: state.healthy,
    since: state.since,
    breaker: state.breaker,
    ...(state.incidentId ? { incidentId: state.incidentId } : {}),
    outcomes: outcomes.memory,
  });
}

async function reportRecovered(state: MonitorState, obs: WatchResult['observation']): Promise<void> {
  await signaller.reportProviderRecovered({
    provider: state.provider,
    at: obs.at,
    // Trial traffic has no status of its own: its message says what closed the breaker.
    detail:
      obs.status === undefined && obs.message ? obs.message : `probe ${obs.status ?? ''} in ${obs.latencyMs} ms`.trim(),
    ...(state.incidentId ? { incidentId: state.incidentId } : {}),
  });
}
