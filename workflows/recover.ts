// The recover and restore phases of incidentWorkflow since patch 'recovery-procedures': the recovery
// procedure for the diagnosed root cause (seed 000), checking the provider after each step and stopping
// at the first that works; then failover, and later failback, as trafficShiftWorkflow children.
import { executeChild, sleep } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { IncidentActivities, IncidentContext, RecoverySettings } from '../activities/types';
import { addTimeline, type IncidentState, type RoutingChange } from '../domain/incident';
import { recoveryPlan, RETRY_BACKOFF_MS, type RecoveryStep } from '../domain/recovery';
import { isDeclared } from '../domain/kpi';
import { shiftWorkflowId, type ShiftRequest, type ShiftResult } from './messages';
import { trafficShiftWorkflow } from './shift';

const now = () => new Date().toISOString();

export const DEFAULT_RECOVERY: RecoverySettings = {
  capabilities: { backupKey: false, backupEndpoint: false, cheaperModel: false },
  shiftStepMs: 30_000,
  failbackHealthyForMs: 120_000,
  failbackCheckEveryMs: 10_000,
};

/** How long a shift waits for another shift of the same chain to finish before giving up. */
const BUSY_RETRIES = 60;

/** Returns true when a step before failover made the provider healthy again. */
export async function runRecoveryProcedure(state: IncidentState, ctx: IncidentContext, acts: IncidentActivities): Promise<boolean> {
  const settings = ctx.recovery ?? DEFAULT_RECOVERY;
  // A person declared it and every check passes: lifeline sees nothing wrong with the provider, so moving
  // all traffic off it is a human's call — ask instead of acting.
  // (alert_samples only repeats what the reporters said, so it is not a finding about the provider.)
  const checks = (state.diagnosis?.checks ?? []).filter((c) => c.name !== 'alert_samples');
  if (isDeclared(state) && checks.length && checks.every((c) => c.status === 'passed')) {
    const chains = ctx.chains.join(', ');
    addTimeline(state, 'failover_held', `every diagnostic passed, so traffic stays on ${state.provider}; to move it anyway: lifeline failover <chain> --from ${state.provider} (chains: ${chains}) or /incident failover`, now());
    return false;
  }
  const plan = recoveryPlan(state.diagnosis?.rootCause ?? 'unknown', settings.capabilities);
  addTimeline(state, 'recovery_plan', `recovery plan for ${state.diagnosis?.rootCause ?? 'unknown'}: ${plan.map((s) => s.action).join(' → ')}`, now());
  for (const step of plan) {
    if (step.action === 'failover') break;
    if (!step.available) {
      addTimeline(state, 'recovery_step', `${step.action}: skipped, not configured for ${state.provider}`, now());
      continue;
    }
    if (await tryStep(step)) return true;
  }
  await failover();
  return false;

  async function tryStep(step: RecoveryStep): Promise<boolean> {
    const applied = await acts.applyRecoveryStep({ provider: state.provider, action: step.action, chains: ctx.chains, incidentId: state.id });
    addTimeline(state, 'recovery_step', `${step.action}: ${applied.detail} (${step.why})`, now());
    const waits = step.action === 'retry_with_backoff' ? RETRY_BACKOFF_MS : [0];
    for (const wait of waits) {
      if (wait) await sleep(wait);
      const check = await acts.checkRecovery({ provider: state.provider, action: step.action });
      addTimeline(state, 'recovery_check', `after ${step.action}${wait ? ` (+${wait} ms)` : ''}: ${state.provider} ${check.healthy ? 'healthy' : 'still failing'} (${check.detail})`, now());
      if (check.healthy) {
        state.mitigatedAt = now();
        addTimeline(state, 'recovery_succeeded', `${step.action} worked: no failover needed`, now());
        return true;
      }
    }
    return false;
  }

  async function failover(): Promise<void> {
    for (const chain of ctx.chains) {
      const result = await runShift(state, { chain, kind: 'immediate', from: state.provider, reason: `incident ${state.id}: ${state.provider} failed`, by: 'lifeline' });
      if (!result || result.outcome === 'noop') {
        addTimeline(state, 'failover_skipped', `chain ${chain}: ${result?.detail ?? 'no shift'}`, now());
        continue;
      }
      recordShift(state, result, 'traffic_shifted');
    }
    if (state.routingChanges.length) state.mitigatedAt = now();
  }
}

/** Failback once the provider has been healthy for the configured time, 10 → 25 → 50 → 75 → 100 %. */
export async function restoreTraffic(state: IncidentState, ctx: IncidentContext, acts: IncidentActivities): Promise<void> {
  const settings = ctx.recovery ?? DEFAULT_RECOVERY;
  await acts.clearRecoveryHints({ provider: state.provider, chains: ctx.chains, incidentId: state.id });
  for (const chain of ctx.chains) {
    const result = await runShift(state, {
      chain,
      kind: 'failback',
      from: state.provider,
      stepDelayMs: settings.shiftStepMs,
      healthyForMs: settings.failbackHealthyForMs,
      healthCheckEveryMs: settings.failbackCheckEveryMs,
      reason: `incident ${state.id}: ${state.provider} recovered`,
      by: 'lifeline',
    });
    if (!result || result.outcome === 'noop') continue;
    recordShift(state, result, result.outcome === 'completed' ? 'traffic_restored' : 'failback_stopped');
  }
}

/** Starts the chain's shift as a child; waits while another shift (e.g. an operator's) holds the chain. */
async function runShift(state: IncidentState, req: ShiftRequest): Promise<ShiftResult | null> {
  for (let attempt = 0; attempt < BUSY_RETRIES; attempt++) {
    try {
      return await executeChild(trafficShiftWorkflow, { workflowId: shiftWorkflowId(req.chain), args: [req] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        // A shift that failed (e.g. Temporal could not reach the routing workflow for minutes) must not
        // take the incident down with it: record it and let people act on the timeline.
        addTimeline(state, 'shift_failed', `chain ${req.chain}: ${req.kind} failed: ${(err as Error).message}`, now());
        return null;
      }
      if (attempt === 0) addTimeline(state, 'shift_waiting', `chain ${req.chain}: another traffic shift is running; waiting for it`, now());
      await sleep(1_000);
    }
  }
  addTimeline(state, 'shift_busy', `chain ${req.chain}: still busy after ${BUSY_RETRIES} s; ${req.kind} not applied`, now());
  return null;
}

function recordShift(state: IncidentState, r: ShiftResult, type: string): void {
  const change: RoutingChange = { chain: r.chain, from: r.initial, to: r.final, mode: r.mode, reason: r.detail, version: r.version, at: now() };
  state.routingChanges.push(change);
  const fmt = (w: Record<string, number>) => Object.entries(w).map(([p, v]) => `${p} ${v}%`).join(', ') || 'none';
  addTimeline(state, type, `chain ${r.chain}: ${fmt(r.initial)} → ${fmt(r.final)} (${r.kind}, ${r.outcome}, ${r.mode}): ${r.detail}`, now());
}

