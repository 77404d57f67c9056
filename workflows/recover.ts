// The recover and restore phases of incidentWorkflow: the recovery procedure for the diagnosed root cause
//, checking the provider after each step and stopping at the first that works; then failover,
// and later failback, as traffic shifts queued at each chain's routing entity (which runs them one at a
// time and owns them: a failback outlives an incident resolved mid-way).
import { condition, getExternalWorkflowHandle, sleep, workflowInfo } from '@temporalio/workflow';
import type { IncidentActivities, IncidentContext, RecoverySettings } from '../activities/types';
import { addTimeline, type FailbackRecord, type IncidentState, type RoutingChange } from '../domain/incident';
import { recoveryPlan, RETRY_BACKOFF_MS, type RecoveryStep } from '../domain/recovery';
import { isDeclared } from '../domain/kpi';
import {
  cancelShiftSignal,
  requestShiftSignal,
  routingWorkflowId,
  type ShiftRequest,
  type ShiftResult,
} from './messages';

const now = () => new Date().toISOString();

export const DEFAULT_RECOVERY: RecoverySettings = {
  capabilities: { backupKey: false, backupEndpoint: false, cheaperModel: false },
  shiftStepMs: 30_000,
  failbackHealthyForMs: 120_000,
  failbackCheckEveryMs: 10_000,
};

/** The incident's side of the chains' shift queues: request, await the answer, cancel. */
export interface Shifts {
  /** Queues a shift; null (recorded on the timeline) if the chain's routing entity cannot be reached. */
  request(req: ShiftRequest): Promise<string | null>;
  /** The shift's result, or null if `stopWaiting` became true first. */
  wait(id: string, stopWaiting?: () => boolean): Promise<ShiftResult | null>;
  cancel(id: string, reason: string): Promise<void>;
  /** Results by ticket ID (filled by the shiftDone handler). */
  results: Map<string, ShiftResult>;
  /** Ticket ID → chain, for shifts whose answer has not arrived (carried over continue-as-new). */
  pending: Map<string, string>;
}

export function createShifts(state: IncidentState, carried: Record<string, string> = {}): Shifts {
  const results = new Map<string, ShiftResult>();
  const pending = new Map(Object.entries(carried));
  // Unique per run (continue-as-new gives a new run), so a ticket ID never repeats on a chain.
  const prefix = `${state.id}.${workflowInfo().runId.slice(0, 8)}`;
  let seq = 0;
  return {
    results,
    pending,
    async request(req) {
      const id = `${prefix}.${++seq}.${req.kind}`;
      try {
        await getExternalWorkflowHandle(routingWorkflowId(req.chain)).signal(requestShiftSignal, {
          id,
          request: req,
          requester: workflowInfo().workflowId,
        });
      } catch (err) {
        addTimeline(
          state,
          'shift_failed',
          `chain ${req.chain}: ${req.kind} not queued: ${(err as Error).message}`,
          now(),
        );
        return null;
      }
      pending.set(id, req.chain);
      return id;
    },
    async wait(id, stopWaiting = () => false) {
      // No timeout of our own: the routing entity always answers (a failed child is a `failed` result)
      // and every shift is bounded (activities by schedule-to-close, the healthy wait by maxWaitMs). A
      // shift may wait its turn behind others; an operator resolve ends the wait at once.
      await condition(() => results.has(id) || stopWaiting());
      return results.get(id) ?? null;
    },
    async cancel(id, reason) {
      const chain = pending.get(id);
      if (!chain || results.has(id)) return;
      try {
        await getExternalWorkflowHandle(routingWorkflowId(chain)).signal(cancelShiftSignal, { id, reason });
      } catch (err) {
        addTimeline(
          state,
          'shift_failed',
          `chain ${chain}: shift ${id} not cancelled: ${(err as Error).message}`,
          now(),
        );
      }
    },
  };
}

