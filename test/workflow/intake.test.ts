// The per-scope alert intake (workflows/intake.ts) under storms in the phases where the incident itself
// cannot continue-as-new: the intake rolls over while the incident is held in diagnosis or recovery, every alert
// reaches the incident's count (nothing lost, nothing twice), and alerts arriving after resolution are
// carried to the next incident as a bounded summary.
import { Worker } from '@temporalio/worker';
import { createIntakeActivities } from '../../activities/intake';
import type { LifelineConfig } from '../../config/schema';
import type { Alert, IncidentState } from '../../domain/incident';
import {
  alertsSignal,
  incidentStateQuery,
  incidentWorkflowId,
  intakeRolloverSignal,
  intakeStateQuery,
  intakeWorkflowId,
  resolveUpdate,
  type IntakeInput,
} from '../../workflows/messages';
import { stubActivities } from '../helpers/activity-stubs';
import { useTimeSkippingEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { maybeWriteFixture } from '../helpers/fixtures';

const testEnv = useTimeSkippingEnv();

function deferred() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { done, release };
}

const alert = (i: number, extra: Partial<Alert> = {}): Alert => ({
  provider: 'openai',
  kind: i % 3 ? 'error_rate' : 'outage',
  summary: `alert ${i}`,
  source: 'test',
  observedAt: new Date().toISOString(),
  ...(i % 4 ? { dedupKey: `k${i % 25}` } : {}),
  ...(i % 50 === 0 ? { details: { services: [`svc-${i % 150}`] } } : {}),
  ...extra,
});

async function worker(taskQueue: string, overrides: Parameters<typeof stubActivities>[0]) {
  const config = { temporal: { taskQueue } } as LifelineConfig;
  return Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: { ...stubActivities(overrides), ...createIntakeActivities({ client: testEnv().client, config }) },
  });
}

/** History lengths of every run of a continue-as-new chain, from its first run. */
async function chainLengths(workflowId: string, firstRunId: string): Promise<number[]> {
  const out: number[] = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const events: { workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null }[] =
      (await testEnv().client.workflow.getHandle(workflowId, runId).fetchHistory()).events!;
    out.push(events.length);
    runId = events[events.length - 1].workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return out;
}

/** Sends `batches` signals of `size` alerts to the intake, as the API's group commit would. */
async function storm(
  scope: string,
  taskQueue: string,
  intake: Partial<IntakeInput>,
  from: number,
  batches: number,
  size: number,
) {
  for (let b = 0; b < batches; b++) {
    const alerts = Array.from({ length: size }, (_, j) => alert(from + b * size + j));
    await testEnv().client.workflow.signalWithStart('intakeWorkflow', {
      workflowId: intakeWorkflowId(scope),
      taskQueue,
      args: [{ scope, provider: 'openai', ...intake }],
      signal: alertsSignal,
      signalArgs: [{ alerts }],
    });
  }
  return batches * size;
}

// The phases where the incident does not continue-as-new itself: held in each by one of its activities.
test.each([
  ['diagnosing', 'diagnoseProvider'],
  ['recovering', 'applyRecoveryStep'],
] as const)(
  'the intake continues-as-new while the incident is held in %s; every alert is counted once',
  async (phase, activity) => {
    const taskQueue = `tq-intake-${phase}`;
    const hold = deferred();
    const real = stubActivities({
      // A cause whose recovery procedure has steps (domain/recovery.ts), so the incident stays in `recovering`.
      diagnoseProvider: async () => ({
        rootCause: 'rate_limit',
        checks: [],
        recommendations: [],
        at: new Date().toISOString(),
      }),
    });
    const w = await worker(taskQueue, {
      diagnoseProvider: real.diagnoseProvider,
      [activity]: async (...args: unknown[]) => {
        await hold.done;
        return (real[activity] as (...a: unknown[]) => Promise<unknown>)(...args);
      },
    });
    // Whatever fails, the held activity must end, or the worker never shuts down.
    await w.runUntil(async () => {
      try {
        await stormWhileHeld(`openai-${phase}`, taskQueue, phase, hold);
      } finally {
        hold.release();
      }
    });
  },
);

