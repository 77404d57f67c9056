// rolloutWorkflow: one model rollout on one chain (ID `rollout-<chain>`, so one at a time per chain). It
// moves the chain's traffic to the target step by step through the shift engine: every step is an
// operator-style `set` shift queued at the chain's routingWorkflow (the single writer), whose answer comes
// back as `shiftDone`, exactly as an incident's failover does. Between steps it holds, then a quality gate
// judges the target (error share and p95 of its probes since the step, and an optional known-answer
// probe). A failed gate or an operator's abort rolls the chain back to its starting weights in one step,
// and the report (saved after every change) says FAIL and why; blue-green is one gate, one switch to
// 100 %, one more gate, and the same one-step switch back on failure.
import { condition, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RolloutActivities } from '../activities/types';
import type { Weights } from '../domain/failover';
import { rolloutPlan, type GateResult, type RolloutReport, type RolloutStep } from '../domain/rollout';
import { sameWeights } from '../domain/shift';
import { ROUTE_ACTIVITY_RETRY } from './shift';
import { abortRolloutUpdate, rolloutReportQuery, type RolloutInput, type ShiftResult } from './messages';
import { shiftRequests } from './shift-requests';

const acts = proxyActivities<RolloutActivities>({
  startToCloseTimeout: '2 minutes',
  // Bounded: a routing entity or monitor unreachable this long ends the rollout as `failed`, reported.
  scheduleToCloseTimeout: '5 minutes',
  retry: ROUTE_ACTIVITY_RETRY,
});

const iso = () => new Date().toISOString();

