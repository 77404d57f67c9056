// rolloutWorkflow against the real routingWorkflow and trafficShiftWorkflow on a local dev server (its
// steps go through the chain's shift queue); the gate is a scripted fake, holds are milliseconds. What is
// under test: the order of the steps, the rollback to the starting weights on a failed gate or an abort,
// the known-answer verdict failing a gate, and one rollout per ID.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import type { RolloutActivities, RoutingActivities, ShiftActivities } from '../../activities/types';
import { getRoute, setRouteWeights } from '../../client/routes';
import { RolloutStore } from '../../client/rollout-store';
import { RolloutConflict, startRollout } from '../../client/rollouts';
import { answerMatches, judgeGate, type RolloutReport } from '../../domain/rollout';
import { FileDocumentStore } from '../../store';
import {
  abortRolloutUpdate,
  rolloutReportQuery,
  rolloutWorkflowId,
  routingWorkflowId,
  type RolloutInput,
  type RouteState,
} from '../../workflows/messages';
import { useLocalEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const testEnv = useLocalEnv();
const GATES = { maxErrorShare: 0.05, maxP95Ms: 1000, minSamples: 3 };

/** gate(n, knownAnswer?) → the nth gate's samples' health and the model's answer. */
interface Script {
  healthy?: (n: number) => boolean;
  answer?: string;
  /** Runs inside the nth gate (e.g. someone else changing the chain meanwhile). */
  during?: (n: number) => Promise<void>;
}

function fakes(store: RolloutStore, script: Script = {}) {
  const published: RouteState[] = [];
  const gates: number[] = [];
  const activities: RoutingActivities & ShiftActivities & RolloutActivities = {
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
    async providerEvidence() {
      return null;
    },
    async validateProvider() {
      return { healthy: true, detail: 'HTTP 200' };
    },
    async rolloutContext({ chain }) {
      return { route: await getRoute(testEnv().client, chain), unhealthy: [] };
    },
    async rolloutGate(req) {
      gates.push(req.sinceMs);
      await script.during?.(gates.length);
      const ok = (script.healthy ?? (() => true))(gates.length);
      const samples = Array.from({ length: 4 }, () => ({ ok, latencyMs: ok ? 120 : 900 }));
      // The known-answer verdict as the real activity reaches it: the answer must contain the expected text.
      const knownAnswer = req.knownAnswer
        ? {
            passed: answerMatches(script.answer ?? '', req.knownAnswer.expect),
            detail: `answered ${JSON.stringify(script.answer ?? '')}`,
          }
        : undefined;
      return judgeGate(samples, req.gates, {
        fromMonitor: 4,
        ...(knownAnswer ? { knownAnswer } : {}),
        at: new Date().toISOString(),
      });
    },
    async saveRolloutReport(report) {
      await store.put(report);
    },
  };
  return { activities, published, gates };
}

let seq = 0;
const newStore = () => new RolloutStore(Promise.resolve(new FileDocumentStore(mkdtempSync(join(tmpdir(), 'ro-')))));

async function withChain<T>(
  f: ReturnType<typeof fakes>,
  body: (chain: string, taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `tq-rollout-${++seq}`;
  const chain = `ro${seq}`;
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
          providers: ['openai', 'anthropic'],
          weights: { openai: 100 },
          mode: 'normal',
          version: 1,
          updatedAt: new Date().toISOString(),
        },
      ],
    });
    try {
      return await body(chain, taskQueue);
    } finally {
      await testEnv()
        .client.workflow.getHandle(routingWorkflowId(chain))
        .terminate('test done')
        .catch(() => undefined);
    }
  });
}

const input = (chain: string, over: Partial<RolloutInput> = {}): RolloutInput => ({
  id: `${chain}-r1`,
  chain,
  provider: 'anthropic',
  model: 'claude-next',
  strategy: 'canary',
  percents: [5, 25, 50, 100],
  holdMs: 20,
  gates: GATES,
  by: 'dana',
  ...over,
});

