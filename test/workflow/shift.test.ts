// trafficShiftWorkflow queued at the real routingWorkflow on a local dev server; activities are small
// fakes (route changes go through real Updates). Step delays and health-check intervals are made short
// (milliseconds) rather than skipped: the sequence of steps, not the wall-clock length, is under test.
import type { RoutingActivities, ShiftActivities } from '../../activities/types';
import { getRoute, setRouteWeights } from '../../client/routes';
import { startShift } from '../../client/shifts';
import { routingWorkflowId, shiftQueueQuery, type RouteState, type ShiftRequest } from '../../workflows/messages';
import { useLocalEnv } from '../helpers/temporal';
import { withRoutingEntity } from '../helpers/routing-entity';
import { waitFor } from '../helpers/wait';
import { shiftResult as shiftResultOf } from '../helpers/shift-result';

const testEnv = useLocalEnv();

/** Short stand-ins for the production step delay (2 min) and failback health checks (10 s). */
const STEP_MS = 20;
const CHECK_MS = 100;

/** health(provider, nth validation of it) → healthy? */
type Health = (provider: string, n: number) => boolean;

function fakes(
  opts: { health?: Health; unhealthy?: string[] | ((n: number) => string[]); configured?: Record<string, number> } = {},
) {
  let contexts = 0;
  const unhealthyNow = () =>
    typeof opts.unhealthy === 'function' ? opts.unhealthy(++contexts) : (opts.unhealthy ?? []);
  const published: RouteState[] = [];
  const validations: string[] = [];
  const counts: Record<string, number> = {};
  const activities: RoutingActivities & ShiftActivities = {
    async publishRoute(route) {
      published.push(route);
      return { published: ['table'] };
    },
    async shiftContext({ chain }) {
      return {
        route: await getRoute(testEnv().client, chain),
        configured: opts.configured ?? { openai: 100 },
        unhealthy: unhealthyNow(),
      };
    },
    async applyRouteStep({ chain, request, updateId }) {
      return setRouteWeights(testEnv().client, chain, request, updateId);
    },
    async providerEvidence() {
      return null;
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

/** A shift's result; a queued shift's workflow exists only once the routing entity has started it. */
const shiftResult = (workflowId: string) => shiftResultOf(testEnv().client, workflowId);

let seq = 0;
async function run(
  weights: Record<string, number>,
  req: Omit<ShiftRequest, 'chain' | 'reason' | 'by'>,
  f: ReturnType<typeof fakes>,
) {
  const chain = `chain${++seq}`;
  return withRoutingEntity(
    chain,
    weights,
    async (taskQueue) => {
      const shift = { chain, reason: 'test', by: 'tester', stepDelayMs: STEP_MS, ...req };
      const result = await shiftResult((await startShift(testEnv().client, taskQueue, shift)).workflowId);
      // The route as last published (querying the routingWorkflow afterwards would race the test server's
      // time skipping, which may already have run it into its execution timeout).
      const route = f.published[f.published.length - 1];
      return { result, route, weights: f.published.slice(1).map((r) => r.weights) };
    },
    { env: testEnv(), activities: f.activities },
  );
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
  const { result, route } = await run(
    { openai: 100 },
    { kind: 'immediate', from: 'openai' },
    fakes({ unhealthy: ['anthropic'] }),
  );
  expect(result.outcome).toBe('completed');
  expect(route).toMatchObject({ weights: { bedrock: 100 }, mode: 'degraded' });
});

test('every provider of the chain down → emergency mode, weights kept', async () => {
  const { result, route } = await run(
    { openai: 100 },
    { kind: 'immediate', from: 'openai' },
    fakes({ unhealthy: ['anthropic', 'bedrock'] }),
  );
  expect(result.outcome).toBe('emergency');
  expect(route).toMatchObject({ weights: { openai: 100 }, mode: 'emergency' });
});

test('breaker-aware: a provider whose breaker is open is refused as a target', async () => {
  const f = fakes({ unhealthy: ['bedrock'] });
  const { result, weights } = await run({ openai: 100 }, { kind: 'canary', from: 'openai', to: 'bedrock' }, f);
  expect(result).toMatchObject({ outcome: 'noop', detail: 'refused: breaker open for bedrock' });
  expect(weights).toEqual([]);
  const set = await run(
    { openai: 100 },
    { kind: 'set', weights: { openai: 50, bedrock: 50 } },
    fakes({ unhealthy: ['bedrock'] }),
  );
  expect(set.result.outcome).toBe('noop');
});

test('failback waits until the provider has been healthy long enough, then 10 → 25 → 50 → 75 → 100 %', async () => {
  // Unhealthy on the first two checks, then healthy: with a check every CHECK_MS, 3 × CHECK_MS of health
  // needs 4 more (the sixth validation is either the last wait check or the first step's).
  const f = fakes({ health: (p, n) => n > 2 });
  const { result, route, weights } = await run(
    { anthropic: 100 },
    { kind: 'failback', from: 'openai', healthyForMs: 3 * CHECK_MS, healthCheckEveryMs: CHECK_MS },
    f,
  );
  expect(result.outcome).toBe('completed');
  expect(f.validations.slice(0, 6)).toEqual([
    'openai:fail',
    'openai:fail',
    'openai:ok',
    'openai:ok',
    'openai:ok',
    'openai:ok',
  ]);
  expect(weights.map((w) => w.openai ?? 0)).toEqual([10, 25, 50, 75, 100]);
  expect(route).toMatchObject({ weights: { openai: 100 }, mode: 'normal' });
});

test('failback stops on a failed validation and returns to the failover route (nothing left on the provider)', async () => {
  // Healthy for the wait and the first two steps, then fails the third step's validation.
  const f = fakes({ health: (p, n) => n !== 4 });
  const { result, route, weights } = await run(
    { anthropic: 100 },
    { kind: 'failback', from: 'openai', healthyForMs: 0 },
    f,
  );
  expect(result.outcome).toBe('stopped');
  expect(weights.map((w) => w.openai ?? 0)).toEqual([10, 25, 50, 0]);
  expect(route).toMatchObject({ weights: { anthropic: 100 }, mode: 'normal' });
});

test('failback never gives weight to a provider whose breaker is open: its share goes to the next healthy one', async () => {
  // Configured openai 60 / anthropic 40; traffic is on bedrock; anthropic's breaker opens at step 3.
  const f = fakes({ configured: { openai: 60, anthropic: 40 }, unhealthy: (n) => (n >= 5 ? ['anthropic'] : []) });
  const { result, weights } = await run({ bedrock: 100 }, { kind: 'failback', from: 'openai', healthyForMs: 0 }, f);
  expect(result.outcome).toBe('completed');
  // Every step after the breaker opened gives anthropic less than (or as much as) it had, never more.
  const anthropic = weights.map((w) => w.anthropic ?? 0);
  expect(anthropic.slice(0, 2)).toEqual([4, 10]);
  for (let i = 2; i < anthropic.length; i++) expect(anthropic[i]).toBeLessThanOrEqual(anthropic[i - 1]);
  expect(weights[weights.length - 1]).toEqual({ openai: 60, bedrock: 40 });
  expect(result.detail).toContain('open breaker kept out');
});

test("failback stops, back to the failover route, when the returning provider's breaker opens mid-way", async () => {
  const f = fakes({ unhealthy: (n) => (n >= 4 ? ['openai'] : []) });
  const { result, route } = await run({ anthropic: 100 }, { kind: 'failback', from: 'openai', healthyForMs: 0 }, f);
  expect(result).toMatchObject({ outcome: 'stopped' });
  expect(result.detail).toMatch(/openai's breaker is open again/);
  expect(route.weights).toEqual({ anthropic: 100 });
});

test('shifts of a chain queue at the routing entity: the second waits its turn, never interleaves, both complete', async () => {
  const f = fakes();
  await withRoutingEntity(
    'queued',
    { openai: 100 },
    async (taskQueue) => {
      // Steps of a second: the canary is still running when the operator's shift is queued behind it.
      const canary = await startShift(testEnv().client, taskQueue, {
        chain: 'queued',
        kind: 'canary',
        from: 'openai',
        to: 'bedrock',
        stepDelayMs: 1_000,
        reason: 'auto',
        by: 'lifeline',
      });
      const set = await startShift(
        testEnv().client,
        taskQueue,
        { chain: 'queued', kind: 'set', weights: { anthropic: 100 }, reason: 'operator', by: 'sam' },
        { id: 'op-1' },
      );
      expect(canary.position).toBe(0);
      expect(set).toMatchObject({ id: 'op-1', position: 1, workflowId: 'shift-queued-op-1' });
      // The same request again (a retried HTTP call) is the same shift, not a third one.
      expect(
        await startShift(
          testEnv().client,
          taskQueue,
          { chain: 'queued', kind: 'set', weights: { anthropic: 100 }, reason: 'operator', by: 'sam' },
          { id: 'op-1' },
        ),
      ).toMatchObject({ id: 'op-1' });
      expect((await shiftResult(canary.workflowId)).outcome).toBe('completed');
      expect((await shiftResult(set.workflowId)).outcome).toBe('completed');
      // The canary's steps, then the operator's weights: never interleaved.
      expect(f.published.slice(1).map((r) => r.weights)).toEqual([
        { openai: 95, bedrock: 5 },
        { openai: 90, bedrock: 10 },
        { openai: 75, bedrock: 25 },
        { openai: 50, bedrock: 50 },
        { openai: 25, bedrock: 75 },
        { bedrock: 100 },
        { anthropic: 100 },
      ]);
      // The entity records a shift's result when the shift's `shiftDone` signal reaches it, just after the
      // shift's own result is visible: await it rather than read once.
      const q = await waitFor(
        () => testEnv().client.workflow.getHandle(routingWorkflowId('queued')).query(shiftQueueQuery),
        (x) => x.recent.length >= 2,
        'both results recorded at the entity',
      );
      expect(q.recent.map((r) => r.result.outcome)).toEqual(['completed', 'completed']);
    },
    { env: testEnv(), activities: f.activities },
  );
});

/** A failback of openai (shift id `fb`) with ten-minute steps, as slow as a cautious production one, past its first step. */
async function slowFailbackUnderWay(chain: string, taskQueue: string) {
  const shift = { chain, kind: 'failback', from: 'openai', healthyForMs: 0, stepDelayMs: 600_000 } as const;
  const back = await startShift(
    testEnv().client,
    taskQueue,
    { ...shift, reason: 'auto', by: 'lifeline' },
    { id: 'fb' },
  );
  await waitFor(
    () => getRoute(testEnv().client, chain),
    (r) => r.version >= 2,
    'first failback step',
  );
  return back;
}

test('a shift stopped mid-way leaves a safe route, not an intermediate one', async () => {
  const f = fakes();
  await withRoutingEntity(
    'stopped',
    { anthropic: 100 },
    async (taskQueue) => {
      const back = await slowFailbackUnderWay('stopped', taskQueue);
      expect((await getRoute(testEnv().client, 'stopped')).weights).toEqual({ anthropic: 90, openai: 10 });
      await testEnv()
        .client.workflow.getHandle(routingWorkflowId('stopped'))
        .signal('cancelShift', { id: 'fb', reason: 'openai failed again' });
      const r = await shiftResult(back.workflowId);
      expect(r).toMatchObject({ outcome: 'cancelled', detail: 'stopped: openai failed again' });
      expect(f.published[f.published.length - 1]).toMatchObject({ weights: { anthropic: 100 }, mode: 'degraded' });
    },
    { env: testEnv(), activities: f.activities, mode: 'degraded' },
  );
});

test('a failover never waits behind a failback: the running failback is stopped, the failover runs next', async () => {
  const f = fakes();
  await withRoutingEntity(
    'preempt',
    { anthropic: 100 },
    async (taskQueue) => {
      // openai is failing back with ten-minute steps...
      const back = await slowFailbackUnderWay('preempt', taskQueue);
      // ...when anthropic, which carries most of the traffic, fails.
      const off = await startShift(
        testEnv().client,
        taskQueue,
        { chain: 'preempt', kind: 'immediate', from: 'anthropic', reason: 'anthropic failed', by: 'lifeline' },
        { id: 'fo' },
      );
      expect(off.position).toBe(1); // next, not behind anything else
      const stopped = await shiftResult(back.workflowId);
      expect(stopped.outcome).toBe('cancelled');
      expect(stopped.detail).toMatch(/preempted: immediate failover requested \(anthropic failed\)/);
      expect((await shiftResult(off.workflowId)).outcome).toBe('completed');
      const last = f.published[f.published.length - 1];
      expect(last.weights.anthropic ?? 0).toBe(0);
      expect(Object.values(last.weights).reduce((a, b) => a + b, 0)).toBe(100);
    },
    { env: testEnv(), activities: f.activities, mode: 'degraded' },
  );
});
