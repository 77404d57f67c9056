// The rolloutWorkflow's ID, input, query and update, shared with clients through messages.ts.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GateThresholds, KnownAnswer, RolloutReport } from '../domain/rollout';

/** One rollout at a time per chain: the ID is the chain's, the rollout's own ID is in its input. */
export const rolloutWorkflowId = (chain: string) => `rollout-${chain}`;

export interface RolloutInput {
  /** The rollout's ID (an Idempotency-Key or generated): a repeated start with it is the same rollout. */
  id: string;
  chain: string;
  /** The provider receiving traffic; `model` is what the gates probe and the report names. */
  provider: string;
  model?: string;
  strategy: 'canary' | 'blue-green';
  /** canary: the target's share of the chain at each step, rising to 100. */
  percents: number[];
  /** How long each step holds before its gate judges it. */
  holdMs: number;
  gates: GateThresholds;
  knownAnswer?: KnownAnswer;
  by: string;
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
