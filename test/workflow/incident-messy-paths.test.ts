// incidentWorkflow on the paths real outages take, on the time-skipping server with the real
// routingWorkflow and trafficShiftWorkflow (activities mocked): an operator resolve mid-failback or
// mid-diagnosis, a provider failing again while traffic fails back, a failure during the closing tail,
// activities that exhaust their retries, two incidents on one chain, a resolve during continue-as-new.
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle, WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import type { IncidentContext } from '../../activities/types';
import { PHASES, type Alert, type IncidentState } from '../../domain/incident';
import {
  alertsSignal,
  escalateUpdate,
  incidentStateQuery,
  owningIncidentUpdate,
  providerRecoveredSignal,
  resolveUpdate,
  routingWorkflowId,
  shiftQueueQuery,
  type RouteState,
} from '../../workflows/messages';
import { stubActivities, type AllIncidentActivities } from '../helpers/activity-stubs';
import { resultSkippingTime, startRoutingEntity } from '../helpers/routing-entity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { quietTemporalRuntime, registerSearchAttributes, testServerPath, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { maybeWriteFixture } from '../helpers/fixtures';

// A fresh time-skipping server per test: each test moves the clock on its own, and workflows a test
// leaves behind (a detached failback, a routing entity) must not stall or jump the next test's clock.
let env: TestWorkflowEnvironment | undefined;
beforeEach(async () => {
  quietTemporalRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
  });
  await registerSearchAttributes(env.connection);
});
afterEach(async () => env?.teardown());
const testEnv = (): TestWorkflowEnvironment => env!;

const CONTEXT: IncidentContext = {
  services: [{ id: 'bot', users: 50 }],
  chains: ['chat'],
  impactRules: {
    critical: { minServices: 3, minUsers: 10_000 },
    high: { minServices: 2, minUsers: 1_000 },
    medium: { minUsers: 100 },
  },
  escalationLevels: {},
  ackTimeoutMs: 5 * 60_000,
  maxRepeats: 3,
  statusUpdateMs: { SEV1: 3_600_000, SEV2: 3_600_000, SEV3: 3_600_000, SEV4: 3_600_000 },
  // Failback: no healthy wait, a long step so the test acts between steps.
  recovery: {
    capabilities: { backupKey: false, backupEndpoint: false, cheaperModel: false },
    shiftStepMs: 60_000,
    failbackHealthyForMs: 0,
    failbackCheckEveryMs: 1_000,
  },
};

/** Mocks sharing one route (as the routing entity holds it) and a set of providers whose breaker is open. */
function mocks(
  overrides: Partial<AllIncidentActivities> = {},
  configured: Record<string, number> = { openai: 100 },
  startWeights: Record<string, number> = { openai: 100 },
) {
  let route: RouteState = {
    id: 'chat',
    providers: ['openai', 'anthropic', 'bedrock'],
    weights: startWeights,
    mode: 'normal',
    version: 1,
    updatedAt: new Date().toISOString(),
  };
  const open = new Set<string>();
  const pages: number[] = [];
  const archived: string[] = [];
  const weights: string[] = [];
  const fmt = (w: Record<string, number>) =>
    Object.entries(w)
      .sort()
      .map(([p, v]) => `${p}=${v}`)
      .join(',');
  const activities: AllIncidentActivities = {
    ...stubActivities(),
    getIncidentContext: async () => CONTEXT,
    deliverNotification: async (d) => {
      if (d.notification.kind === 'page') pages.push(d.notification.level ?? 0);
      return { channel: d.channel, status: 'delivered' };
    },
    shiftContext: async () => ({ route, configured, unhealthy: [...open] }),
    applyRouteStep: async ({ request }) => {
      route = {
        ...route,
        weights: request.weights,
        mode: request.mode ?? 'normal',
        version: route.version + 1,
        updatedAt: new Date().toISOString(),
      };
      weights.push(fmt(route.weights));
      return route;
    },
    validateProvider: async ({ provider }) => ({
      healthy: !open.has(provider),
      detail: open.has(provider) ? 'HTTP 503' : 'HTTP 200',
    }),
    startArchiver: async (req) => {
      archived.push(req.state.id);
      return { archiveWorkflowId: `archive-${req.state.id}`, started: true };
    },
    ...overrides,
  };
  return { activities, open, pages, archived, weights, route: () => route };
}