/** Called by the shiftDone handler: keeps the answer and updates the failback record it belongs to. */
export function noteShiftDone(state: IncidentState, shifts: Shifts, id: string, result: ShiftResult): void {
  if (!shifts.pending.has(id) && !state.failbacks?.some((f) => f.shiftId === id)) return; // another incident's
  shifts.results.set(id, result);
  shifts.pending.delete(id);
  const fb = state.failbacks?.find((f) => f.shiftId === id);
  if (fb) {
    const detached = fb.outcome === 'detached';
    fb.outcome = result.outcome;
    fb.detail = result.detail;
    // A detached failback that ends before the report is written shows up in it.
    if (detached)
      addTimeline(
        state,
        'failback_finished',
        `chain ${fb.chain}: detached failback ${result.outcome}: ${result.detail}`,
        now(),
      );
  }
}

/** Activities the procedure uses; each call is bounded, and a failed one is recorded and skipped. */
export type RecoveryActivities = Pick<IncidentActivities, 'applyRecoveryStep' | 'checkRecovery' | 'clearRecoveryHints'>;

/** Returns true when a step before failover made the provider healthy again. */
export async function runRecoveryProcedure(
  state: IncidentState,
  ctx: IncidentContext,
  acts: RecoveryActivities,
  shifts: Shifts,
): Promise<boolean> {
  const settings = ctx.recovery ?? DEFAULT_RECOVERY;
  // A person declared it and every check passes: lifeline sees nothing wrong with the provider, so moving
  // all traffic off it is a human's call — ask instead of acting.
  // (alert_samples only repeats what the reporters said, so it is not a finding about the provider.)
  const checks = (state.diagnosis?.checks ?? []).filter((c) => c.name !== 'alert_samples');
  if (isDeclared(state) && checks.length && checks.every((c) => c.status === 'passed')) {
    const chains = ctx.chains.join(', ');
    addTimeline(
      state,
      'failover_held',
      `every diagnostic passed, so traffic stays on ${state.provider}; to move it anyway: lifeline failover <chain> --from ${state.provider} (chains: ${chains}) or /incident failover`,
      now(),
    );
    return false;
  }
  const plan = recoveryPlan(state.diagnosis?.rootCause ?? 'unknown', settings.capabilities);
  addTimeline(
    state,
    'recovery_plan',
    `recovery plan for ${state.diagnosis?.rootCause ?? 'unknown'}: ${plan.map((s) => s.action).join(' → ')}`,
    now(),
  );
  for (const step of plan) {
    if (step.action === 'failover') break;
    if (!step.available) {
      addTimeline(state, 'recovery_step', `${step.action}: skipped, not configured for ${state.provider}`, now());
      continue;
    }
    if (await tryStep(step)) return true;
  }
  await failover(state, ctx, shifts);
  return false;

  async function tryStep(step: RecoveryStep): Promise<boolean> {
    try {
      const applied = await acts.applyRecoveryStep({
        provider: state.provider,
        action: step.action,
        chains: ctx.chains,
        incidentId: state.id,
      });
      addTimeline(state, 'recovery_step', `${step.action}: ${applied.detail} (${step.why})`, now());
    } catch (err) {
      addTimeline(state, 'recovery_step_failed', `${step.action}: could not be applied: ${failureText(err)}`, now());
      return false;
    }
    const waits = step.action === 'retry_with_backoff' ? RETRY_BACKOFF_MS : [0];
    for (const wait of waits) {
      if (wait) await sleep(wait);
      let check;
      try {
        check = await acts.checkRecovery({ provider: state.provider, action: step.action });
      } catch (err) {
        check = { healthy: false, detail: `check could not run: ${failureText(err)}` };
      }
      addTimeline(
        state,
        'recovery_check',
        `after ${step.action}${wait ? ` (+${wait} ms)` : ''}: ${state.provider} ${check.healthy ? 'healthy' : 'still failing'} (${check.detail})`,
        now(),
      );
      if (check.healthy) {
        state.mitigatedAt = now();
        addTimeline(state, 'recovery_succeeded', `${step.action} worked: no failover needed`, now());
        return true;
      }
    }
    return false;
  }
}

