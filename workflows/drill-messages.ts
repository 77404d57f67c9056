// Messages of drillWorkflow (re-exported by messages.ts, the door into workflows/): its input, progress
// query and stop signal, and the IDs of its runs and schedules.
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** A failover drill run: `drill-<drill or chain>-<suffix>` (a schedule appends its own timestamp). */
export const drillWorkflowId = (name: string, suffix: string) => `drill-${name}-${suffix}`;
/** The Temporal Schedule of a configured drill. */
export const drillScheduleId = (drill: string) => `drill-${drill}`;
export const DRILL_SCHEDULE_PREFIX = 'drill-';

export interface DrillInput {
  /** The configured drill, when it is one. */
  drill?: string;
  chain: string;
  /** Percent of the primary's traffic moved, or all of it. */
  share: number | 'full';
  /** The backup (default: the next healthy provider after the primary in chain order). */
  to?: string;
  durationMs: number;
  checkEveryMs: number;
  by: string;
  scheduled?: boolean;
  /** Longest wait for the chain's shift queue to apply a drill step (default 5 min). */
  shiftWaitMs?: number;
}

export type DrillPhase = 'preflight' | 'failing-over' | 'holding' | 'rolling-back' | 'reporting' | 'done';

export interface DrillProgress {
  id: string;
  chain: string;
  phase: DrillPhase;
  startedAt: string;
  primary?: string;
  backup?: string;
  timeline: { at: string; what: string }[];
}

export const drillProgressQuery = defineQuery<DrillProgress>('drillProgress');
/** Ends the drill early: traffic is rolled back at once and the report says who stopped it. */
export const stopDrillSignal = defineSignal<[{ reason: string; by: string }]>('stopDrill');