let n = 0;
async function withWorker<T>(activities: AllIncidentActivities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `tq-messy-${++n}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  return worker.runUntil(async () => {
    await startRoutingEntity(testEnv().client, taskQueue);
    return fn(taskQueue);
  });
}

const alert = (provider = 'openai', summary = 'probe 503'): Alert => ({
  provider,
  kind: 'outage',
  summary,
  source: 'lifeline-probe',
  observedAt: new Date().toISOString(),
});

async function open(
  taskQueue: string,
  workflowId: string,
  provider = 'openai',
  extra: Record<string, unknown> = {},
): Promise<WorkflowHandleWithSignaledRunId> {
  return testEnv().client.workflow.signalWithStart('incidentWorkflow', {
    taskQueue,
    workflowId,
    args: [{ scope: provider, provider, title: `${provider} failing`, ...extra }],
    signal: alertsSignal,
    signalArgs: [{ alerts: [alert(provider)] }],
  });
}

const state = (h: WorkflowHandle) => () => h.query(incidentStateQuery);
const latest = (workflowId: string) => testEnv().client.workflow.getHandle(workflowId);
const types = (s: IncidentState) => s.timeline.map((e) => e.type);

test('operator resolve mid-failback: resolved at once (the 200 says so), escalation stopped, failback goes on detached and completes', async () => {
  const m = mocks();
  await withWorker(m.activities, async (tq) => {
    const h = await open(tq, 'incident-resolve-failback');
    const s = await waitFor(state(h), (x) => x.phase === 'monitoring', 'monitoring');
    await h.signal(providerRecoveredSignal, { at: new Date().toISOString(), detail: 'probe 200', incidentId: s.id });
    await waitFor(
      async () => m.route().weights,
      (w) => w.openai === 10,
      'first failback step',
    );
    expect((await h.query(incidentStateQuery)).phase).toBe('restoring');

    const answer = await h.executeUpdate(resolveUpdate, { args: [{ by: 'sam', note: 'confirmed by provider' }] });
    expect(answer).toMatchObject({ status: 'resolved', phase: 'reporting', resolvedBy: 'sam' });
    // Workflow time between the request and the resolution: the same workflow task.
    const requested = answer.timeline.find((e) => e.type === 'resolve_requested')!;
    expect(Date.parse(answer.resolvedAt!) - Date.parse(requested.at)).toBeLessThanOrEqual(2_000);

    const final = await resultSkippingTime<IncidentState>(testEnv(), h);
    expect(final).toMatchObject({ status: 'resolved', phase: 'resolved', resolvedBy: 'sam' });
    expect(types(final)).toEqual(expect.arrayContaining(['failback_detached', 'report', 'archive']));
    expect(final.failbacks).toEqual([expect.objectContaining({ chain: 'chat', outcome: 'detached' })]);
    expect(m.archived).toEqual([final.id]);
    const pagesAtClose = m.pages.length;

    // The routing entity owns the failback: it finishes it after the incident has closed.
    const child = latest(`shift-chat-${final.failbacks![0].shiftId}`);
    expect(await resultSkippingTime(testEnv(), child)).toMatchObject({ kind: 'failback', outcome: 'completed' });
    expect(m.route()).toMatchObject({ weights: { openai: 100 }, mode: 'normal' });
    const q = await latest(routingWorkflowId('chat')).query(shiftQueueQuery);
    expect(q.recent.map((r) => `${r.result.kind}:${r.result.outcome}`)).toEqual([
      'immediate:completed',
      'failback:completed',
    ]);
    expect(m.pages).toHaveLength(pagesAtClose);
  });
});

test('operator resolve while diagnostics hang: resolved at once, then report and archive', async () => {
  let answer!: () => void;
  const diagnosed = new Promise<void>((r) => (answer = r));
  const m = mocks({
    // Answers only after the resolve: the incident must not wait for it.
    diagnoseProvider: async () => {
      await diagnosed;
      return { rootCause: 'provider_outage', checks: [], recommendations: [], at: new Date().toISOString() };
    },
  });
  await withWorker(m.activities, async (tq) => {
    const h = await open(tq, 'incident-resolve-diagnosing');
    await waitFor(state(h), (x) => x.phase === 'diagnosing', 'diagnosing');
    const resolved = await h.executeUpdate(resolveUpdate, { args: [{ by: 'sam' }] });
    expect(resolved.status).toBe('resolved');
    const closed = await waitFor(state(h), (x) => x.phase === 'resolved', 'closed while diagnostics still run');
    expect(types(closed)).toEqual(expect.arrayContaining(['report', 'archive']));
    answer();
    const final = await resultSkippingTime<IncidentState>(testEnv(), h);
    expect(final.phase).toBe('resolved');
    expect(types(final)).toEqual(expect.arrayContaining(['report', 'archive']));
    expect(types(final)).not.toContain('traffic_shifted');
    expect(m.weights).toEqual([]);
  });
});

test('the provider fails again while restoring: failback stopped, traffic off it again, same incident back to mitigation, then closes on the next recovery', async () => {
  const m = mocks();
  await withWorker(m.activities, async (tq) => {
    const h = await open(tq, 'incident-flap');
    const s = await waitFor(state(h), (x) => x.phase === 'monitoring', 'monitoring');
    await h.signal(providerRecoveredSignal, {
      at: new Date(Date.now() - 1_000).toISOString(),
      detail: 'probe 200',
      incidentId: s.id,
    });
    await waitFor(
      async () => m.route().weights,
      (w) => w.openai === 10,
      'first failback step',
    );

    m.open.add('openai');
    await h.signal(alertsSignal, { alerts: [alert('openai', 'failing again')] });
    const back = await waitFor(
      state(h),
      (x) => x.phase === 'monitoring' && x.flaps === 1,
      'back in monitoring after the flap',
    );
    expect(back.id).toBe(s.id);
    expect(back.status).toBe('open');
    expect(types(back)).toContain('failed_again');
    expect(back.failbacks).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
    // Nothing left on the failing provider: the failback returned to the failover route.
    await waitFor(
      async () => m.route().weights,
      (w) => !w.openai,
      'openai carries no traffic',
    );
    expect(m.route().weights).toEqual({ anthropic: 100 });

    m.open.delete('openai');
    await h.signal(providerRecoveredSignal, {
      at: new Date().toISOString(),
      detail: 'probe 200 again',
      incidentId: s.id,
    });
    const final = await resultSkippingTime<IncidentState>(testEnv(), h);
    expect(final).toMatchObject({ id: s.id, status: 'resolved', resolvedBy: 'lifeline', flaps: 1 });
    // The normal run up to restoring, then a second recovering → monitoring → restoring round before closing.
    const toRestoring = PHASES.slice(0, PHASES.indexOf('restoring') + 1);
    expect(final.timeline.filter((e) => e.type === 'phase').map((e) => e.phase)).toEqual([
      ...toRestoring,
      ...['recovering', 'monitoring', 'restoring', 'reporting', 'resolved'],
    ]);
    expect(m.route()).toMatchObject({ weights: { openai: 100 }, mode: 'normal' });
    await maybeWriteFixture('incident-failed-again-while-restoring', h);
  });
});

test('a failure during the closing tail opens a new incident the monitor knows by ID, and it closes on recovery', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reportStarted!: () => void;
  const reporting = new Promise<void>((r) => (reportStarted = r));
  let reports = 0;
  const m = mocks({
    renderReport: async (s) => {
      if (++reports === 1) {
        reportStarted();
        await gate;
      }
      return { markdown: `# ${s.id}`, location: 'memory' };
    },
  });
  await withWorker(m.activities, async (tq) => {
    const h = await open(tq, 'incident-tail');
    const first = await waitFor(state(h), (x) => x.phase === 'monitoring', 'monitoring');
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
    await reporting;
    // What the monitor does on a new outage: signal-with-start, then ask who owns it.
    await h.signal(alertsSignal, { alerts: [alert('openai', 'down again')] });
    const owner = await latest('incident-tail').executeUpdate(owningIncidentUpdate);
    expect(owner.incidentId).not.toBe(first.id);
    release();
    const next = await waitFor(
      state(latest('incident-tail')),
      (x) => x.id === owner.incidentId && x.phase === 'monitoring',
      'the next incident, by the announced ID',
    );
    expect(next).toMatchObject({ status: 'open', title: 'down again' });
    expect((await latest('incident-tail').executeUpdate(owningIncidentUpdate)).incidentId).toBe(owner.incidentId);
    // The monitor's recovery report names the ID it was given: the new incident closes itself.
    await latest('incident-tail').signal(providerRecoveredSignal, {
      at: new Date().toISOString(),
      detail: 'probe 200',
      incidentId: owner.incidentId,
    });
    const final = await resultSkippingTime<IncidentState>(testEnv(), latest('incident-tail'));
    expect(final).toMatchObject({ id: owner.incidentId, status: 'resolved', resolvedBy: 'lifeline' });
    expect(m.archived).toEqual([first.id, owner.incidentId]);
    await maybeWriteFixture(
      'incident-closing-tail-first-run',
      testEnv().client.workflow.getHandle('incident-tail', h.signaledRunId),
    );
    await maybeWriteFixture('incident-closing-tail-next-run', latest('incident-tail'));
  });
});

