// Messages of sloWorkflow (re-exported by messages.ts, the door into workflows/): the collectors' sample
// batches, the settings every worker sends at start, and the queries the API, CLI, Slack and reports read.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SloDef } from '../domain/slo';
import type { QuotaKind, QuotaSample } from '../domain/quota-forecast';
import type { QuotaStatus, SloStatus } from '../domain/slo-status';

export type { QuotaStatus, SloStatus } from '../domain/slo-status';

/** One per deployment: every worker's collector signals it. */
export const SLO_WORKFLOW_ID = 'slos';

export interface QuotaForecastSettings {
  enabled: boolean;
  horizonMs: number;
  lookbackMs: number;
  minSamples: number;
}

export interface SloSettings {
  slos: SloDef[];
  quotaForecast: QuotaForecastSettings;
}

/** What one worker's collector saw since its last flush (counters, not probes). */
export interface SloSampleBatch {
  /** A worker's first batch after it started carries its config's settings: a config change reaches the entity. */
  settings?: SloSettings;
  probes: {
    provider: string;
    total: number;
    ok: number;
    /** threshold ms → probes answered within it */ fast: Record<string, number>;
  }[];
  quotas: { provider: string; kind: QuotaKind; samples: QuotaSample[] }[];
  /** The primary's share of each chain's weights, sampled once per minute (the same minute from two workers counts once). */
  routes: { chain: string; minute: number; primaryShare: number }[];
}

export interface SloReport {
  at: string;
  slos: SloStatus[];
  quotas: QuotaStatus[];
}

export const sloSamplesSignal = defineSignal<[SloSampleBatch]>('sloSamples');
export const sloReportQuery = defineQuery<SloReport>('sloReport');
/** The error budget each objective covering a provider spent between two instants (an incident's cost). */
export const sloBudgetSpentQuery = defineQuery<
  { id: string; spent: number; remaining: number }[],
  [{ provider: string; from: string; to: string }]
>('sloBudgetSpent');
