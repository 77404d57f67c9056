// routePublisherWorkflow on the time-skipping server with a fake publishing activity: retries until the
// target takes the route (short backoff, as configured), latest wins over a version still being retried, late
// copies of older versions are ignored, a non-retryable failure waits for the next version, and
// continue-as-new carries what the target has.
import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { RoutePublishActivities } from '../../activities/types';
import {
  publishRouteSignal,
  routePublisherStateQuery,
  type RoutePublisherInput,
  type RouteState,
} from '../../workflows/messages';
import { useTimeSkippingEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { maybeWriteFixture } from '../helpers/fixtures';

const testEnv = useTimeSkippingEnv();

const route = (version: number, weights: Record<string, number> = { openai: 100 }): RouteState => ({
  id: 'chat',
  providers: ['openai', 'anthropic'],
  weights,
  mode: 'normal',
  version,
  updatedAt: new Date(Date.UTC(2026, 10, 30, 10, 0, version)).toISOString(),
});

/** The target: refuses while `down` is true, or with a non-retryable error for the versions in `broken`. */
function target() {
  const t = { down: false, broken: new Set<number>(), attempts: [] as number[], delivered: [] as number[] };
  const activities: RoutePublishActivities = {
    async publishRouteToTarget({ route: r }) {
      t.attempts.push(r.version);
      if (t.broken.has(r.version)) throw ApplicationFailure.nonRetryable(`v${r.version} refused for good`, 'Refused');
      if (t.down) throw new Error('connection refused');
      t.delivered.push(r.version);
    },
  };
  return { t, activities };
}

const input = (extra: Partial<RoutePublisherInput> = {}): RoutePublisherInput => ({
  chain: 'chat',
  target: 'webhook',
  retry: { initialIntervalMs: 100, maximumIntervalMs: 400, attemptTimeoutMs: 5000 },
  ...extra,
});

async function run(taskQueue: string, activities: RoutePublishActivities, fn: () => Promise<void>): Promise<void> {
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  await worker.runUntil(fn);
}

test('a refused version is retried until the target takes it; a newer one replaces it and older copies are ignored', async () => {
  const { t, activities } = target();
  t.down = true;
  await run('tq-publisher-1', activities, async () => {
    const h = await testEnv().client.workflow.signalWithStart('routePublisherWorkflow', {
      taskQueue: 'tq-publisher-1',
      workflowId: 'publish-chat-webhook-1',
      args: [input()],
      signal: publishRouteSignal,
      signalArgs: [route(2)],
    });
    await waitFor(
      async () => t.attempts.length,
      (n) => n >= 3,
      'v2 retried',
    );
    await h.signal(publishRouteSignal, route(3, { anthropic: 100 }));
    await waitFor(
      () => h.query(routePublisherStateQuery),
      (s) => s.superseded === 1 && s.latestVersion === 3,
      'v2 superseded by v3',
    );
    await h.signal(publishRouteSignal, route(2)); // a late copy of the older change
    await waitFor(
      async () => t.attempts.filter((v) => v === 3).length,
      (n) => n >= 2,
      'v3 retried',
    );
    t.down = false;
    const s = await waitFor(
      () => h.query(routePublisherStateQuery),
      (x) => x.publishedVersion === 3,
      'v3 delivered',
    );
    expect(s).toMatchObject({ latestVersion: 3, superseded: 1, failed: 0, lastError: null });
    expect(t.delivered).toEqual([3]);
    // Once v3 was attempted, v2 never was again.
    expect(t.attempts.slice(t.attempts.indexOf(3))).not.toContain(2);
    await maybeWriteFixture('route-publisher-superseded', h);
    await h.terminate('test done');
  });
});

test('a non-retryable refusal is recorded and the next version is published', async () => {
  const { t, activities } = target();
  t.broken.add(4);
  await run('tq-publisher-2', activities, async () => {
    const h = await testEnv().client.workflow.signalWithStart('routePublisherWorkflow', {
      taskQueue: 'tq-publisher-2',
      workflowId: 'publish-chat-webhook-2',
      args: [input()],
      signal: publishRouteSignal,
      signalArgs: [route(4)],
    });
    const failed = await waitFor(
      () => h.query(routePublisherStateQuery),
      (s) => s.failed === 1,
      'v4 failed for good',
    );
    expect(failed.lastError).toContain('v4 refused for good');
    expect(t.attempts).toEqual([4]);
    await h.signal(publishRouteSignal, route(5));
    await waitFor(
      () => h.query(routePublisherStateQuery),
      (s) => s.publishedVersion === 5 && s.lastError === null,
      'v5 delivered',
    );
    expect(t.delivered).toEqual([5]);
    await h.terminate('test done');
  });
});

test('continue-as-new carries the delivered version: nothing is sent twice, and the next version goes out', async () => {
  const { t, activities } = target();
  await run('tq-publisher-3', activities, async () => {
    const wid = 'publish-chat-webhook-3';
    const h = await testEnv().client.workflow.signalWithStart('routePublisherWorkflow', {
      taskQueue: 'tq-publisher-3',
      workflowId: wid,
      args: [input({ historyLimit: 40 })],
      signal: publishRouteSignal,
      signalArgs: [route(1)],
    });
    const firstRun = h.signaledRunId;
    const latest = testEnv().client.workflow.getHandle(wid);
    // One version at a time (each delivered before the next), so no attempt is superseded here: the
    // time-skipping server refuses a cancel that races the activity's completion (the real server accepts it).
    await waitFor(
      () => latest.query(routePublisherStateQuery),
      (s) => s.publishedVersion === 1,
      'v1 delivered',
    );
    for (let v = 2; v <= 12; v++) {
      await latest.signal(publishRouteSignal, route(v));
      await waitFor(
        () => latest.query(routePublisherStateQuery),
        (s) => s.publishedVersion === v,
        `v${v} delivered`,
      );
    }
    expect((await latest.describe()).runId).not.toBe(firstRun);
    // The routing entity re-publishes its current version after its own continue-as-new: not sent again.
    await latest.signal(publishRouteSignal, route(12));
    await latest.signal(publishRouteSignal, route(13));
    await waitFor(
      () => latest.query(routePublisherStateQuery),
      (s) => s.publishedVersion === 13,
      'v13 delivered',
    );
    expect(t.delivered).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    await maybeWriteFixture(
      'route-publisher-continued-as-new-first-run',
      testEnv().client.workflow.getHandle(wid, firstRun),
    );
    await latest.terminate('test done');
  });
});