/** Moves traffic off the provider on every chain (queued at each chain, all chains at once). */
export async function failover(state: IncidentState, ctx: IncidentContext, shifts: Shifts): Promise<void> {
  const queued: [string, string | null][] = [];
  for (const chain of ctx.chains) {
    queued.push([
      chain,
      await shifts.request({
        chain,
        kind: 'immediate',
        from: state.provider,
        reason: `incident ${state.id}: ${state.provider} failed`,
        by: 'lifeline',
      }),
    ]);
  }
  for (const [chain, id] of queued) {
    const result = id ? await shifts.wait(id) : null;
    if (!result || result.outcome === 'noop' || result.outcome === 'failed' || result.outcome === 'cancelled') {
      addTimeline(state, 'failover_skipped', `chain ${chain}: ${result?.detail ?? 'no shift'}`, now());
      continue;
    }
    recordShift(state, result, 'traffic_shifted');
  }
  if (state.routingChanges.length) state.mitigatedAt ??= now();
}

export type RestoreOutcome = 'restored' | 'failed_again' | 'stopped';

/**
 * Failback on every chain, each once the provider has been healthy for the configured time, 10 → 25 →
 * 50 → 75 → 100 %. `failedAgain()` turning true (the provider failing while this runs) cancels the
 * failbacks: each returns to its failover route before the next shift of its chain runs.
 */
export async function restoreTraffic(
  state: IncidentState,
  ctx: IncidentContext,
  acts: RecoveryActivities,
  shifts: Shifts,
  failedAgain: () => boolean,
): Promise<RestoreOutcome> {
  const settings = ctx.recovery ?? DEFAULT_RECOVERY;
  try {
    await acts.clearRecoveryHints({ provider: state.provider, chains: ctx.chains, incidentId: state.id });
  } catch (err) {
    addTimeline(state, 'recovery_hints_kept', `recovery hints not cleared: ${failureText(err)}`, now());
  }
  const mine: FailbackRecord[] = [];
  for (const chain of ctx.chains) {
    const id = await shifts.request({
      chain,
      kind: 'failback',
      from: state.provider,
      stepDelayMs: settings.shiftStepMs,
      healthyForMs: settings.failbackHealthyForMs,
      healthCheckEveryMs: settings.failbackCheckEveryMs,
      ...(settings.evidence ? { evidence: settings.evidence } : {}),
      reason: `incident ${state.id}: ${state.provider} recovered`,
      by: 'lifeline',
    });
    if (!id) continue;
    const rec: FailbackRecord = { chain, shiftId: id, outcome: 'running' };
    (state.failbacks ??= []).push(rec);
    mine.push(rec);
  }
  for (const rec of mine) {
    const result = await shifts.wait(rec.shiftId, failedAgain);
    if (failedAgain()) break;
    if (!result) continue;
    if (result.outcome !== 'noop')
      recordShift(state, result, result.outcome === 'completed' ? 'traffic_restored' : 'failback_stopped');
  }
  if (failedAgain()) {
    for (const rec of mine) {
      if (rec.outcome !== 'running') continue;
      rec.outcome = 'cancelled';
      rec.detail = `${state.provider} failed again`;
      await shifts.cancel(rec.shiftId, `${state.provider} failed again (incident ${state.id})`);
    }
    return 'failed_again';
  }
  return mine.some((r) => r.outcome === 'stopped' || r.outcome === 'failed') ? 'stopped' : 'restored';
}

function recordShift(state: IncidentState, r: ShiftResult, type: string): void {
  const change: RoutingChange = {
    chain: r.chain,
    from: r.initial,
    to: r.final,
    mode: r.mode,
    reason: r.detail,
    version: r.version,
    at: now(),
  };
  state.routingChanges.push(change);
  const fmt = (w: Record<string, number>) =>
    Object.entries(w)
      .map(([p, v]) => `${p} ${v}%`)
      .join(', ') || 'none';
  addTimeline(
    state,
    type,
    `chain ${r.chain}: ${fmt(r.initial)} → ${fmt(r.final)} (${r.kind}, ${r.outcome}, ${r.mode}): ${r.detail}`,
    now(),
  );
}

/** An activity failure's own message (ActivityFailure wraps it as its cause). */
export function failureText(err: unknown): string {
  const e = err as Error & { cause?: Error };
  return e.cause?.message ?? e.message;
}
