// trafficShiftWorkflow: one traffic shift on one chain (seed 004): immediate, gradual, canary, failback or
// an operator's exact weights. Started as a child of the incident (automatic) or by the API (operator)
// on the ID shift-<chain>, so two shifts of a chain never interleave: the second start is refused.
// Every step goes through the chain's routingWorkflow (the single writer) with a deterministic Update
// ID, so a retried activity never applies a step twice.
import { proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { ShiftActivities } from '../activities/types';
import type { Weights } from '../domain/failover';
import { failbackSteps, failoverSteps, nextHealthy, sameWeights, type ShiftStep } from '../domain/shift';
import { shiftStateQuery, type RouteMode, type ShiftRequest, type ShiftResult, type ShiftStepRecord } from './messages';

const acts = proxyActivities<ShiftActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

const DEFAULT_STEP_DELAY_MS = 30_000;

export async function trafficShiftWorkflow(req: ShiftRequest): Promise<ShiftResult> {
  const steps: ShiftStepRecord[] = [];
  let outcome: ShiftResult['outcome'] | undefined;
  setHandler(shiftStateQuery, () => ({ request: req, steps, outcome }));

  const ctx = await acts.shiftContext({ chain: req.chain });
  const initial = ctx.route.weights;
  let version = ctx.route.version;
  let mode: RouteMode = ctx.route.mode;
  const by = req.by;
  const stepDelayMs = req.stepDelayMs ?? DEFAULT_STEP_DELAY_MS;

  const apply = async (weights: Weights, m: RouteMode, why: string): Promise<ShiftStepRecord> => {
    const { runId } = workflowInfo();
    const route = await acts.applyRouteStep({
      chain: req.chain,
      request: { weights, mode: m, reason: `${req.reason}: ${why}`, by },
      updateId: `${runId}:${steps.length}`,
    });
    version = route.version;
    mode = route.mode;
    const rec: ShiftStepRecord = { weights: route.weights, version: route.version, at: route.updatedAt };
    steps.push(rec);
    return rec;
  };
  const finish = (o: ShiftResult['outcome'], detail: string, final: Weights): ShiftResult => {
    outcome = o;
    return { chain: req.chain, kind: req.kind, outcome: o, detail, initial, final, mode, version, steps };
  };

  // Breaker-aware: a provider whose monitor has opened its breaker never receives new weight.
  const open = new Set(ctx.unhealthy);

  // ---- an operator's exact weights: one validated step -------------------------------------------
  if (req.kind === 'set') {
    if (!req.weights) return finish('noop', 'no weights given', initial);
    const down = Object.keys(req.weights).filter((p) => (req.weights?.[p] ?? 0) > (initial[p] ?? 0) && open.has(p));
    if (down.length) return finish('noop', `refused: breaker open for ${down.join(', ')}`, initial);
    const rec = await apply(req.weights, sameWeights(req.weights, ctx.configured) ? 'normal' : 'degraded', 'weights set by operator');
    return finish('completed', 'weights applied', rec.weights);
  }

  // ---- failback: wait until the provider has been healthy long enough, then step back -------------
  if (req.kind === 'failback') {
    const target = sameWeights(initial, ctx.configured) && mode === 'normal' ? null : ctx.configured;
    if (!target) return finish('noop', 'route already has the configured weights', initial);
    const returning = req.from ?? Object.keys(ctx.configured).find((p) => (ctx.configured[p] ?? 0) > (initial[p] ?? 0));
    if (returning) {
      const ready = await healthyFor(returning, req);
      if (!ready) return finish('stopped', `${returning} was not healthy for ${req.healthyForMs ?? 0} ms within the wait`, initial);
    }
    return walk(failbackSteps(initial, target, returning ?? ''), 'failback');
  }

  // ---- failover: immediate, gradual or canary -----------------------------------------------------
  const from = req.from;
  if (!from) return finish('noop', 'no source provider given', initial);
  if (!initial[from]) return finish('noop', `${from} carries no traffic on ${req.chain}`, initial);
  if (req.to && open.has(req.to)) return finish('noop', `refused: breaker open for ${req.to}`, initial);
  const to = req.to ?? nextHealthy(ctx.route.providers, from, ctx.unhealthy);
  if (!to) {
    // Nowhere healthy to go: keep the weights, tell apps to drop to their cache/static tier.
    const rec = await apply(initial, 'emergency', `every provider of ${req.chain} is down`);
    return finish('emergency', `every provider of ${req.chain} is down: emergency mode`, rec.weights);
  }
  if (req.kind === 'immediate') {
    const rec = await apply(failoverSteps('immediate', initial, from, to)[0].weights, 'degraded', `${from} → ${to}`);
    return finish('completed', `${from} → ${to}`, rec.weights);
  }
  return walk(failoverSteps(req.kind, initial, from, to), req.kind);

  // ---- helpers --------------------------------------------------------------------------------------
  /** Applies each step, waits, validates; gradual/canary roll back to the start, failback stops. */
  async function walk(plan: ShiftStep[], label: string): Promise<ShiftResult> {
    let lastGood = initial;
    const lastGoodMode = mode;
    for (let i = 0; i < plan.length; i++) {
      const step = plan[i];
      const last = i === plan.length - 1;
      const stepMode: RouteMode = req.kind === 'failback' && last && sameWeights(step.weights, ctx.configured) ? 'normal' : 'degraded';
      const rec = await apply(step.weights, stepMode, `${label} step ${i + 1}/${plan.length}`);
      await sleep(stepDelayMs);
      const checks = step.validate ? [await acts.validateProvider({ provider: step.validate })] : [];
      rec.validated = checks.map((c, j) => ({ provider: step.validate ?? String(j), ...c }));
      const failed = checks.find((c) => !c.healthy);
      if (failed) {
        if (req.kind === 'failback') {
          // Undo the step that failed; the provider keeps only the share it held while validated.
          const back = await apply(lastGood, 'degraded', `failback stopped: ${failed.detail}`);
          return finish('stopped', `validation of ${step.validate} failed at step ${i + 1}: ${failed.detail}`, back.weights);
        }
        const back = await apply(initial, lastGoodMode, `${label} rolled back: ${failed.detail}`);
        return finish('rolled_back', `validation of ${step.validate} failed at step ${i + 1}: ${failed.detail}`, back.weights);
      }
      lastGood = rec.weights;
    }
    return finish('completed', `${label} completed in ${plan.length} step(s)`, lastGood);
  }

  /** True once `provider` has passed every check for `healthyForMs`; false if maxWaitMs runs out. */
  async function healthyFor(provider: string, r: ShiftRequest): Promise<boolean> {
    const needed = r.healthyForMs ?? 0;
    const every = r.healthCheckEveryMs ?? 10_000;
    const maxWait = r.maxWaitMs ?? 30 * 60_000;
    let healthySince: number | null = null;
    let waited = 0;
    for (;;) {
      const c = await acts.validateProvider({ provider });
      const t = Date.now();
      healthySince = c.healthy ? (healthySince ?? t) : null;
      if (healthySince !== null && t - healthySince >= needed) return true;
      if (waited >= maxWait) return false;
      await sleep(every);
      waited += every;
    }
  }
}
