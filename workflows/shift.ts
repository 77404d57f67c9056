// trafficShiftWorkflow: one traffic shift on one chain: immediate, gradual, canary, failback or
// an operator's exact weights. Always a child of the chain's routingWorkflow, which runs its queue one
// shift at a time (automatic and operator shifts alike), so shifts of a chain never interleave.
// Every step goes through the routingWorkflow (the single writer) with a deterministic Update ID, so a
// retried activity never applies a step twice; every step re-reads the chain's breakers first.
// Stopped (stopShift signal) or cancelled, the shift leaves a safe route, never an intermediate one.
import {
  CancellationScope,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { ShiftActivities } from '../activities/types';
import { planImmediateFailover, type Weights } from '../domain/failover';
import { judgeStep, readyOnEvidence, type ProviderEvidence, type StepEvidence } from '../domain/provider-evidence';
import {
  EVIDENCE_FAILBACK_PERCENTS,
  FAILBACK_PERCENTS,
  failbackTarget,
  failoverSteps,
  gainsOnOpen,
  interpolateWeights,
  nextHealthy,
  sameWeights,
} from '../domain/shift';
import {
  shiftStateQuery,
  stopShiftSignal,
  type RouteMode,
  type ShiftRequest,
  type ShiftResult,
  type ShiftStepRecord,
} from './messages';

/**
 * Retries of the activities that read or change a chain's route (shifts and rollouts): quick and capped, and none for
 * a chain the config no longer has.
 */
export const ROUTE_ACTIVITY_RETRY: RetryPolicy = {
  initialInterval: '1 second',
  maximumInterval: '10 seconds',
  nonRetryableErrorTypes: ['UnknownChain'],
};

const acts = proxyActivities<ShiftActivities>({
  startToCloseTimeout: '30 seconds',
  // Bounded: a routing entity or probe unreachable for two minutes ends the shift as `failed` (recorded
  // by the routing entity), it does not hang or fail the workflow.
  scheduleToCloseTimeout: '2 minutes',
  retry: ROUTE_ACTIVITY_RETRY,
});

// Evidence is a hint, never a blocker: a slow or failing read counts as no evidence (the old waits).
const evidenceActs = proxyActivities<ShiftActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumAttempts: 2 },
});

const DEFAULT_STEP_DELAY_MS = 30_000;

interface SafeRoute {
  weights: Weights;
  mode: RouteMode;
  why: string;
}

