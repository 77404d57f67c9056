// Evidence-based failback: the trafficShiftWorkflow reads users' outcomes at the returning provider
// (providerEvidence, a query of its monitor) to skip the healthy wait and step every `evidence.stepMs`;
// without outcomes it keeps the configured waits, and a failing step goes back to the failover route.
// Real routingWorkflow on a local dev server; activities are small fakes; waits are milliseconds.
import { Worker } from '@temporalio/worker';
import type { RoutingActivities, ShiftActivities } from '../../activities/types';
import { getRoute, setRouteWeights } from '../../client/routes';
import { startShift } from '../../client/shifts';
import type { ProviderEvidence } from '../../domain/provider-evidence';
import { routingWorkflowId, type RouteState, type ShiftRequest } from '../../workflows/messages';
import { useLocalEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { shiftResult } from '../helpers/shift-result';

const testEnv = useLocalEnv();

const EVIDENCE = { minRequests: 5, stepMs: 50 };
const CHAIN = ['openai', 'anthropic'];

/** evidence(nth read) → what the monitor would answer. */
function fakes(evidence: (n: number) => ProviderEvidence | null) {
  const published: RouteState[] = [];
  const validations: number[] = [];
  const reads: number[] = [];
  const activities: RoutingActivities & ShiftActivities = {
    async publishRoute(route) {
      published.push(route);
      return { published: ['table'] };
    },
    async shiftContext({ chain }) {
      return { route: await getRoute(testEnv().client, chain), configured: { openai: 100 }, unhealthy: [] };
    },
    async applyRouteStep({ chain, request, updateId }) {
      return setRouteWeights(testEnv().client, chain, request, updateId);
    },
    async providerEvidence({ sinceMs }) {
      reads.push(sinceMs);
      return evidence(reads.length);
    },
    async validateProvider() {
      validations.push(Date.now());
      return { healthy: true, detail: 'HTTP 200' };
    },
  };
  return { activities, published, validations, reads };
}

const seen = (attempts: number, errors = 0): ProviderEvidence => ({
  attempts,
  errors,
  errorShare: 0.5,
  windowMs: 10_000,
});

let seq = 0;
/** `during`, if given, runs once the failback has started (an operator acting mid-way); its result is returned. */
async function run<T = undefined>(
  req: Omit<ShiftRequest, 'chain' | 'reason' | 'by' | 'kind'>,
  f: ReturnType<typeof fakes>,
  during?: (at: { chain: string; taskQueue: string }) => Promise<T>,
) {
  const taskQueue = `tq-shift-evidence-${++seq}`;
  const chain = `evchain${seq}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: f.activities,
  });
  return worker.runUntil(async () => {
    await testEnv().client.workflow.start('routingWorkflow', {
      taskQueue,
      workflowId: routingWorkflowId(chain),
      args: [
        {
          id: chain,
          providers: CHAIN,
          weights: { anthropic: 100 },
          mode: 'degraded',
          version: 1,
          updatedAt: new Date().toISOString(),
        },
      ],
    });
    const t0 = Date.now();
    const started = await startShift(testEnv().client, taskQueue, {
      chain,
      kind: 'failback',
      from: 'openai',
      reason: 'test',
      by: 'tester',
      ...req,
    });
    const meanwhile = await during?.({ chain, taskQueue });
    const result = await shiftResult(testEnv().client, started.workflowId);
    const tookMs = Date.now() - t0;
    await testEnv()
      .client.workflow.getHandle(routingWorkflowId(chain))
      .terminate('test done')
      .catch(() => undefined);
    return {
      result,
      meanwhile,
      tookMs,
      route: f.published[f.published.length - 1],
      weights: f.published.slice(1).map((r) => r.weights),
    };
  });
}

test('clean evidence: ready at once, no 10 % step, a step every evidence.stepMs, not the configured waits', async () => {
  const f = fakes(() => seen(6));
  // Without evidence this would take 10 min of health plus 5 × 1 min of steps.
  const { result, tookMs, route, weights } = await run(
    { healthyForMs: 600_000, healthCheckEveryMs: 60_000, stepDelayMs: 60_000, evidence: EVIDENCE },
    f,
  );
  expect(result.outcome).toBe('completed');
  // Ready on users' trials (about a quarter of the traffic), so the first step is 25 %, not 10 %.
  expect(weights.map((w) => w.openai ?? 0)).toEqual([25, 50, 75, 100]);
  expect(result.detail).toBe('failback completed in 4 step(s)');
  expect(route).toMatchObject({ weights: { openai: 100 }, mode: 'normal' });
  expect(result.steps.every((s) => s.validated?.[0].detail === 'outcomes: 0 of 6 attempts failed')).toBe(true);
  // The evidence is the validation: one probe (the healthy check), none between steps.
  expect(f.validations).toHaveLength(1);
  // About 4 × stepMs (plus activity and task round trips), far below one stepDelayMs.
  const span = Date.parse(result.steps[3].at) - Date.parse(result.steps[0].at);
  expect(span).toBeGreaterThanOrEqual(3 * EVIDENCE.stepMs);
  expect(tookMs).toBeLessThan(20_000);
});

test("ready on the probes' healthy wait, not on trials: the 10 % step stays, clean steps still go faster", async () => {
  const f = fakes(() => seen(6));
  // healthyForMs 0: the first passing check makes it ready before any evidence is read.
  const { result, weights, tookMs } = await run(
    { healthyForMs: 0, healthCheckEveryMs: 60_000, stepDelayMs: 60_000, evidence: EVIDENCE },
    f,
  );
  expect(result.outcome).toBe('completed');
  expect(weights.map((w) => w.openai ?? 0)).toEqual([10, 25, 50, 75, 100]);
  expect(f.reads).toHaveLength(5);
  expect(tookMs).toBeLessThan(20_000);
});

test('too few outcomes: the healthy wait and the step delay stay as configured, probes validate', async () => {
  const f = fakes(() => seen(2));
  const healthyForMs = 600;
  const stepDelayMs = 400;
  const { result, weights } = await run(
    { healthyForMs, healthCheckEveryMs: 200, stepDelayMs, evidence: { ...EVIDENCE, stepMs: 200 } },
    f,
  );
  expect(result.outcome).toBe('completed');
  expect(weights.map((w) => w.openai ?? 0)).toEqual([10, 25, 50, 75, 100]);
  // The first step only after healthyForMs of checks; each step a full stepDelayMs after the last.
  expect(f.validations[f.validations.length - 5] - f.validations[0]).toBeGreaterThanOrEqual(healthyForMs);
  const at = result.steps.map((s) => Date.parse(s.at));
  for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(stepDelayMs);
  expect(result.steps.every((s) => s.validated?.[0].detail === 'HTTP 200')).toBe(true);
  expect(f.reads.length).toBeGreaterThan(0);
});

test('a failure in the evidence mid-failback stops it, back on the failover route', async () => {
  // Reads: 1 = the healthy check (clean), 2-3 = steps 1-2 (25, 50 %: clean), 4 = step 3 (75 %): 3 of 5 failed.
  const f = fakes((n) => (n >= 4 ? seen(5, 3) : seen(6)));
  const { result, route, weights } = await run(
    { healthyForMs: 600_000, healthCheckEveryMs: 60_000, stepDelayMs: 60_000, evidence: EVIDENCE },
    f,
  );
  expect(result.outcome).toBe('stopped');
  expect(result.detail).toMatch(/openai failed its users at step 3: outcomes: 3 of 5 attempts failed/);
  expect(weights.map((w) => w.openai ?? 0)).toEqual([25, 50, 75, 0]);
  expect(route).toMatchObject({ weights: { anthropic: 100 }, mode: 'degraded' });
});

test("an operator's failover mid-way stops an evidence failback at once; the failover runs next", async () => {
  // Clean evidence, but a step only every minute: the failback sits at 25 % when the operator acts.
  const f = fakes(() => seen(6));
  const { result, meanwhile, route, weights } = await run(
    {
      healthyForMs: 600_000,
      healthCheckEveryMs: 60_000,
      stepDelayMs: 60_000,
      evidence: { ...EVIDENCE, stepMs: 60_000 },
    },
    f,
    async ({ chain, taskQueue }) => {
      await waitFor(
        () => getRoute(testEnv().client, chain),
        (r) => r.weights.openai === 25,
        'the first 25 % step',
      );
      const op = await startShift(
        testEnv().client,
        taskQueue,
        { chain, kind: 'immediate', from: 'openai', reason: 'errors again on the dashboard', by: 'oncall' },
        { id: 'op-failover' },
      );
      return {
        position: op.position,
        result: await shiftResult(testEnv().client, op.workflowId),
      };
    },
  );
  expect(meanwhile!.position).toBe(1); // next, not behind the failback's remaining minutes
  expect(result.outcome).toBe('cancelled');
  expect(result.detail).toMatch(/preempted: immediate failover requested \(errors again on the dashboard\)/);
  // The stopped failback already put traffic back on the failover route: the operator's failover finds
  // openai at 0 and has nothing left to move.
  expect(meanwhile!.result.outcome).toBe('noop');
  // 25 % was the failback's only step.
  expect(weights[0]).toEqual({ anthropic: 75, openai: 25 });
  expect(weights.slice(1).every((w) => (w.openai ?? 0) === 0)).toBe(true);
  expect(route.weights).toEqual({ anthropic: 100 });
});
