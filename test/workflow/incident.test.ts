// incidentWorkflow on the time-skipping test server, activities mocked: the lifecycle and its timers.
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type {
  ArchiveActivities,
  ArchiveRequest,
  Delivery,
  IncidentActivities,
  Notification,
  RoutingActivities,
  ShiftActivities,
} from '../../activities/types';
import type { RouteState } from '../../workflows/messages';
import { PHASES, type IncidentState } from '../../domain/incident';
import {
  acknowledgeUpdate,
  alertsSignal,
  escalateUpdate,
  incidentStateQuery,
  providerRecoveredSignal,
  resolveUpdate,
} from '../../workflows/messages';
import { workflowBundle, useTimeSkippingEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { resultSkippingTime, startRoutingEntity } from '../helpers/routing-entity';
import { DEFAULT_IMPACT_RULES, DEFAULT_STATUS_UPDATE_MS } from '../../domain/impact';

const testEnv = useTimeSkippingEnv();

type Activities = IncidentActivities & ShiftActivities & ArchiveActivities & RoutingActivities;

function mockActivities(overrides: Partial<Activities> = {}) {
  const notifications: Notification[] = [];
  const published: string[] = [];
  const deliveries: Delivery[] = [];
  const archived: ArchiveRequest[] = [];
  const routing: string[] = [];
  // The chain's route as the routingWorkflow would hold it; traffic shifts step it through applyRouteStep.
  let route: RouteState = {
    id: 'chat',
    providers: ['openai', 'anthropic'],
    weights: { openai: 100 },
    mode: 'normal',
    version: 1,
    updatedAt: new Date().toISOString(),
  };
  const fmt = (w: Record<string, number>) =>
    Object.entries(w)
      .sort()
      .map(([p, v]) => `${p}=${v}`)
      .join(',');
  const activities: Activities = {
    async getIncidentContext() {
      return {
        services: [
          { id: 'support-bot', users: 12_000 },
          { id: 'docs', users: 500 },
        ],
        chains: ['chat'],
        impactRules: DEFAULT_IMPACT_RULES,
        escalationLevels: {},
        ackTimeoutMs: 5 * 60_000,
        maxRepeats: 2,
        statusUpdateMs: DEFAULT_STATUS_UPDATE_MS,
      };
    },
    async notify(n) {
      notifications.push(n);
      return { delivered: ['log'] };
    },
    // The log target gets every notification: it stands for "a notification was sent".
    async deliverNotification(d) {
      deliveries.push(d);
      if (d.channel === 'log') notifications.push(d.notification);
      return { channel: d.channel, status: 'delivered' };
    },
    async diagnoseProvider() {
      return {
        rootCause: 'provider_outage',
        checks: [{ name: 'api_probe', status: 'failed', detail: 'HTTP 503' }],
        recommendations: ['wait'],
        at: new Date().toISOString(),
      };
    },
    async applyRecoveryStep({ action }) {
      return { applied: true, detail: `${action} published` };
    },
    async checkRecovery() {
      return { healthy: false, detail: 'HTTP 503' };
    },
    async clearRecoveryHints() {},
    async shiftContext() {
      return { route, configured: { openai: 100 }, unhealthy: [] };
    },
    async applyRouteStep({ chain, request }) {
      route = {
        ...route,
        weights: request.weights,
        mode: request.mode ?? 'normal',
        version: route.version + 1,
        updatedAt: new Date().toISOString(),
      };
      routing.push(`${route.mode}:${chain}:${fmt(route.weights)}`);
      return route;
    },
    async providerEvidence() {
      return null;
    },
    async validateProvider() {
      return { healthy: true, detail: 'HTTP 200' };
    },
    async renderReport(state: IncidentState) {
      return { markdown: `# Postmortem ${state.id}\n${state.timeline.length} events`, location: 'memory' };
    },
    async publishStatusUpdate(req) {
      published.push(req.update.status);
      return { sent: 1 };
    },
    async startArchiver(req) {
      archived.push(req);
      return { archiveWorkflowId: `archive-${req.state.id}`, started: true };
    },
    async archiveIncident() {
      throw new Error('the archiver workflow is not started by these tests');
    },
    async publishRoute() {
      return { published: [] };
    },
    ...overrides,
  };
  return { activities, notifications, deliveries, routing, published, archived };
}

async function withWorker<T>(activities: Activities, taskQueue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  return worker.runUntil(async () => {
    await startRoutingEntity(testEnv().client, taskQueue);
    return fn();
  });
}

async function openIncident(taskQueue: string, workflowId: string): Promise<WorkflowHandle> {
  return testEnv().client.workflow.signalWithStart('incidentWorkflow', {
    taskQueue,
    workflowId,
    args: [{ scope: 'openai', provider: 'openai', title: 'openai failing health probes' }],
    signal: alertsSignal,
    signalArgs: [
      {
        alerts: [
          {
            provider: 'openai',
            kind: 'outage',
            summary: 'probe 503',
            source: 'test',
            observedAt: new Date(Date.now() - 10_000).toISOString(),
          },
        ],
      },
    ],
  });
}

const FAILED_OVER = 'degraded:chat:anthropic=100';
const FAILBACK_STEPS = [
  'degraded:chat:anthropic=90,openai=10',
  'degraded:chat:anthropic=75,openai=25',
  'degraded:chat:anthropic=50,openai=50',
  'degraded:chat:anthropic=25,openai=75',
  'normal:chat:openai=100',
];

const phaseOf = (h: WorkflowHandle) => () => h.query(incidentStateQuery);

// First in the file: it sleeps 30 minutes of server time, which must not run into timers that earlier
// tests' leftover workflows keep on the shared time-skipping server (the clock then races years ahead).
test('once traffic is mitigated, escalation stops: nobody is woken for an outage already worked around', async () => {
  const { activities, notifications } = mockActivities({
    getIncidentContext: async () => ({
      ...(await mockActivities().activities.getIncidentContext('openai')),
      services: [{ id: 'tiny', users: 50 }],
    }),
  });
  await withWorker(activities, 'tq-mitigated', async () => {
    const h = await openIncident('tq-mitigated', 'incident-mitigated');
    const s = await waitFor(phaseOf(h), (x) => x.phase === 'monitoring', 'monitoring phase');
    expect(s.mitigatedAt).toBeDefined();
    await testEnv().sleep('30 minutes'); // six acknowledgement timeouts
    const after = await waitFor(
      phaseOf(h),
      (x) => x.timeline.some((e) => e.type === 'escalation_stopped'),
      'escalation stopped',
    );
    expect(after.escalationLevel).toBe(1);
    expect(notifications.filter((n) => n.kind === 'page')).toHaveLength(1);
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
    await resultSkippingTime(testEnv(), h);
  });
});

test('walks detect → assess → escalate → diagnose → recover → monitor → report, and fails back on recovery', async () => {
  const { activities, notifications, routing, published, archived } = mockActivities();
  await withWorker(activities, 'tq-lifecycle', async () => {
    const h = await openIncident('tq-lifecycle', 'incident-lifecycle');
    const monitoring = await waitFor(phaseOf(h), (s) => s.phase === 'monitoring', 'monitoring phase');
    expect(monitoring.severity).toBe('SEV1'); // 12,500 users > 10,000 → critical
    expect(monitoring.impact?.affectedServices).toEqual(['support-bot', 'docs']);
    expect(monitoring.escalationLevel).toBe(3);
    expect(monitoring.mitigatedAt).toBeDefined();
    expect(routing).toEqual([FAILED_OVER]);

    // A recovery report about an earlier incident of this scope is stale: it must not resolve this one.
    await h.signal(providerRecoveredSignal, {
      at: new Date().toISOString(),
      detail: 'probe 200',
      incidentId: 'INC-openai-earlier',
    });
    const after = await h.query(incidentStateQuery);
    expect(after.recoveredAt).toBeUndefined();
    expect(after.phase).toBe('monitoring');
    await h.signal(providerRecoveredSignal, {
      at: new Date().toISOString(),
      detail: 'probe 200',
      incidentId: monitoring.id,
    });
    const final = await resultSkippingTime<IncidentState>(testEnv(), h);
    expect(final.status).toBe('resolved');
    expect(final.phase).toBe('resolved');
    expect(final.resolvedBy).toBe('lifeline');
    // Failback in steps of 10 → 25 → 50 → 75 → 100 % once openai has been healthy long enough.
    expect(routing).toEqual([FAILED_OVER, ...FAILBACK_STEPS]);
    expect(final.routingChanges.map((c) => c.version)).toEqual([2, 7]);
    expect(final.report).toContain(`# Postmortem ${final.id}`);
    const phases = final.timeline.filter((e) => e.type === 'phase').map((e) => e.phase);
    expect(phases).toEqual([...PHASES]); // every phase, once, in order
    expect(final.failbacks).toEqual([expect.objectContaining({ chain: 'chat', outcome: 'completed' })]);
    expect(final.faultAt < final.detectedAt).toBe(true); // fault time comes from the alert
    expect(notifications.filter((n) => n.kind === 'page')[0]).toMatchObject({
      level: 3,
      roles: expect.arrayContaining(['executive']),
    });
    expect(notifications.some((n) => n.kind === 'resolved')).toBe(true);
    // The closing run hands itself to the archiver with its final record.
    expect(archived).toHaveLength(1);
    expect(archived[0]).toMatchObject({
      workflowId: 'incident-lifecycle',
      runId: expect.stringMatching(new RegExp(`^${final.id.slice(-8)}`)),
      state: { id: final.id, status: 'resolved' },
    });
    // Customers hear each public status once.
    expect(published).toEqual(['investigating', 'identified', 'monitoring', 'resolved']);
  });
});

test('during a maintenance window of the provider, nobody is paged', async () => {
  const base = mockActivities().activities;
  const { activities, notifications } = mockActivities({
    getIncidentContext: async (p) => ({
      ...(await base.getIncidentContext(p)),
      maintenance: { id: 'm1', title: 'key rotation' },
    }),
  });
  await withWorker(activities, 'tq-maintenance', async () => {
    const h = await openIncident('tq-maintenance', 'incident-maintenance');
    const s = await waitFor(phaseOf(h), (x) => x.phase === 'monitoring', 'monitoring phase');
    expect(notifications.filter((n) => n.kind === 'page')).toEqual([]);
    expect(s.timeline.find((e) => e.type === 'paging_suppressed')?.message).toMatch(/maintenance "key rotation"/);
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
    await resultSkippingTime(testEnv(), h);
  });
});

test('an unacknowledged page escalates after the ack timeout; acknowledging stops it', async () => {
  const { activities, notifications } = mockActivities({
    // 50 users: SEV4, starts at level 1 so there is room to escalate. No chain to fail over: the outage
    // is not mitigated, so escalation goes on.
    getIncidentContext: async () => ({
      ...(await mockActivities().activities.getIncidentContext('openai')),
      services: [{ id: 'tiny', users: 50 }],
      chains: [],
    }),
  });
  await withWorker(activities, 'tq-escalation', async () => {
    const h = await openIncident('tq-escalation', 'incident-escalation');
    await waitFor(phaseOf(h), (s) => s.phase === 'monitoring', 'monitoring phase');
    const pages = async () => notifications.filter((n) => n.kind === 'page').map((n) => n.level);
    expect(await waitFor(pages, (p) => p.length === 1, 'first page')).toEqual([1]);

    await testEnv().sleep('330 seconds');
    await waitFor(phaseOf(h), (s) => s.escalationLevel === 2, 'level 2');
    expect(await waitFor(pages, (p) => p.length === 2, 'second page')).toEqual([1, 2]);

    const acked = await h.executeUpdate(acknowledgeUpdate, { args: [{ by: 'dana' }] });
    expect(acked.acknowledgedAt).toBeDefined();
    await testEnv().sleep('30 minutes');
    const s = await h.query(incidentStateQuery);
    expect(s.escalationLevel).toBe(2);
    expect(notifications.filter((n) => n.kind === 'page')).toHaveLength(2);
    // SEV4 status updates every 2 hours: none yet after ~36 minutes.
    expect(s.statusUpdates).toBe(0);

    const escalated = await h.executeUpdate(escalateUpdate, { args: [{ by: 'dana', level: 3 }] });
    expect(escalated.escalationLevel).toBe(3);
    await expect(h.executeUpdate(escalateUpdate, { args: [{ by: 'dana', level: 2 }] })).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'dana', note: 'done' }] });
    await resultSkippingTime(testEnv(), h);
  });
});