async function rollout(chain: string, taskQueue: string, over: Partial<RolloutInput> = {}): Promise<RolloutReport> {
  return testEnv().client.workflow.execute('rolloutWorkflow', {
    taskQueue,
    workflowId: rolloutWorkflowId(chain),
    args: [input(chain, over)],
  });
}

/** Weights of every route version after the first publication (the entity's start). */
const moves = (f: ReturnType<typeof fakes>) => f.published.slice(1).map((r) => r.weights);

test('canary: 5 → 25 → 50 → 100 % in order, a passing gate after each, PASS', async () => {
  const store = newStore();
  const f = fakes(store);
  const report = await withChain(f, (chain, tq) => rollout(chain, tq));
  expect(moves(f)).toEqual([
    { openai: 95, anthropic: 5 },
    { openai: 75, anthropic: 25 },
    { openai: 50, anthropic: 50 },
    { anthropic: 100 },
  ]);
  expect(f.published[f.published.length - 1].mode).toBe('normal');
  expect(report).toMatchObject({
    outcome: 'completed',
    result: 'PASS',
    initial: { openai: 100 },
    final: { anthropic: 100 },
  });
  expect(report.steps.map((s) => [s.percent, s.gate?.passed])).toEqual([
    [5, true],
    [25, true],
    [50, true],
    [100, true],
  ]);
  // Each gate looks only at probes after its own step landed.
  const applied = report.steps.map((s) => Date.parse(s.appliedAt!));
  expect(applied).toEqual([...applied].sort((a, b) => a - b));
  f.gates.forEach((since, i) => expect(since).toBeGreaterThanOrEqual(applied[i]));
  expect(await store.get(report.id)).toEqual(report);
});

test('a gate failing at step 2 rolls back to the starting weights in one step: FAIL', async () => {
  const f = fakes(newStore(), { healthy: (n) => n !== 2 });
  const report = await withChain(f, (chain, tq) => rollout(chain, tq));
  expect(moves(f)).toEqual([{ openai: 95, anthropic: 5 }, { openai: 75, anthropic: 25 }, { openai: 100 }]);
  expect(report).toMatchObject({ outcome: 'rolled_back', result: 'FAIL', final: { openai: 100 } });
  expect(report.detail).toMatch(/^gate after step 2 failed: error share 100 % over 5 %/);
  expect(report.steps).toHaveLength(2);
  expect(report.steps[1].gate?.passed).toBe(false);
  expect(report.rollback).toMatchObject({ weights: { openai: 100 }, outcome: 'completed' });
});

test('a known-answer mismatch fails the gate although errors and latency pass', async () => {
  const f = fakes(newStore(), { answer: 'Lyon' });
  const report = await withChain(f, (chain, tq) =>
    rollout(chain, tq, { knownAnswer: { prompt: 'Capital of France? One word.', expect: 'Paris' } }),
  );
  expect(report).toMatchObject({ outcome: 'rolled_back', result: 'FAIL' });
  expect(report.steps).toHaveLength(1);
  expect(report.steps[0].gate).toMatchObject({ passed: false, errorShare: 0, knownAnswer: { passed: false } });
  expect(report.detail).toContain('known answer: answered "Lyon"');
  expect(moves(f)).toEqual([{ openai: 95, anthropic: 5 }, { openai: 100 }]);
});

test('blue-green: one gate, 0 → 100 % at once, a failed gate switches straight back', async () => {
  const f = fakes(newStore(), { healthy: (n) => n === 1 });
  const report = await withChain(f, (chain, tq) => rollout(chain, tq, { strategy: 'blue-green' }));
  expect(report.preGate?.passed).toBe(true);
  expect(moves(f)).toEqual([{ anthropic: 100 }, { openai: 100 }]);
  expect(report).toMatchObject({ strategy: 'blue-green', outcome: 'rolled_back', result: 'FAIL' });
});

