// The SLO entity from the outside: its settings as the config says, starting it (USE_EXISTING) with them,
// the collectors' sample batches (signal-with-start) and the report the API, CLI and Slack read.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { withinDeadline } from './bounded';
import type { SloDef } from '../domain/slo';
import {
  SLO_WORKFLOW_ID,
  sloBudgetSpentQuery,
  sloReportQuery,
  sloSamplesSignal,
  type SloReport,
  type SloSampleBatch,
  type SloSettings,
} from '../workflows/messages';

/** The objectives resolved against providers and services: a service counts every provider of its chains. */
export function sloSettingsOf(config: LifelineConfig): SloSettings {
  const chainsOf = (service: string) => config.services.find((s) => s.id === service)?.chains ?? [];
  const providersOf = (chains: string[]) => [
    ...new Set(chains.flatMap((c) => config.chains.find((x) => x.id === c)?.providers ?? [])),
  ];
  const slos: SloDef[] = config.slos.map((s) => {
    const chains = s.service ? chainsOf(s.service) : [];
    return {
      id: s.id,
      sli: s.sli,
      target: s.target,
      windowMs: s.window,
      ...(s.thresholdMs ? { thresholdMs: s.thresholdMs } : {}),
      ...(s.provider ? { provider: s.provider } : {}),
      ...(s.service ? { service: s.service } : {}),
      providers: s.provider ? [s.provider] : providersOf(chains),
      chains,
    };
  });
  const f = config.quotaForecast;
  return {
    slos,
    quotaForecast: { enabled: f.enabled, horizonMs: f.horizon, lookbackMs: f.lookback, minSamples: f.minSamples },
  };
}

/** Whether anything is measured at all: no objectives and no forecasts means no collector and no entity. */
export const slosWanted = (config: LifelineConfig) => config.slos.length > 0 || config.quotaForecast.enabled;

export async function sendSloSamples(
  client: Client,
  config: LifelineConfig,
  batch: SloSampleBatch,
  withSettings = false,
): Promise<void> {
  const settings = sloSettingsOf(config);
  await client.workflow.signalWithStart('sloWorkflow', {
    workflowId: SLO_WORKFLOW_ID,
    taskQueue: config.temporal.taskQueue,
    args: [{ settings }],
    signal: sloSamplesSignal,
    signalArgs: [withSettings ? { ...batch, settings } : batch],
  });
}

/** The report, or null when the entity has not started (no worker has flushed yet). */
export async function getSloReport(client: Client): Promise<SloReport | null> {
  try {
    return await client.workflow.getHandle(SLO_WORKFLOW_ID).query(sloReportQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** What an incident cost each objective covering its provider; [] when unknown. */
export async function budgetSpentBy(
  client: Client,
  provider: string,
  from: string,
  to: string,
): Promise<{ id: string; spent: number; remaining: number }[]> {
  try {
    // Bounded: a report never waits on an SLO entity whose worker is gone.
    return await withinDeadline(client, 3_000, () =>
      client.workflow.getHandle(SLO_WORKFLOW_ID).query(sloBudgetSpentQuery, { provider, from, to }),
    );
  } catch {
    return [];
  }
}

/** The budget an incident spent, from its fault to its resolution (or now): its report's "Error budget spent". */
export function incidentSloBudget(
  client: Client,
  state: { provider: string; faultAt?: string; startedAt: string; resolvedAt?: string },
): Promise<{ id: string; spent: number; remaining: number }[]> {
  return budgetSpentBy(
    client,
    state.provider,
    state.faultAt ?? state.startedAt,
    state.resolvedAt ?? new Date().toISOString(),
  );
}