test('a recovery reported during the closing tail reaches the incident that tail opens', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reportStarted!: () => void;
  const reporting = new Promise<void>((r) => (reportStarted = r));
  let reports = 0;
  const m = mocks({
    renderReport: async (s) => {
      if (++reports === 1) {
        reportStarted();
        await gate;
      }
      return { markdown: `# ${s.id}`, location: 'memory' };
    },
  });
  await withWorker(m.activities, async (tq) => {
    const h = await open(tq, 'incident-tail-recovered');
    await waitFor(state(h), (x) => x.phase === 'monitoring', 'monitoring');
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
    await reporting;
    await h.signal(alertsSignal, { alerts: [alert('openai', 'blip')] });
    const owner = await latest('incident-tail-recovered').executeUpdate(owningIncidentUpdate);
    await h.signal(providerRecoveredSignal, {
      at: new Date().toISOString(),
      detail: 'probe 200',
      incidentId: owner.incidentId,
    });
    release();
    await waitFor(state(latest('incident-tail-recovered')), (x) => x.id === owner.incidentId, 'the next incident');
    const final = await resultSkippingTime<IncidentState>(testEnv(), latest('incident-tail-recovered'));
    expect(final).toMatchObject({ id: owner.incidentId, status: 'resolved', resolvedBy: 'lifeline' });
    expect(types(final)).toContain('recovered');
  });
});