export async function trafficShiftWorkflow(req: ShiftRequest): Promise<ShiftResult> {
  const steps: ShiftStepRecord[] = [];
  let outcome: ShiftResult['outcome'] | undefined;
  let stopReason: string | undefined;
  const body = new CancellationScope();
  setHandler(shiftStateQuery, () => ({ request: req, steps, outcome }));
  setHandler(stopShiftSignal, ({ reason }) => {
    stopReason ??= reason;
    body.cancel();
  });

  let initial: Weights = {};
  let current: Weights = {};
  let version = 0;
  let mode: RouteMode = 'normal';
  /** Where to leave the route if the shift stops part-way (null: every applied step is already safe). */
  let safe = null as SafeRoute | null;
  const by = req.by;
  const stepDelayMs = req.stepDelayMs ?? DEFAULT_STEP_DELAY_MS;

  const finish = (o: ShiftResult['outcome'], detail: string): ShiftResult => {
    outcome = o;
    return { chain: req.chain, kind: req.kind, outcome: o, detail, initial, final: current, mode, version, steps };
  };
  // A step is never interrupted half-way: the Update either lands or not, and the cleanup knows which.
  const apply = (weights: Weights, m: RouteMode, why: string): Promise<ShiftStepRecord> =>
    CancellationScope.nonCancellable(async () => {
      const route = await acts.applyRouteStep({
        chain: req.chain,
        request: { weights, mode: m, reason: `${req.reason}: ${why}`, by },
        updateId: `${workflowInfo().workflowId}:${steps.length}`,
      });
      version = route.version;
      mode = route.mode;
      current = route.weights;
      const rec: ShiftStepRecord = { weights: route.weights, version: route.version, at: route.updatedAt };
      steps.push(rec);
      return rec;
    });

  try {
    return await body.run(run);
  } catch (err) {
    const e = err as Error & { cause?: Error };
    const why = stopReason ?? (isCancellation(err) ? 'cancelled' : (e.cause?.message ?? e.message)); // an activity's own message
    const s = safe as SafeRoute | null; // set inside run(): TypeScript cannot see that
    if (s && !sameWeights(current, s.weights)) {
      await CancellationScope.nonCancellable(() => apply(s.weights, s.mode, `${s.why} (${why})`)).catch(
        () => undefined,
      );
    }
    // Cancelled by Temporal (not by the routing entity): report it as a cancellation, after the cleanup.
    if (isCancellation(err) && !stopReason) throw err;
    return finish(stopReason ? 'cancelled' : 'failed', stopReason ? `stopped: ${stopReason}` : `shift failed: ${why}`);
  }

  async function run(): Promise<ShiftResult> {
    const ctx = await acts.shiftContext({ chain: req.chain });
    initial = ctx.route.weights;
    current = initial;
    version = ctx.route.version;
    mode = ctx.route.mode;
    const providers = ctx.route.providers;
    // Breaker-aware: a provider whose monitor has opened its breaker never receives new weight.
    const open = new Set(ctx.unhealthy);

    // ---- an operator's exact weights: one validated step -------------------------------------------
    if (req.kind === 'set') {
      if (!req.weights) return finish('noop', 'no weights given');
      const down = gainsOnOpen(initial, req.weights, [...open]);
      if (down.length) return finish('noop', `refused: breaker open for ${down.join(', ')}`);
      await apply(
        req.weights,
        req.mode ?? (sameWeights(req.weights, ctx.configured) ? 'normal' : 'degraded'),
        'weights set by operator',
      );
      return finish('completed', 'weights applied');
    }

    // ---- failback: wait until the provider has been healthy long enough, then step back -------------
    if (req.kind === 'failback') {
      if (sameWeights(initial, ctx.configured) && mode === 'normal')
        return finish('noop', 'route already has the configured weights');
      const returning =
        req.from ?? Object.keys(ctx.configured).find((p) => (ctx.configured[p] ?? 0) > (initial[p] ?? 0));
      const ready = returning ? await healthyFor(returning, req) : 'probes';
      if (!ready)
        return finish('stopped', `${returning} was not healthy for ${req.healthyForMs ?? 0} ms within the wait`);
      // Users' trials already carried EVIDENCE_FAILBACK_PERCENTS[0] of the traffic cleanly: no 10 % step.
      return failback(
        returning,
        ctx.configured,
        providers,
        ready === 'evidence' ? EVIDENCE_FAILBACK_PERCENTS : FAILBACK_PERCENTS,
      );
    }

    // ---- failover: immediate, gradual or canary -----------------------------------------------------
    const from = req.from;
    if (!from) return finish('noop', 'no source provider given');
    if (!initial[from]) return finish('noop', `${from} carries no traffic on ${req.chain}`);
    if (req.to && open.has(req.to)) return finish('noop', `refused: breaker open for ${req.to}`);
    const to = req.to ?? nextHealthy(providers, from, ctx.unhealthy);
    if (!to) {
      // Nowhere healthy to go: keep the weights, tell apps to drop to their cache/static tier.
      await apply(initial, 'emergency', `every provider of ${req.chain} is down`);
      return finish('emergency', `every provider of ${req.chain} is down: emergency mode`);
    }
    if (req.kind === 'immediate') {
      await apply(failoverSteps('immediate', initial, from, to)[0].weights, 'degraded', `${from} → ${to}`);
      return finish('completed', `${from} → ${to}`);
    }
    return walkFailover(req.kind, from, to, providers);
  }

  /** Gradual/canary: each step validated; a failed validation rolls back to the start. */
  async function walkFailover(
    kind: 'gradual' | 'canary',
    from: string,
    to: string,
    providers: string[],
  ): Promise<ShiftResult> {
    const plan = failoverSteps(kind, initial, from, to);
    const startMode = mode;
    // Stopped part-way, a failover finishes moving off the failing provider rather than stay half-way.
    safe = { weights: plan[plan.length - 1].weights, mode: 'degraded', why: `${kind} finished at once` };
    for (let i = 0; i < plan.length; i++) {
      const open = await openNow();
      if (open.includes(to)) {
        // The target's breaker opened mid-shift: everything goes to the next healthy provider at once.
        const moved = planImmediateFailover(current, providers, from, open);
        safe = null;
        if (!moved) {
          await apply(current, 'emergency', `${to} failed mid-${kind}; every provider of ${req.chain} is down`);
          return finish('emergency', `${to}'s breaker opened at step ${i + 1}; every provider is down`);
        }
        await apply(moved, 'degraded', `${to} failed mid-${kind}`);
        return finish(
          'completed',
          `${to}'s breaker opened at step ${i + 1}: moved to ${Object.keys(moved).join(', ')} at once`,
        );
      }
      const rec = await apply(plan[i].weights, 'degraded', `${kind} step ${i + 1}/${plan.length}`);
      await sleep(stepDelayMs);
      const check = await validate(to);
      rec.validated = [{ provider: to, ...check }];
      if (!check.healthy) {
        safe = null;
        await apply(initial, startMode, `${kind} rolled back: ${check.detail}`);
        return finish('rolled_back', `validation of ${to} failed at step ${i + 1}: ${check.detail}`);
      }
    }
    safe = null;
    return finish('completed', `${kind} completed in ${plan.length} step(s)`);
  }

  /**
   * Failback 10 → 25 → 50 → 75 → 100 % of the way from the failover route to the configured weights,
   * recomputed at every step without providers whose breaker is open. Any failure (validation, or the
   * returning provider's breaker) returns to the failover route: the returning provider keeps nothing.
   */
  async function failback(
    returning: string | undefined,
    configured: Weights,
    providers: string[],
    percents: readonly number[],
  ): Promise<ShiftResult> {
    const startMode = mode;
    safe = { weights: initial, mode: startMode, why: 'failback stopped: back to the failover route' };
    for (let i = 0; i < percents.length; i++) {
      const open = await openNow();
      if (returning && open.includes(returning))
        return stopBack(`${returning}'s breaker is open again at step ${i + 1}`);
      const target = failbackTarget(configured, providers, open);
      if (!target) return stopBack(`no healthy provider to fail back to at step ${i + 1}`);
      const weights = interpolateWeights(initial, target, percents[i]);
      const last = i === percents.length - 1;
      const rec = await apply(
        weights,
        last && sameWeights(weights, configured) ? 'normal' : 'degraded',
        `failback step ${i + 1}/${percents.length}`,
      );
      if (returning && req.evidence) {
        // Users' outcomes since the step decide sooner than the probe: clean → next step, failing → back.
        const { verdict, detail } = await stepEvidence(returning, Date.now());
        if (verdict === 'failing') {
          rec.validated = [{ provider: returning, healthy: false, detail }];
          return stopBack(`${returning} failed its users at step ${i + 1}: ${detail}`);
        }
        if (verdict === 'clean') {
          rec.validated = [{ provider: returning, healthy: true, detail }];
          continue;
        }
      } else await sleep(stepDelayMs);
      if (!returning) continue;
      const check = await validate(returning);
      rec.validated = [{ provider: returning, ...check }];
      if (!check.healthy) return stopBack(`validation of ${returning} failed at step ${i + 1}: ${check.detail}`);
    }
    safe = null;
    return finish(
      'completed',
      `failback completed in ${percents.length} step(s)${sameWeights(current, configured) ? '' : ' (providers with an open breaker kept out)'}`,
    );

    async function stopBack(detail: string): Promise<ShiftResult> {
      safe = null;
      if (!sameWeights(current, initial)) await apply(initial, startMode, `failback stopped: ${detail}`);
      return finish('stopped', detail);
    }
  }

  /**
   * Waits `evidence.stepMs` at a time until the step's own outcomes are clean or failing, at most the
   * step delay in all (then `thin`: the validation probe decides, as without evidence).
   */
  async function stepEvidence(provider: string, since: number): Promise<{ verdict: StepEvidence; detail: string }> {
    const ev = req.evidence!;
    let waited = 0;
    while (waited < stepDelayMs) {
      const pause = Math.min(ev.stepMs, stepDelayMs - waited);
      await sleep(pause);
      waited += pause;
      const e = await evidenceOf(provider, since);
      const verdict = judgeStep(e, ev);
      if (verdict !== 'thin' && e) return { verdict, detail: `outcomes: ${e.errors} of ${e.attempts} attempts failed` };
    }
    return { verdict: 'thin', detail: 'too few outcomes' };
  }

  async function evidenceOf(provider: string, sinceMs: number): Promise<ProviderEvidence | null> {
    try {
      return await evidenceActs.providerEvidence({ provider, sinceMs });
    } catch (err) {
      if (isCancellation(err)) throw err;
      return null;
    }
  }

  async function openNow(): Promise<string[]> {
    return (await acts.shiftContext({ chain: req.chain })).unhealthy;
  }

  /** A validation probe; one that cannot run counts as a failed validation. */
  async function validate(provider: string): Promise<{ healthy: boolean; detail: string }> {
    try {
      return await acts.validateProvider({ provider });
    } catch (err) {
      if (isCancellation(err)) throw err;
      return { healthy: false, detail: `validation could not run: ${(err as Error).message}` };
    }
  }

  /**
   * Once `provider` has passed every check (and its breaker is closed) for `healthyForMs` → 'probes';
   * sooner when users' attempts since it became healthy all succeeded → 'evidence'; false: not within the wait.
   */
  async function healthyFor(provider: string, r: ShiftRequest): Promise<'probes' | 'evidence' | false> {
    const needed = r.healthyForMs ?? 0;
    const every = r.healthCheckEveryMs ?? 10_000;
    const maxWait = r.maxWaitMs ?? 30 * 60_000;
    const ev = r.evidence;
    let healthySince: number | null = null;
    let waited = 0;
    for (;;) {
      const c = await validate(provider);
      const ok = c.healthy && !(await openNow()).includes(provider);
      const t = Date.now();
      healthySince = ok ? (healthySince ?? t) : null;
      if (healthySince !== null && t - healthySince >= needed) return 'probes';
      // Users' attempts since it became healthy, all successful: ready now (probes alone wait `needed`).
      if (healthySince !== null && ev && readyOnEvidence(await evidenceOf(provider, healthySince), ev))
        return 'evidence';
      if (waited >= maxWait) return false;
      // With evidence to read, look again sooner than the probe cadence.
      const pause = ev ? Math.min(every, ev.stepMs) : every;
      await sleep(pause);
      waited += pause;
    }
  }
}
