// incidentWorkflow under a stream of alert signals: continue-as-new before history grows, keeping the
// public incident ID, the counts and the dedup table; PagerDuty dedup semantics through the workflow.
import { stubActivities } from '../helpers/activity-stubs';
import { Worker } from '@temporalio/worker';
import type { IncidentActivities } from '../../activities/types';
import type { Alert, IncidentState } from '../../domain/incident';
import { alertsSignal, incidentStateQuery, resolveUpdate, SA } from '../../workflows/messages';
import { workflowBundle, useTimeSkippingEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { resultSkippingTime } from '../helpers/routing-entity';
import { maybeWriteFixture } from '../helpers/fixtures';
import { DEFAULT_IMPACT_RULES } from '../../domain/impact';

const testEnv = useTimeSkippingEnv();

const activities: IncidentActivities = {
  ...stubActivities(),
  getIncidentContext: async () => ({
    services: [{ id: 'bot', users: 50 }],
    chains: [],
    escalationLevels: {},
    ackTimeoutMs: 3_600_000,
    maxRepeats: 0,
    impactRules: DEFAULT_IMPACT_RULES,
    statusUpdateMs: { SEV1: 3_600_000, SEV2: 3_600_000, SEV3: 3_600_000, SEV4: 3_600_000 },
  }),
  notify: async () => ({ delivered: [] }),
  diagnoseProvider: async () => ({
    rootCause: 'provider_outage',
    checks: [],
    recommendations: [],
    at: new Date().toISOString(),
  }),
  renderReport: async (s: IncidentState) => ({ markdown: `# ${s.id}`, location: 'memory' }),
};

const alert = (i: number, extra: Partial<Alert> = {}): Alert => ({
  provider: 'openai',
  kind: 'outage',
  summary: `alert ${i}`,
  source: 'test',
  observedAt: new Date().toISOString(),
  ...extra,
});

test('an open incident continues-as-new under a stream of signals and keeps its ID, counts and dedup table', async () => {
  const taskQueue = 'tq-compaction';
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  await worker.runUntil(async () => {
    const h = await testEnv().client.workflow.signalWithStart('incidentWorkflow', {
      taskQueue,
      workflowId: 'incident-compaction',
      args: [{ scope: 'openai', provider: 'openai', title: 'storm', historyLimit: 80 }],
      signal: alertsSignal,
      signalArgs: [{ alerts: [alert(0, { dedupKey: 'k-open' })] }],
    });
    const first = await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.phase === 'monitoring',
      'monitoring phase',
    );
    const firstRun = h.signaledRunId;
    const latest = testEnv().client.workflow.getHandle('incident-compaction');
    // One signal at a time, so each costs history events; 120 of them cross the limit of 80 at least once.
    for (let i = 1; i <= 120; i++)
      await latest.signal(alertsSignal, { alerts: [alert(i, i % 2 ? { dedupKey: 'k-open' } : {})] });
    // It did continue-as-new (the count can reach 121 in the old run just before it rolls over).
    const d = await waitFor(
      () => latest.describe(),
      (x) => x.runId !== firstRun,
      'a new run',
    );
    const after = await waitFor(
      () => latest.query(incidentStateQuery),
      (s) => s.alerts.count === 121,
      'all 121 alerts counted',
    );
    expect(d.typedSearchAttributes.get(SA.incidentId)).toBe(first.id);
    expect((await latest.fetchHistory()).events!.length).toBeLessThan(200);
    expect(after.id).toBe(first.id);
    expect(after.phase).toBe('monitoring');
    expect(after.alerts.sample).toHaveLength(20);
    expect(after.alerts.keyed!['k-open']).toMatchObject({ status: 'triggered', count: 61 });
    expect(after.alerts.distinct).toBe(1 + 60); // the keyed alert plus 60 keyless ones
    expect(after.timeline.filter((e) => e.type === 'continued').length).toBeGreaterThanOrEqual(1);
    expect(after.timeline.filter((e) => e.type === 'alerts').length).toBeLessThanOrEqual(
      after.timeline.filter((e) => e.type === 'continued').length + 1,
    );

    await latest.executeUpdate(resolveUpdate, { args: [{ by: 'dana' }] });
    const final = (await latest.result()) as IncidentState;
    expect(final).toMatchObject({ id: first.id, status: 'resolved', alerts: { count: 121 } });
    // The run that rolled over, and the last (resumed) run: replay fixtures for both paths.
    await maybeWriteFixture(
      'incident-continued-as-new-first-run',
      testEnv().client.workflow.getHandle('incident-compaction', firstRun),
    );
    await maybeWriteFixture(
      'incident-continued-as-new-resumed-run',
      testEnv().client.workflow.getHandle('incident-compaction', d.runId),
    );
  });
});

test('PagerDuty dedup through the workflow: repeated triggers merge, ack/resolve act on open alerts only', async () => {
  const taskQueue = 'tq-dedup';
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  await worker.runUntil(async () => {
    const h = await testEnv().client.workflow.signalWithStart('incidentWorkflow', {
      taskQueue,
      workflowId: 'incident-dedup',
      args: [{ scope: 'openai', provider: 'openai', title: 'pd' }],
      signal: alertsSignal,
      signalArgs: [{ alerts: [alert(1, { dedupKey: 'db-1', action: 'trigger' })] }],
    });
    await h.signal(alertsSignal, {
      alerts: [
        alert(2, { dedupKey: 'db-1', action: 'trigger' }),
        alert(3, { dedupKey: 'db-1', action: 'acknowledge' }),
      ],
    });
    await h.signal(alertsSignal, {
      alerts: [alert(4, { dedupKey: 'nope', action: 'resolve' }), alert(5, { dedupKey: 'db-1', action: 'resolve' })],
    });
    await h.signal(alertsSignal, { alerts: [alert(6, { dedupKey: 'db-1', action: 'trigger' })] });
    const s = await waitFor(
      () => h.query(incidentStateQuery),
      (x) => x.alerts.count === 3,
      'three triggers counted',
    );
    expect(s.alerts).toMatchObject({
      count: 3,
      distinct: 2,
      dropped: 1,
      keyed: { 'db-1': { status: 'triggered', count: 1 } },
    });
    // Resolve once the incident has settled in monitoring (as the first test does). A resolve sent at once
    // lands while diagnoseProvider is scheduled but not started; the time-skipping test server then refuses
    // the completion that cancels it (RequestCancelActivityTask → FAILED_PRECONDITION "ACTIVITY_UNKNOWN"),
    // leaves that workflow task STARTED forever and never redelivers it (temporalio/sdk-java#2391, #3088).
    // A real server (temporal server start-dev) accepts that cancel and the immediate resolve completes.
    const settled = await waitFor(
      () => h.query(incidentStateQuery),
      (x) => x.phase === 'monitoring',
      'monitoring phase',
    );
    expect(settled.alerts).toMatchObject({ count: 3, distinct: 2, dropped: 1 });
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'dana' }] });
    expect(await resultSkippingTime<IncidentState>(testEnv(), h)).toMatchObject({
      status: 'resolved',
      alerts: { count: 3 },
    });
  });
});
