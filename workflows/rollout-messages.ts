// The rolloutWorkflow's ID, input, query and update, shared with clients through messages.ts.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GateThresholds, KnownAnswer, RolloutPlan, RolloutReport } from '../domain/rollout';

/** One rollout at a time per chain: the ID is the chain's, the rollout's own ID is in its input. */
export const rolloutWorkflowId = (chain: string) => `rollout-${chain}`;

export interface RolloutInput extends RolloutPlan {
  gates: GateThresholds;
  knownAnswer?: KnownAnswer;
}

export interface AbortRolloutRequest {
  /** The rollout meant (refused when another rollout now runs on the chain). */
  id: string;
  by: string;
  reason?: string;
}

export const rolloutReportQuery = defineQuery<RolloutReport>('rolloutReport');
/** Stops the rollout: it rolls back to the starting weights (after a step in flight lands) and reports FAIL. */
export const abortRolloutUpdate = defineUpdate<RolloutReport, [AbortRolloutRequest]>('abortRollout');