test('status updates follow the severity cadence while open', async () => {
  const { activities, notifications } = mockActivities();
  await withWorker(activities, 'tq-status', async () => {
    const h = await openIncident('tq-status', 'incident-status');
    await waitFor(phaseOf(h), (s) => s.phase === 'monitoring', 'monitoring phase');
    await testEnv().sleep('31 minutes'); // SEV1: every 15 minutes
    const s = await waitFor(phaseOf(h), (x) => x.statusUpdates >= 2, 'two status updates');
    expect(s.statusUpdates).toBe(2);
    const updates = async () => notifications.filter((n) => n.kind === 'status_update').map((n) => n.seq);
    expect(await waitFor(updates, (u) => u.length === 2, 'two status update deliveries')).toEqual([1, 2]);
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
    await resultSkippingTime(testEnv(), h);
  });
});

test('an operator resolve closes the incident without failing back; later actions are refused', async () => {
  const { activities, routing } = mockActivities();
  await withWorker(activities, 'tq-resolve', async () => {
    const h = await openIncident('tq-resolve', 'incident-resolve');
    await waitFor(phaseOf(h), (s) => s.phase === 'monitoring', 'monitoring phase');
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'sam', note: 'provider confirmed fix' }] });
    const final = await resultSkippingTime<IncidentState>(testEnv(), h);
    expect(final.resolvedBy).toBe('sam');
    expect(final.resolution).toBe('provider confirmed fix');
    expect(routing).toEqual([FAILED_OVER]); // traffic stays on the backup until someone fails back
    expect(final.timeline.some((e) => e.type === 'resolve_requested' && e.actor === 'sam')).toBe(true);
  });
});

