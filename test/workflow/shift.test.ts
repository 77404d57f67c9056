// trafficShiftWorkflow with the real routingWorkflow on the time-skipping server; activities are small
// fakes (route changes go through real Updates). The step timers are skipped, not slept.
import { Worker } from '@temporalio/worker';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { RoutingActivities, ShiftActivities } from '../../activities/types';
import { getRoute, setRouteWeights } from '../../client/routes';
import { routingWorkflowId, shiftWorkflowId, type RouteState, type ShiftRequest, type ShiftResult } from '../../workflows/messages';
import { useTimeSkippingEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const testEnv = useTimeSkippingEnv();

const CHAIN = ['openai', 'anthropic', 'bedrock'];

/** health(provider, nth validation of it) → healthy? */
type Health = (provider: string, n: number) => boolean;

function fakes(opts: { health?: Health; unhealthy?: string[]; configured?: Record<string, number> } = {}) {
  const published: RouteState[] = [];
  const validations: string[] = [];
  const counts: Record<string, number> = {};
  const activities: RoutingActivities & ShiftActivities = {
    async publishRoute(route) {
      published.push(route);
      return { published: ['table'] };
    },
    async shiftContext({ chain }) {
      return { route: await getRoute(testEnv().client, chain), configured: opts.configured ?? { openai: 100 }, unhealthy: opts.unhealthy ?? [] };
    },
    async applyRouteStep({ chain, request, updateId }) {
      return setRouteWeights(testEnv().client, chain, request, updateId);
    },
    async validateProvider({ provider }) {
      counts[provider] = (counts[provider] ?? 0) + 1;
      const healthy = (opts.health ?? (() => true))(provider, counts[provider]);
      validations.push(`${provider}:${healthy ? 'ok' : 'fail'}`);
      return { healthy, detail: healthy ? 'HTTP 200' : 'HTTP 503' };
    },
  };
  return { activities, published, validations };
}

async function stop(chain: string): Promise<void> {
  await testEnv().client.workflow.getHandle(routingWorkflowId(chain)).terminate('test done').catch(() => undefined);
}

let seq = 0;
async function run(weights: Record<string, number>, req: Omit<ShiftRequest, 'chain' | 'reason' | 'by'>, f: ReturnType<typeof fakes>) {
  const taskQueue = `tq-shift-${++seq}`;
  const chain = `chain${seq}`;
  const worker = await Worker.create({ connection: testEnv().nativeConnection, taskQueue, workflowBundle: workflowBundle(), activities: f.activities });
  return worker.runUntil(async () => {
    await testEnv().client.workflow.start('routingWorkflow', {
      taskQueue,
      workflowId: routingWorkflowId(chain),
      args: [{ id: chain, providers: CHAIN, weights, mode: 'normal', version: 1, updatedAt: new Date().toISOString() }],
    });
    const result = (await testEnv().client.workflow.execute('trafficShiftWorkflow', {
      taskQueue,
      workflowId: shiftWorkflowId(chain),
      args: [{ chain, reason: 'test', by: 'tester', stepDelayMs: 120_000, ...req }],
    })) as ShiftResult;
    // The route as last published (querying the routingWorkflow afterwards would race the test server's
    // time skipping, which may already have run it into its execution timeout).
    const route = f.published[f.published.length - 1];
    await stop(chain);
    return { result, route, weights: f.published.slice(1).map((r) => r.weights) };
  });
}

test('canary: 5 → 10 → 25 %, validation fails, rolled back to the original weights', async () => {
  const f = fakes({ health: (p, n) => !(p === 'bedrock' && n === 3) });
  const { result, route, weights } = await run({ openai: 100 }, { kind: 'canary', from: 'openai', to: 'bedrock' }, f);
  expect(result.outcome).toBe('rolled_back');
  expect(result.detail).toContain('step 3');
  expect(weights).toEqual([
    { openai: 95, bedrock: 5 },
    { openai: 90, bedrock: 10 },
    { openai: 75, bedrock: 25 },
    { openai: 100 },
  ]);
  expect(route).toMatchObject({ weights: { openai: 100 }, mode: 'normal', version: 5 });
  expect(f.validations).toEqual(['bedrock:ok', 'bedrock:ok', 'bedrock:fail']);
});

test('gradual: 50 → 25 → 0 % left on the source, validated between steps', async () => {
  const f = fakes();
  const { result, route, weights } = await run({ openai: 100 }, { kind: 'gradual', from: 'openai' }, f);
  expect(result.outcome).toBe('completed');
  expect(weights).toEqual([{ openai: 50, anthropic: 50 }, { openai: 25, anthropic: 75 }, { anthropic: 100 }]);
  expect(route.mode).toBe('degraded');
  expect(f.validations).toEqual(['anthropic:ok', 'anthropic:ok', 'anthropic:ok']);
});

test('immediate skips providers that are down, in chain order', async () => {
  const { result, route } = await run({ openai: 100 }, { kind: 'immediate', from: 'openai' }, fakes({ unhealthy: ['anthropic'] }));
  expect(result.outcome).toBe('completed');
  expect(route).toMatchObject({ weights: { bedrock: 100 }, mode: 'degraded' });
});

test('every provider of the chain down → emergency mode, weights kept', async () => {
  const { result, route } = await run({ openai: 100 }, { kind: 'immediate', from: 'openai' }, fakes({ unhealthy: ['anthropic', 'bedrock'] }));
  expect(result.outcome).toBe('emergency');
  expect(route).toMatchObject({ weights: { openai: 100 }, mode: 'emergency' });
});

test('breaker-aware: a provider whose breaker is open is refused as a target', async () => {
  const f = fakes({ unhealthy: ['bedrock'] });
  const { result, weights } = await run({ openai: 100 }, { kind: 'canary', from: 'openai', to: 'bedrock' }, f);
  expect(result).toMatchObject({ outcome: 'noop', detail: 'refused: breaker open for bedrock' });
  expect(weights).toEqual([]);
  const set = await run({ openai: 100 }, { kind: 'set', weights: { openai: 50, bedrock: 50 } }, fakes({ unhealthy: ['bedrock'] }));
  expect(set.result.outcome).toBe('noop');
});

test('failback waits until the provider has been healthy long enough, then 10 → 25 → 50 → 75 → 100 %', async () => {
  // Unhealthy on the first two checks, then healthy: with checks every 10 s, 30 s of health needs 4 more.
  const f = fakes({ health: (p, n) => n > 2 });
  const { result, route, weights } = await run(
    { anthropic: 100 },
    { kind: 'failback', from: 'openai', healthyForMs: 30_000, healthCheckEveryMs: 10_000 },
    f,
  );
  expect(result.outcome).toBe('completed');
  expect(f.validations.slice(0, 6)).toEqual(['openai:fail', 'openai:fail', 'openai:ok', 'openai:ok', 'openai:ok', 'openai:ok']);
  expect(weights.map((w) => w.openai ?? 0)).toEqual([10, 25, 50, 75, 100]);
  expect(route).toMatchObject({ weights: { openai: 100 }, mode: 'normal' });
});

test('failback stops on a failed validation and keeps the last validated step', async () => {
  // Healthy for the wait and the first two steps, then fails the third step's validation.
  const f = fakes({ health: (p, n) => n !== 4 });
  const { result, route, weights } = await run({ anthropic: 100 }, { kind: 'failback', from: 'openai', healthyForMs: 0 }, f);
  expect(result.outcome).toBe('stopped');
  expect(weights.map((w) => w.openai ?? 0)).toEqual([10, 25, 50, 25]);
  expect(route).toMatchObject({ weights: { anthropic: 75, openai: 25 }, mode: 'degraded' });
});

test('a second shift of a chain is refused while one runs: shifts never interleave', async () => {
  const f = fakes();
  const taskQueue = 'tq-shift-lock';
  const worker = await Worker.create({ connection: testEnv().nativeConnection, taskQueue, workflowBundle: workflowBundle(), activities: f.activities });
  await worker.runUntil(async () => {
    await testEnv().client.workflow.start('routingWorkflow', {
      taskQueue,
      workflowId: routingWorkflowId('locked'),
      args: [{ id: 'locked', providers: CHAIN, weights: { openai: 100 }, mode: 'normal', version: 1, updatedAt: new Date().toISOString() }],
    });
    const canary = await testEnv().client.workflow.start('trafficShiftWorkflow', {
      taskQueue,
      workflowId: shiftWorkflowId('locked'),
      args: [{ chain: 'locked', kind: 'canary', from: 'openai', to: 'bedrock', stepDelayMs: 120_000, reason: 'auto', by: 'lifeline' }],
    });
    await waitFor(() => getRoute(testEnv().client, 'locked'), (r) => r.version >= 2, 'first canary step');
    await expect(
      testEnv().client.workflow.start('trafficShiftWorkflow', {
        taskQueue,
        workflowId: shiftWorkflowId('locked'),
        args: [{ chain: 'locked', kind: 'set', weights: { anthropic: 100 }, reason: 'operator', by: 'sam' }],
      }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const done = (await canary.result()) as ShiftResult;
    expect(done.outcome).toBe('completed');
    // Only the canary's steps reached the route: the operator's weights never interleaved.
    expect(f.published.slice(1).map((r) => r.weights.bedrock)).toEqual([5, 10, 25, 50, 75, 100]);
    await stop('locked');
  });
});