export async function rolloutWorkflow(input: RolloutInput): Promise<RolloutReport> {
  const report: RolloutReport = {
    id: input.id,
    chain: input.chain,
    provider: input.provider,
    ...(input.model ? { model: input.model } : {}),
    strategy: input.strategy,
    percents: input.strategy === 'blue-green' ? [100] : input.percents,
    holdMs: input.holdMs,
    by: input.by,
    workflowId: workflowInfo().workflowId,
    startedAt: iso(),
    initial: {},
    steps: [],
    outcome: 'running',
    detail: 'starting',
  };
  let abort: { by: string; reason: string } | undefined;

  // ---- handlers first, before any await ------------------------------------------------------------
  setHandler(rolloutReportQuery, () => report);
  const shifts = shiftRequests(input.chain);
  setHandler(
    abortRolloutUpdate,
    (req) => {
      abort ??= { by: req.by, reason: req.reason ?? 'aborted by an operator' };
      report.abortedBy = abort.by;
      return report;
    },
    {
      validator: (req) => {
        if (!req.by) throw new Error('by is required');
        if (req.id !== input.id) throw new Error(`id: rollout ${input.id} runs on ${input.chain}, not ${req.id}`);
        if (report.outcome !== 'running') throw new Error(`rollout ${input.id} already ended (${report.outcome})`);
      },
    },
  );

  // Ticket IDs are unique per chain: the run ID keeps a repeated rollout ID (a new run) from reusing them.
  const ticketPrefix = `rollout.${input.id}.${workflowInfo().runId.slice(0, 8)}`;
  let tickets = 0;
  /**
   * One `set` shift through the chain's queue; resolves with the routing entity's answer. Mode `normal`:
   * a rollout's weights are a deliberate route, not a failover (an incident's failback would undo them).
   */
  const shift = (weights: Weights, why: string): Promise<ShiftResult> =>
    shifts.request(`${ticketPrefix}.${++tickets}`, {
      chain: input.chain,
      kind: 'set',
      weights,
      mode: 'normal',
      reason: `rollout ${input.id}: ${why}`,
      by: input.by,
    });

  const save = () => acts.saveRolloutReport({ ...report });
  const gate = (sinceMs: number): Promise<GateResult> =>
    acts.rolloutGate({
      provider: input.provider,
      ...(input.model ? { model: input.model } : {}),
      sinceMs,
      gates: input.gates,
      ...(input.knownAnswer ? { knownAnswer: input.knownAnswer } : {}),
    });

  const finish = async (outcome: RolloutReport['outcome'], detail: string): Promise<RolloutReport> => {
    report.outcome = outcome;
    report.result = outcome === 'completed' ? 'PASS' : 'FAIL';
    report.detail = detail;
    report.finishedAt = iso();
    if (abort) report.abortedBy = abort.by;
    await save();
    return report;
  };

  /** The route version this rollout last left (another version means someone else changed the chain). */
  let version = 0;
  /** Why the chain is no longer the rollout's to move (an incident's failover, an operator), or null. */
  const changedElsewhere = async (): Promise<string | null> => {
    const { route } = await acts.rolloutContext({ chain: input.chain, provider: input.provider });
    return route.version === version
      ? null
      : `the chain was changed meanwhile (v${route.version}, ${route.mode}: ${route.reason ?? 'no reason given'})`;
  };

  /**
   * Back to the starting weights in one step (a no-op when nothing moved). Not over someone else's
   * change: a failover that moved traffic since the last step stands, the report says so.
   */
  const rollBack = async (outcome: 'rolled_back' | 'aborted' | 'failed', detail: string) => {
    const elsewhere = await changedElsewhere();
    if (elsewhere) return finish(outcome, `${detail}; not rolled back: ${elsewhere}`);
    if (report.final && !sameWeights(report.final, report.initial)) {
      const at = iso();
      const r = await shift(report.initial, `rolled back: ${detail}`);
      report.final = r.final;
      version = r.version;
      report.rollback = { at, weights: report.initial, reason: detail, outcome: r.outcome };
      if (r.outcome !== 'completed') detail += `; the rollback shift ended ${r.outcome}: ${r.detail}`;
    }
    return finish(outcome, detail);
  };
  const aborted = () => rollBack('aborted', `aborted by ${abort!.by}: ${abort!.reason}`);

  try {
    return await run();
  } catch (err) {
    if (isCancellation(err)) throw err;
    const e = err as Error & { cause?: Error };
    const detail = `rollout failed: ${e.cause?.message ?? e.message}`;
    return rollBack('failed', detail).catch(() => finish('failed', detail));
  }

  async function run(): Promise<RolloutReport> {
    const ctx = await acts.rolloutContext({ chain: input.chain, provider: input.provider });
    version = ctx.route.version;
    report.initial = ctx.route.weights;
    report.final = ctx.route.weights;
    report.detail = 'in progress';
    await save();
    if (ctx.route.mode !== 'normal')
      return finish('failed', `chain ${input.chain} is in ${ctx.route.mode} mode (a failover holds it): nothing moved`);
    if (ctx.unhealthy.includes(input.provider))
      return finish('failed', `${input.provider}'s breaker is open: nothing moved`);

    const plan = rolloutPlan(report.initial, input.provider, report.percents);
    if (input.strategy === 'blue-green') {
      report.preGate = await gate(Date.now() - input.holdMs);
      await save();
      if (abort) return aborted();
      if (!report.preGate.passed)
        return finish('failed', `gate before the switch failed (nothing moved): ${report.preGate.detail}`);
    }
    for (let i = 0; i < plan.length; i++) {
      if (abort) return aborted();
      const elsewhere = i > 0 ? await changedElsewhere() : null;
      if (elsewhere) return finish('failed', `stopped before step ${i + 1}: ${elsewhere}`);
      const step: RolloutStep = { percent: report.percents[i], weights: plan[i], requestedAt: iso() };
      report.steps.push(step);
      report.detail = `step ${i + 1}/${plan.length}: ${step.percent} % to ${input.provider}`;
      const r = await shift(plan[i], report.detail);
      report.final = r.final;
      version = r.version;
      if (r.outcome !== 'completed') {
        await save();
        return rollBack('failed', `step ${i + 1} did not apply (${r.outcome}: ${r.detail})`);
      }
      step.appliedAt = iso();
      step.version = r.version;
      await save();
      const since = Date.now();
      if (await condition(() => !!abort, input.holdMs)) return aborted();
      step.gate = await gate(since);
      await save();
      if (abort) return aborted();
      if (!step.gate.passed) return rollBack('rolled_back', `gate after step ${i + 1} failed: ${step.gate.detail}`);
    }
    return finish(
      'completed',
      `${input.provider}${input.model ? `/${input.model}` : ''} carries ${report.percents[report.percents.length - 1]} % of ${input.chain}; every gate passed`,
    );
  }
}