test('a failing notification channel never blocks the incident', async () => {
  const { activities } = mockActivities({
    deliverNotification: async () => {
      throw new Error('smtp down');
    },
  });
  await withWorker(activities, 'tq-notify-down', async () => {
    const h = await openIncident('tq-notify-down', 'incident-notify-down');
    // 10 attempts with backoff up to a minute: the time-skipping server fast-forwards the retries.
    await h.signal(providerRecoveredSignal, { at: new Date().toISOString(), detail: 'ok' });
    const final = await resultSkippingTime<IncidentState>(testEnv(), h);
    expect(final.status).toBe('resolved');
    expect(final.timeline.some((e) => e.type === 'notification_failed')).toBe(true);
    expect(final.routingChanges).toHaveLength(2);
  });
});

test('alerts arriving after resolution open the next incident of the scope, carried over, not dropped', async () => {
  let releaseReport!: () => void;
  const reportGate = new Promise<void>((r) => (releaseReport = r));
  let reportStarted!: () => void;
  const reportStartedP = new Promise<void>((r) => (reportStarted = r));
  const { activities } = mockActivities({
    renderReport: async (state) => {
      reportStarted();
      await reportGate;
      return { markdown: `# Postmortem ${state.id}`, location: 'memory' };
    },
  });
  await withWorker(activities, 'tq-late', async () => {
    const h = await openIncident('tq-late', 'incident-late');
    const first = await waitFor(phaseOf(h), (s) => s.phase === 'monitoring', 'monitoring phase');
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
    await reportStartedP; // the incident is resolved and writing its report
    await h.signal(alertsSignal, {
      alerts: [
        {
          provider: 'openai',
          kind: 'error_rate',
          summary: 'errors again',
          source: 'alertmanager',
          observedAt: new Date().toISOString(),
        },
      ],
    });
    releaseReport();
    const next = await waitFor(
      () => testEnv().client.workflow.getHandle('incident-late').query(incidentStateQuery),
      (s) => s.id !== first.id && s.phase === 'monitoring',
      'the next incident',
    );
    expect(next.title).toBe('errors again');
    expect(next.alerts.count).toBe(1);
    expect(next.alerts.sample[0].source).toBe('alertmanager');
    expect(next.status).toBe('open');
    await testEnv()
      .client.workflow.getHandle('incident-late')
      .executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
  });
});