async function stormWhileHeld(scope: string, taskQueue: string, phase: string, hold: ReturnType<typeof deferred>) {
  const intakeOpts = { historyLimit: 60, forwardEveryMs: 200 };
  let sent = await storm(scope, taskQueue, intakeOpts, 0, 1, 1);
  const incident = testEnv().client.workflow.getHandle(incidentWorkflowId(scope));
  await waitFor(
    () => incident.query(incidentStateQuery),
    (s) => s.phase === phase,
    `incident ${phase}`,
  );
  const intakeFirstRun = (await testEnv().client.workflow.getHandle(intakeWorkflowId(scope)).describe()).runId;

  sent += await storm(scope, taskQueue, intakeOpts, 1, 150, 8); // 1,200 alerts, one signal each batch
  const intake = testEnv().client.workflow.getHandle(intakeWorkflowId(scope));
  const totals = await waitFor(
    () => intake.query(intakeStateQuery),
    (s) => s.totals.received === sent && s.pending === 0 && s.totals.forwarded === sent,
    'intake drained',
  );
  const s = await waitFor(
    () => incident.query(incidentStateQuery),
    (x) => x.alerts.count === sent,
    `incident counted all ${sent} alerts`,
  );

  // The intake rolled over while the incident was in that phase (how far past its limit a run goes
  // depends on how fast signals arrive between its tasks: the integration test bounds it on a real server).
  expect(totals.runs).toBeGreaterThanOrEqual(1);
  expect((await intake.describe()).runId).not.toBe(intakeFirstRun);
  const lengths = await chainLengths(intakeWorkflowId(scope), intakeFirstRun);
  expect(lengths.length).toBe(totals.runs + 1);
  // The incident stayed in that phase, got a few summaries instead of 150 signals, and saw what its rules need.
  expect(s.phase).toBe(phase);
  expect(totals.totals.forwards).toBeLessThan(150);
  const incidentEvents = (await incident.fetchHistory()).events!;
  expect(incidentEvents.filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBe(totals.totals.forwards);
  expect(s.alerts.sample).toHaveLength(20);
  expect(s.alerts.distinct).toBe(25 + Math.floor(sent / 4) + 1); // 25 keys + the keyless alerts (every 4th, and alert 0)
  expect(s.alerts.keyed!['k1']).toMatchObject({ status: 'triggered' });
  expect(s.timeline.filter((e) => e.type === 'alerts').length).toBeLessThanOrEqual(2);

  hold.release();
  await waitFor(
    () => incident.query(incidentStateQuery),
    (x) => x.phase === 'monitoring',
    'incident monitoring',
  );
  await incident.executeUpdate(resolveUpdate, { args: [{ by: 'dana' }] });
  const final = (await incident.result()) as IncidentState;
  expect(final.alerts.count).toBe(sent);
}

test('alerts after resolution reach the next incident as a bounded summary (lateAlerts bounded)', async () => {
  const taskQueue = 'tq-intake-late';
  const report = deferred();
  const w = await worker(taskQueue, {
    renderReport: async (s) => {
      await report.done;
      return { markdown: `# ${s.id}`, location: 'memory' };
    },
  });
  await w.runUntil(async () => {
    const scope = 'openai-late';
    const intakeOpts = { historyLimit: 200, forwardEveryMs: 100 };
    await storm(scope, taskQueue, intakeOpts, 0, 1, 1);
    const incident = testEnv().client.workflow.getHandle(incidentWorkflowId(scope));
    const first = await waitFor(
      () => incident.query(incidentStateQuery),
      (s) => s.phase === 'monitoring',
      'monitoring',
    );
    await incident.executeUpdate(resolveUpdate, { args: [{ by: 'dana' }] });
    await waitFor(
      () => incident.query(incidentStateQuery),
      (s) => s.phase === 'reporting',
      'held while writing the report',
    );

    // 3,000 alerts while the incident closes: through the intake, plus raw alert signals sent to it directly.
    const late = await storm(scope, taskQueue, intakeOpts, 1, 30, 100);
    for (let i = 0; i < 20; i++)
      await incident.signal(alertsSignal, { alerts: Array.from({ length: 50 }, (_, j) => alert(10_000 + i * 50 + j)) });
    const intake = testEnv().client.workflow.getHandle(intakeWorkflowId(scope));
    await waitFor(
      () => intake.query(intakeStateQuery),
      (s) => s.totals.forwarded === s.totals.received && s.pending === 0,
      'intake drained',
    );
    report.release();

    // The closed run continued-as-new into the next incident of the scope with all 4,000 late triggers.
    const next = await waitFor(
      () => testEnv().client.workflow.getHandle(incidentWorkflowId(scope)).query(incidentStateQuery),
      (s) => s.id !== first.id,
      'next incident',
    );
    expect(next.alerts.count).toBe(late + 1000);
    expect(next.alerts.sample).toHaveLength(20);
    const history = await testEnv().client.workflow.getHandle(incidentWorkflowId(scope)).fetchHistory();
    const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0].data!;
    expect(input.length).toBeLessThan(64 * 1024); // 4,000 alerts carried in a bounded input
  });
});

