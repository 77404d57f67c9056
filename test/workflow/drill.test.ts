// drillWorkflow against the real routingWorkflow (and its shift children) on a local dev server; the
// activities are small fakes, except the pre-drill checks, which are the real client checks
// (client/drills.ts) against the server. Windows and validation intervals are milliseconds, not minutes:
// the order of moves, rollbacks and findings is under test, not the wall-clock length.
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import type { DrillActivities, RoutingActivities, ShiftActivities } from '../../activities/types';
import { drillBlockers } from '../../client/drills';
import { getRoute, setRouteWeights } from '../../client/routes';
import type { DrillReport } from '../../domain/drill';
import {
  incidentWorkflowId,
  routeChangesQuery,
  routingWorkflowId,
  stopDrillSignal,
  drillProgressQuery,
  type DrillInput,
  type RouteState,
} from '../../workflows/messages';
import { useLocalEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const testEnv = useLocalEnv();
const PROVIDERS = ['openai', 'anthropic', 'bedrock'];

function fakes(opts: { backupHealthy?: (n: number) => boolean } = {}) {
  const published: RouteState[] = [];
  const reports: DrillReport[] = [];
  const announcements: string[] = [];
  let checks = 0;
  const client = () => testEnv().client;
  const activities: RoutingActivities & ShiftActivities & DrillActivities = {
    async publishRoute(route) {
      published.push(route);
      return { published: ['table'] };
    },
    async shiftContext({ chain }) {
      return { route: await getRoute(client(), chain), configured: { openai: 100 }, unhealthy: [] };
    },
    async applyRouteStep({ chain, request, updateId }) {
      return setRouteWeights(client(), chain, request, updateId);
    },
    async providerEvidence() {
      return null;
    },
    async validateProvider() {
      return { healthy: true, detail: 'HTTP 200' };
    },
    async drillPreflight({ chain }) {
      return {
        route: await getRoute(client(), chain),
        configured: { openai: 100 },
        unhealthy: [],
        blockers: await drillBlockers(client(), chain, { openai: 100 }),
        detectionBoundMs: { openai: 3_000, anthropic: 3_000, bedrock: 3_000 },
      };
    },
    async drillCheck() {
      const healthy = (opts.backupHealthy ?? (() => true))(++checks);
      return { healthy, detail: healthy ? 'HTTP 200' : 'HTTP 503 server_error' };
    },
    async drillRoute({ chain }) {
      return getRoute(client(), chain);
    },
    async recordDrillReport(report) {
      reports.push(report);
      return { location: 'memory' };
    },
    async announceDrill({ text }) {
      announcements.push(text);
      return { delivered: ['log'] };
    },
  };
  return { activities, published, reports, announcements };
}

let seq = 0;
async function drill(
  f: ReturnType<typeof fakes>,
  input: Partial<DrillInput>,
  before?: (chain: string) => Promise<void>,
  during?: (drill: WorkflowHandle) => Promise<void>,
): Promise<{ report: DrillReport; chain: string; reasons: string[] }> {
  const taskQueue = `tq-drill-${++seq}`;
  const chain = `drillchain${seq}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: f.activities,
  });
  return worker.runUntil(async () => {
    const { client } = testEnv();
    await client.workflow.start('routingWorkflow', {
      taskQueue,
      workflowId: routingWorkflowId(chain),
      args: [
        {
          id: chain,
          providers: PROVIDERS,
          weights: { openai: 100 },
          mode: 'normal',
          version: 1,
          updatedAt: new Date().toISOString(),
        },
      ],
    });
    await before?.(chain);
    const args: DrillInput = { chain, share: 'full', durationMs: 300, checkEveryMs: 50, by: 'tester', ...input };
    const handle = await client.workflow.start('drillWorkflow', {
      taskQueue,
      workflowId: `drill-${chain}`,
      args: [args],
    });
    await during?.(handle);
    const report = (await handle.result()) as DrillReport;
    const reasons = (await client.workflow.getHandle(routingWorkflowId(chain)).query(routeChangesQuery)).map(
      (c) => c.reason,
    );
    await client.workflow
      .getHandle(routingWorkflowId(chain))
      .terminate('test done')
      .catch(() => undefined);
    return { report, chain, reasons };
  });
}

const weightsOf = (f: ReturnType<typeof fakes>) => f.published.slice(1).map((r) => r.weights);

type HistoryJson = { events: Record<string, any>[] };

/**
 * The history as if every workflow task after the first validation had run `hours` later. A worker that
 * answers a query from events no task has processed yet (after another worker died) runs that activation
 * at the query's time, not at the time the task that later records its commands started.
 */
function tasksRunLater(json: HistoryJson, hours: number): HistoryJson {
  const events = json.events;
  const check = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'drillCheck');
  const done = events.findIndex(
    (e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(check?.eventId),
  );
  expect(done).toBeGreaterThan(0);
  let moved = 0;
  const later = events.map((e, i) => {
    if (i <= done || !e.workflowTaskStartedEventAttributes) return e;
    moved += 1;
    return { ...e, eventTime: new Date(Date.parse(e.eventTime) + hours * 3_600_000).toISOString() };
  });
  expect(moved).toBeGreaterThan(1);
  return { ...json, events: later };
}

test('a canary drill moves its share to the backup, holds while validating it, and restores the weights', async () => {
  const f = fakes();
  const { report } = await drill(f, { share: 25, durationMs: 600, checkEveryMs: 50 });
  expect(weightsOf(f)).toEqual([{ openai: 75, anthropic: 25 }, { openai: 100 }]);
  expect(f.published[f.published.length - 1].mode).toBe('normal');
  expect(report).toMatchObject({
    outcome: 'passed',
    passed: true,
    primary: 'openai',
    backup: 'anthropic',
    findings: [],
  });
  expect(report.weights).toEqual({
    before: { openai: 100 },
    during: { openai: 75, anthropic: 25 },
    after: { openai: 100 },
  });
  // Held for the window: validated several times, and the rollback came after the window.
  expect(report.checks.total).toBeGreaterThanOrEqual(2);
  expect(report.checks.failed).toBe(0);
  expect(Date.parse(report.endedAt) - Date.parse(report.startedAt)).toBeGreaterThanOrEqual(600);
  expect(report.timings.detectionMs).toBeGreaterThanOrEqual(3_000);
  expect(report.timings.failoverMs).toBeLessThan(60_000);
  expect(report.timings.restorationMs).toBeLessThan(120_000);
  expect(f.reports).toEqual([report]);
});

test('the window ends on a timer: the history replays whatever time its activations ran at', async () => {
  const f = fakes();
  const { chain, report } = await drill(f, { share: 25, durationMs: 600, checkEveryMs: 50 });
  expect(report.outcome).toBe('passed');
  const workflowId = `drill-${chain}`; // the drill's ticket IDs derive from it
  const recorded = await testEnv().client.workflow.getHandle(workflowId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, recorded, workflowId);
  // Read off the clock, the hold would decide differently an hour later (roll back instead of waiting for
  // the next check) and this replay would fail with a nondeterminism error.
  const json = JSON.parse(historyToJSON(recorded)) as HistoryJson;
  const late = historyFromJSON(tasksRunLater(json, 1));
  await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, late, workflowId);
});

test('the backup failing mid-drill rolls back at once and the report fails', async () => {
  const f = fakes({ backupHealthy: (n) => n < 3 });
  const { report } = await drill(f, { share: 'full', durationMs: 60_000, checkEveryMs: 50 });
  expect(weightsOf(f)).toEqual([{ anthropic: 100 }, { openai: 100 }]);
  expect(report.outcome).toBe('failed');
  expect(report.passed).toBe(false);
  expect(report.checks).toEqual({ total: 3, failed: 1 });
  expect(report.findings.join('\n')).toMatch(/backup anthropic failed .*HTTP 503/);
  // Rolled back long before the 60 s window would have ended.
  expect(Date.parse(report.endedAt) - Date.parse(report.startedAt)).toBeLessThan(30_000);
  expect(report.timings.restorationMs).toBeDefined();
  expect(f.announcements.at(-1)).toMatch(/^\[DRILL\] .*: FAILED/);
});

test('a drill never pages: no incident, every route change and announcement marked as a drill', async () => {
  const f = fakes();
  const { report, chain, reasons } = await drill(f, { share: 'full', durationMs: 100 });
  expect(report.outcome).toBe('passed');
  expect(reasons).toHaveLength(2);
  for (const r of reasons) expect(r).toMatch(/^drill /);
  expect(f.announcements).toHaveLength(2);
  for (const a of f.announcements) expect(a).toMatch(/^\[DRILL\]/);
  expect(f.announcements[0]).toContain('nobody is paged');
  for (const line of report.timeline) expect(line.what).toMatch(/^drill: /);
  // No incident anywhere on the chain's providers.
  for (const p of PROVIDERS) {
    await expect(testEnv().client.workflow.getHandle(incidentWorkflowId(p)).describe()).rejects.toThrow();
  }
  expect(chain).toMatch(/^drillchain/);
});

test('refused while the chain has an open incident: nothing moves, the report says why', async () => {
  const f = fakes();
  const { client } = testEnv();
  // An open incident on the primary: a running incident workflow (on a queue no worker polls).
  const incident = await client.workflow.start('incidentWorkflow', {
    taskQueue: 'tq-drill-no-worker',
    workflowId: incidentWorkflowId('openai'),
    args: [{ scope: 'openai', provider: 'openai', title: 'real outage' }],
  });
  try {
    const { report, reasons } = await drill(f, { share: 10 });
    expect(report.outcome).toBe('refused');
    expect(report.findings).toContain('refused: an incident is open on openai');
    expect(reasons).toEqual([]);
    expect(weightsOf(f)).toEqual([]);
  } finally {
    await incident.terminate('test done');
  }
});

test('stopped mid-window: rolled back at once, reported as cancelled with who stopped it', async () => {
  const f = fakes();
  const { report } = await drill(f, { share: 50, durationMs: 120_000, checkEveryMs: 50 }, undefined, async (h) => {
    await waitFor(
      () => h.query(drillProgressQuery),
      (p) => p.phase === 'holding',
      'the drill holding',
    );
    await h.signal(stopDrillSignal, { by: 'dana', reason: 'customer demo starting' });
  });
  expect(report.outcome).toBe('cancelled');
  expect(report.passed).toBe(false);
  expect(report.findings).toEqual(['stopped by dana: customer demo starting']);
  expect(weightsOf(f)).toEqual([{ openai: 50, anthropic: 50 }, { openai: 100 }]);
  expect(Date.parse(report.endedAt) - Date.parse(report.startedAt)).toBeLessThan(60_000);
});

test('a chain that cannot be drilled (no routing entity) is a refused report, not a failed workflow', async () => {
  const f = fakes();
  f.activities.drillPreflight = async ({ chain }) => {
    throw ApplicationFailure.nonRetryable(`chain ${chain} has no routing entity yet`, 'UnknownChain');
  };
  const { report } = await drill(f, {});
  expect(report.outcome).toBe('refused');
  expect(report.findings).toEqual([expect.stringMatching(/^refused: chain drillchain\d+ has no routing entity yet$/)]);
  expect(weightsOf(f)).toEqual([]);
  expect(f.reports).toEqual([report]);
});
