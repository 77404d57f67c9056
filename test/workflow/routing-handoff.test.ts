// The routing entity's hand-off to the durable publishers (the publishRoute activity) on the time-skipping
// server: while it is refused — Temporal itself in trouble for longer than a few retries — the chain's
// routing entity neither fails at start nor drops a version; every version reaches the publishers, in
// order, once the hand-off works again.
import { Worker } from '@temporalio/worker';
import type { RoutingActivities } from '../../activities/types';
import { routeQuery, setWeightsUpdate, type RouteState } from '../../workflows/messages';
import { useTimeSkippingEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const testEnv = useTimeSkippingEnv();

const initial: RouteState = {
  id: 'chat',
  providers: ['openai', 'anthropic'],
  weights: { openai: 100 },
  mode: 'normal',
  version: 1,
  updatedAt: new Date(Date.UTC(2026, 10, 30, 10, 0, 0)).toISOString(),
};

test('a refused hand-off is retried past any fixed count: the entity survives and every version is handed over', async () => {
  let refuse = 15; // more than the ten attempts the hand-off used to get
  const attempts: number[] = [];
  const handed: number[] = [];
  const activities: RoutingActivities = {
    async publishRoute(route) {
      attempts.push(route.version);
      if (refuse > 0) {
        refuse -= 1;
        throw new Error('signal-with-start refused: frontend unavailable');
      }
      handed.push(route.version);
      return { published: ['table', 'webhook'] };
    },
  };
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue: 'tq-handoff',
    workflowBundle: workflowBundle(),
    activities,
  });
  await worker.runUntil(async () => {
    const h = await testEnv().client.workflow.start('routingWorkflow', {
      taskQueue: 'tq-handoff',
      workflowId: 'routing-chat-handoff',
      args: [initial],
    });
    // The retries back off to 10 s: skip the server's clock ahead until the hand-off went through.
    const skipUntil = (done: () => boolean, what: string) =>
      waitFor(
        async () => {
          if (!done()) await testEnv().sleep(5_000);
          return done();
        },
        (ok) => ok,
        what,
      );
    await skipUntil(() => handed.includes(1), 'initial version handed over');
    expect(attempts.filter((v) => v === 1).length).toBe(16);

    refuse = 12;
    const update = h.executeUpdate(setWeightsUpdate, {
      args: [{ weights: { anthropic: 100 }, reason: 'operator failover', by: 'test' }],
    });
    await skipUntil(() => handed.includes(2), 'changed version handed over');
    expect((await update).version).toBe(2);
    expect(attempts.filter((v) => v === 2).length).toBe(13);
    expect(handed).toEqual([1, 2]);
    expect((await h.query(routeQuery)).weights).toEqual({ anthropic: 100 });
    expect((await h.describe()).status.name).toBe('RUNNING');
    await h.terminate('test done');
  });
});