test('asked to roll over, the intake continues-as-new at once and carries what it has not forwarded yet', async () => {
  const taskQueue = 'tq-intake-rollover';
  const w = await worker(taskQueue, {});
  await w.runUntil(async () => {
    const scope = 'openai-roll';
    // A long forwarding window: the second batch is still pending when the roll-over is asked for.
    const intakeOpts = { forwardEveryMs: 3_600_000 };
    await storm(scope, taskQueue, intakeOpts, 0, 1, 5);
    const intake = testEnv().client.workflow.getHandle(intakeWorkflowId(scope));
    await waitFor(
      () => intake.query(intakeStateQuery),
      (s) => s.totals.forwarded === 5,
      'first batch forwarded',
    );
    await storm(scope, taskQueue, intakeOpts, 5, 1, 7);
    const before = await waitFor(
      () => intake.query(intakeStateQuery),
      (s) => s.pending === 7,
      'second batch pending',
    );
    const firstRun = (await intake.describe()).runId;
    await testEnv().client.workflow.getHandle(intakeWorkflowId(scope), firstRun).signal(intakeRolloverSignal);
    await waitFor(
      () => intake.describe(),
      (d) => d.runId !== firstRun,
      'continued-as-new',
    );
    const after = await waitFor(
      () => intake.query(intakeStateQuery),
      (s) => s.totals.forwarded === 12,
      'the carried batch forwarded',
    );
    expect(after.runs).toBe(before.runs + 1);
    expect(after.totals).toMatchObject({ received: 12, forwarded: 12, forwards: 2 });
    const s = await waitFor(
      () => testEnv().client.workflow.getHandle(incidentWorkflowId(scope)).query(incidentStateQuery),
      (x) => x.alerts.count === 12,
      'incident has all 12',
    );
    expect(s.alerts.intake?.seq).toBe(2);
    // Replay fixtures: a run that rolled over on request, and the run that carried its pending alerts on.
    await maybeWriteFixture(
      'intake-rolled-over-first-run',
      testEnv().client.workflow.getHandle(intakeWorkflowId(scope), firstRun),
    );
    await maybeWriteFixture('intake-rolled-over-resumed-run', intake);
  });
});