test('an operator abort mid-rollout rolls back, and the report names who aborted', async () => {
  const f = fakes(newStore());
  const report = await withChain(f, async (chain, tq) => {
    const handle = await testEnv().client.workflow.start('rolloutWorkflow', {
      taskQueue: tq,
      workflowId: rolloutWorkflowId(chain),
      args: [input(chain, { holdMs: 600_000 })],
    });
    await waitFor(
      () => handle.query(rolloutReportQuery),
      (r) => !!r.steps[0]?.appliedAt,
      'step 1 applied',
    );
    // An abort meant for another rollout is refused by the validator (nothing happens to this one).
    await expect(
      handle.executeUpdate(abortRolloutUpdate, { args: [{ id: 'another', by: 'eve' }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/runs on/) } });
    const taken = await handle.executeUpdate(abortRolloutUpdate, {
      args: [{ id: `${chain}-r1`, by: 'dana', reason: 'answers look off' }],
    });
    expect(taken.abortedBy).toBe('dana');
    return (await handle.result()) as RolloutReport;
  });
  expect(report).toMatchObject({
    outcome: 'aborted',
    result: 'FAIL',
    abortedBy: 'dana',
    final: { openai: 100 },
    detail: 'aborted by dana: answers look off',
  });
  expect(report.steps).toHaveLength(1);
  expect(moves(f)).toEqual([{ openai: 95, anthropic: 5 }, { openai: 100 }]);
});

test('a repeated start with the same ID is one rollout; another ID is refused while it runs', async () => {
  const store = newStore();
  const f = fakes(store);
  await withChain(f, async (chain, tq) => {
    const client = testEnv().client;
    const long = input(chain, { holdMs: 600_000 });
    const first = await startRollout(client, tq, store, long, ['openai', 'anthropic']);
    const again = await startRollout(client, tq, store, long, ['openai', 'anthropic']);
    expect(first.repeated).toBe(false);
    const handle = client.workflow.getHandle(rolloutWorkflowId(chain));
    const firstRun = (await handle.describe()).runId;
    expect(again).toEqual({ ...first, repeated: true });
    await expect(startRollout(client, tq, store, { ...long, id: 'other' }, ['openai', 'anthropic'])).rejects.toThrow(
      RolloutConflict,
    );
    await waitFor(
      () => handle.query(rolloutReportQuery),
      (r) => !!r.steps[0]?.appliedAt,
      'step 1 applied',
    );
    await handle.executeUpdate(abortRolloutUpdate, { args: [{ id: long.id, by: 'dana' }] });
    await handle.result();
    // Finished: the same ID is still the same rollout (its stored report), nothing new starts.
    expect(await startRollout(client, tq, store, long, ['openai', 'anthropic'])).toMatchObject({ repeated: true });
    // One run of rollout-<chain> ever: the latest is still the first one.
    expect((await handle.describe()).runId).toBe(firstRun);
    expect(moves(f)).toEqual([{ openai: 95, anthropic: 5 }, { openai: 100 }]);
  });
});

test("someone else's change between steps (an incident's failover) stops the rollout and is not rolled back", async () => {
  let chainOf = '';
  const f = fakes(newStore(), {
    during: async (n) => {
      if (n === 1)
        await setRouteWeights(
          testEnv().client,
          chainOf,
          {
            weights: { openai: 100 },
            mode: 'degraded',
            reason: 'failover: anthropic failing',
            by: 'incident-anthropic-1',
          },
          'elsewhere-1',
        );
    },
  });
  const report = await withChain(f, (chain, tq) => {
    chainOf = chain;
    return rollout(chain, tq);
  });
  expect(report).toMatchObject({ outcome: 'failed', result: 'FAIL' });
  expect(report.detail).toMatch(
    /^stopped before step 2: the chain was changed meanwhile \(v3, degraded: failover: anthropic failing/,
  );
  expect(report.rollback).toBeUndefined();
  expect(moves(f)).toEqual([{ openai: 95, anthropic: 5 }, { openai: 100 }]);
  expect(f.published[f.published.length - 1].mode).toBe('degraded');
});
