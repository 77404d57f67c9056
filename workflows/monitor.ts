// monitorWorkflow: one per provider. Probing happens in a long-running heartbeating activity that
// returns only on a health transition (Temporal's pattern for sub-minute polling), so the history
// grows by a few events per transition, not per probe.
import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { MonitorActivities } from '../activities/types';
import { monitorStateQuery, type MonitorInput, type MonitorState } from './messages';

const watcher = proxyActivities<MonitorActivities>({
  // The activity returns on a transition or after an hour without one; heartbeats prove it is alive.
  startToCloseTimeout: '65 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const signaller = proxyActivities<MonitorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

export async function monitorWorkflow(input: MonitorInput): Promise<void> {
  const state: MonitorState = {
    provider: input.provider,
    healthy: input.healthy ?? true,
    since: input.since ?? new Date().toISOString(),
    transitions: 0,
  };
  setHandler(monitorStateQuery, () => state);

  for (let round = 0; round < 500 && !workflowInfo().continueAsNewSuggested; round++) {
    const result = await watcher.watchProvider({ provider: state.provider, healthy: state.healthy });
    state.lastObservation = result.observation;
    if (!result.transition) continue;
    state.healthy = result.healthy;
    state.since = result.observation.at;
    state.transitions += 1;
    if (!result.healthy) {
      await signaller.openProviderIncident({ provider: state.provider, observation: result.observation, since: result.streakStartedAt });
    } else {
      await signaller.reportProviderRecovered({
        provider: state.provider,
        at: result.observation.at,
        detail: `probe ${result.observation.status ?? ''} in ${result.observation.latencyMs} ms`.trim(),
      });
    }
  }
  await continueAsNew<typeof monitorWorkflow>({ provider: state.provider, healthy: state.healthy, since: state.since });
}