test('a batch sent again after the intake rolled over (an SDK retry landing on the next run) is counted once', async () => {
  const taskQueue = 'tq-intake-batch-retry';
  const w = await worker(taskQueue, {});
  await w.runUntil(async () => {
    const scope = 'openai-retry';
    const args = [{ scope, provider: 'openai' }];
    const batch = { alerts: [alert(1), alert(2), alert(3)], batchId: 'batch-1' };
    await testEnv().client.workflow.signalWithStart('intakeWorkflow', {
      workflowId: intakeWorkflowId(scope),
      taskQueue,
      args,
      signal: alertsSignal,
      signalArgs: [batch],
    });
    const intake = testEnv().client.workflow.getHandle(intakeWorkflowId(scope));
    await waitFor(
      () => intake.query(intakeStateQuery),
      (s) => s.totals.forwarded === 3,
      'batch forwarded',
    );
    const firstRun = (await intake.describe()).runId;
    await testEnv().client.workflow.getHandle(intakeWorkflowId(scope), firstRun).signal(intakeRolloverSignal);
    await waitFor(
      () => intake.describe(),
      (d) => d.runId !== firstRun,
      'continued-as-new',
    );
    // The same batch again (Temporal's request-ID dedup does not reach across runs), then a new one.
    await testEnv().client.workflow.signalWithStart('intakeWorkflow', {
      workflowId: intakeWorkflowId(scope),
      taskQueue,
      args,
      signal: alertsSignal,
      signalArgs: [batch],
    });
    await testEnv().client.workflow.signalWithStart('intakeWorkflow', {
      workflowId: intakeWorkflowId(scope),
      taskQueue,
      args,
      signal: alertsSignal,
      signalArgs: [{ alerts: [alert(4)], batchId: 'batch-2' }],
    });
    const after = await waitFor(
      () => intake.query(intakeStateQuery),
      (s) => s.totals.received === 4 && s.pending === 0 && s.totals.forwarded === 4,
      'the new batch forwarded',
    );
    expect(after.totals.received).toBe(4);
    const s = await waitFor(
      () => testEnv().client.workflow.getHandle(incidentWorkflowId(scope)).query(incidentStateQuery),
      (x) => x.alerts.count === 4,
      'incident has 4',
    );
    expect(s.alerts.count).toBe(4);
  });
});

test('asked to roll over while a forward is out, the intake goes at once; the next run sends that forward again (counted once)', async () => {
  const taskQueue = 'tq-intake-inflight';
  const config = { temporal: { taskQueue } } as LifelineConfig;
  const real = createIntakeActivities({ client: testEnv().client, config });
  const held = deferred();
  let calls = 0;
  const w = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: {
      ...stubActivities({}),
      // The second forward lands at the incident, then its answer is held (a slow RPC): still "out".
      forwardAlertSummary: async (req: Parameters<typeof real.forwardAlertSummary>[0]) => {
        calls += 1;
        const r = await real.forwardAlertSummary(req);
        if (calls === 2) await held.done;
        return r;
      },
    },
  });
  await w.runUntil(async () => {
    try {
      const scope = 'openai-inflight';
      const intakeOpts = { forwardEveryMs: 100 };
      await storm(scope, taskQueue, intakeOpts, 0, 1, 4);
      const intake = testEnv().client.workflow.getHandle(intakeWorkflowId(scope));
      await waitFor(
        () => intake.query(intakeStateQuery),
        (s) => s.totals.forwarded === 4,
        'first forward done',
      );
      await storm(scope, taskQueue, intakeOpts, 4, 1, 6);
      const incident = testEnv().client.workflow.getHandle(incidentWorkflowId(scope));
      await waitFor(
        () => incident.query(incidentStateQuery),
        (s) => s.alerts.count === 10,
        'second forward landed',
      );
      expect(calls).toBe(2); // its answer is held
      const firstRun = (await intake.describe()).runId;
      await testEnv().client.workflow.getHandle(intakeWorkflowId(scope), firstRun).signal(intakeRolloverSignal);
      // The run closes without waiting for the held forward...
      await waitFor(
        () => intake.describe(),
        (d) => d.runId !== firstRun,
        'continued-as-new while the forward is out',
      );
      // ...and the next one sends it again (same seq: the incident ignores it) and counts it as forwarded.
      const after = await waitFor(
        () => intake.query(intakeStateQuery),
        (s) => s.totals.forwarded === 10,
        'resent from the next run',
      );
      expect(after.totals).toMatchObject({ received: 10, forwarded: 10, forwards: 2 });
      expect(after.seq).toBe(2);
      expect(calls).toBe(3);
      const s = await incident.query(incidentStateQuery);
      expect(s.alerts.count).toBe(10);
      expect(s.alerts.intake?.seq).toBe(2);
    } finally {
      held.release();
    }
  });
});