test('activities that exhaust their retries never fail the incident: recorded, and it still reports and archives', async () => {
  const down = async () => {
    throw new Error('dependency down');
  };
  // Traffic already off openai (an earlier failover), so the failback has steps to fail.
  const m = mocks(
    { diagnoseProvider: down, applyRouteStep: down, clearRecoveryHints: down, renderReport: down },
    { openai: 100 },
    { anthropic: 100 },
  );
  await withWorker(m.activities, async (tq) => {
    const h = await open(tq, 'incident-activities-down');
    // Retries take minutes of workflow time, which only moves while we wait on the result: report the
    // recovery up front (the incident still fails over first, then restores).
    await h.signal(providerRecoveredSignal, { at: new Date().toISOString(), detail: 'probe 200' });
    // Minutes of retries per activity: move the clock on in big steps.
    const final = await resultSkippingTime<IncidentState>(testEnv(), h, '5 seconds', 10_000);
    expect(final).toMatchObject({ status: 'resolved', phase: 'resolved' });
    expect(types(final)).toEqual(
      expect.arrayContaining([
        'diagnosis_failed',
        'failover_skipped',
        'recovery_hints_kept',
        'failback_gave_up',
        'report_failed',
        'archive',
      ]),
    );
    expect(final.timeline.find((e) => e.type === 'failback_stopped')?.message).toMatch(
      /shift failed: .*dependency down/,
    );
    expect(final.timeline.filter((e) => e.type === 'failback_retry')).toHaveLength(2);
    expect(m.archived).toEqual([final.id]);
  });
});

test('two incidents on one chain: their shifts queue at the routing entity and both complete', async () => {
  const m = mocks({}, { openai: 50, anthropic: 50 }, { openai: 50, anthropic: 50 });
  await withWorker(m.activities, async (tq) => {
    m.open.add('openai');
    m.open.add('anthropic');
    const a = await open(tq, 'incident-two-a', 'openai');
    const b = await open(tq, 'incident-two-b', 'anthropic');
    const sa = await waitFor(state(a), (x) => x.phase === 'monitoring', 'A monitoring');
    const sb = await waitFor(state(b), (x) => x.phase === 'monitoring', 'B monitoring');
    expect(m.route().weights).toEqual({ bedrock: 100 });
    for (const s of [sa, sb]) expect(types(s)).toContain('traffic_shifted');
    expect(types(sa).concat(types(sb))).not.toContain('shift_failed');

    m.open.clear();
    await a.signal(providerRecoveredSignal, { at: new Date().toISOString(), detail: 'ok', incidentId: sa.id });
    await b.signal(providerRecoveredSignal, { at: new Date().toISOString(), detail: 'ok', incidentId: sb.id });
    // One after the other: the clock is moved by one waiter at a time.
    const fa = await resultSkippingTime<IncidentState>(testEnv(), a, '5 seconds');
    const fb = await resultSkippingTime<IncidentState>(testEnv(), b, '5 seconds');
    expect(fa.status).toBe('resolved');
    expect(fb.status).toBe('resolved');
    expect(m.route()).toMatchObject({ weights: { openai: 50, anthropic: 50 }, mode: 'normal' });
    const q = await latest(routingWorkflowId('chat')).query(shiftQueueQuery);
    // Four shifts, one at a time; none refused or failed for being second.
    expect(q.recent.map((r) => r.result.outcome).filter((o) => o === 'failed' || o === 'cancelled')).toEqual([]);
    expect(q.recent).toHaveLength(4);
  });
});

test('a resolve accepted while continue-as-new drains is not lost', async () => {
  let release!: () => void;
  let armed = false;
  const gate = new Promise<void>((r) => (release = r));
  const m = mocks({
    deliverNotification: async (d) => {
      if (armed && d.notification.kind === 'page') await gate;
      return { channel: d.channel, status: 'delivered' };
    },
  });
  await withWorker(m.activities, async (tq) => {
    const h = await open(tq, 'incident-can-resolve', 'openai', { historyLimit: 120 });
    await waitFor(state(h), (x) => x.phase === 'monitoring', 'monitoring');
    armed = true;
    // A page in flight, then enough signals to cross the history limit: the rollover waits for the page.
    await h.executeUpdate(escalateUpdate, { args: [{ by: 'dana' }] });
    const wf = latest('incident-can-resolve');
    for (let i = 0; i < 60 && !types(await wf.query(incidentStateQuery)).includes('continued'); i++)
      await wf.signal(alertsSignal, { alerts: [alert('openai', `more ${i}`)] });
    await waitFor(
      () => wf.query(incidentStateQuery),
      (x) => types(x).includes('continued'),
      'rolling over',
    );
    const answer = await wf.executeUpdate(resolveUpdate, { args: [{ by: 'sam', note: 'during the rollover' }] });
    expect(answer.status).toBe('resolved');
    release();
    const final = await resultSkippingTime<IncidentState>(testEnv(), wf);
    expect(final).toMatchObject({
      status: 'resolved',
      resolvedBy: 'sam',
      resolution: 'during the rollover',
      phase: 'resolved',
    });
    expect(types(final)).toEqual(expect.arrayContaining(['continued', 'resolve_requested', 'report', 'archive']));
  });
});
