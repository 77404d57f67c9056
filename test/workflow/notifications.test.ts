// Per-channel delivery from incidentWorkflow on the time-skipping server (activities mocked): a channel
// that is down is retried and recorded while the others deliver once; Slack's ts comes back for updates;
// the repeat-alert rule and impact re-assessment escalate with their reasons on the timeline.
import { SHIPPED_DELIVERY_RETRY, stubActivities } from '../helpers/activity-stubs';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { Delivery, DeliveryResult, IncidentActivities, IncidentContext } from '../../activities/types';
import type { Alert, IncidentState } from '../../domain/incident';
import {
  acknowledgeUpdate,
  alertsSignal,
  incidentStateQuery,
  providerRecoveredSignal,
  resolveUpdate,
} from '../../workflows/messages';
import { DEFAULT_ALERT_ROUTING, DEFAULT_ROUTE } from '../../domain/alert-rules';
import { workflowBundle, useTimeSkippingEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { DEFAULT_IMPACT_RULES, DEFAULT_STATUS_UPDATE_MS } from '../../domain/impact';

const testEnv = useTimeSkippingEnv();

const context = (users: number): IncidentContext => ({
  services: [{ id: 'support-bot', users }],
  chains: [],
  impactRules: DEFAULT_IMPACT_RULES,
  escalationLevels: {},
  ackTimeoutMs: 60 * 60_000,
  maxRepeats: 2,
  statusUpdateMs: DEFAULT_STATUS_UPDATE_MS,
  channels: ['log', 'slack', 'email', 'pagerduty'],
  alertRouting: { routes: DEFAULT_ALERT_ROUTING, fallback: DEFAULT_ROUTE },
  serviceCatalog: [
    { id: 'support-bot', users },
    { id: 'billing', users: 20_000 },
  ],
  deliveryRetry: SHIPPED_DELIVERY_RETRY, // what getIncidentContext returns under the default config
});

function activities(users: number, deliver: (d: Delivery) => Promise<DeliveryResult>): IncidentActivities {
  return {
    ...stubActivities(),
    getIncidentContext: async () => context(users),
    notify: async () => ({ delivered: [] }),
    deliverNotification: deliver,
    diagnoseProvider: async () => ({
      rootCause: 'provider_outage',
      checks: [],
      recommendations: ['wait'],
      at: new Date().toISOString(),
    }),
    renderReport: async (s: IncidentState) => ({ markdown: `# ${s.id}`, location: 'memory' }),
    publishStatusUpdate: async () => ({ sent: 0 }),
  };
}

const alert = (kind: Alert['kind'], details?: Record<string, unknown>): Alert => ({
  provider: 'openai',
  kind,
  summary: `${kind} alert`,
  source: 'test',
  observedAt: new Date().toISOString(),
  ...(details ? { details } : {}),
});

async function open(taskQueue: string, workflowId: string, first: Alert): Promise<WorkflowHandle> {
  return testEnv().client.workflow.signalWithStart('incidentWorkflow', {
    taskQueue,
    workflowId,
    args: [{ scope: 'openai', provider: 'openai', title: 'openai errors' }],
    signal: alertsSignal,
    signalArgs: [{ alerts: [first] }],
  });
}

async function run<T>(acts: IncidentActivities, taskQueue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: acts,
  });
  return worker.runUntil(fn());
}

test('a channel that is down is retried with backoff and recorded; the others deliver once and the incident completes', async () => {
  const calls: Delivery[] = [];
  const acts = activities(12_000, async (d) => {
    calls.push(d);
    if (d.channel === 'pagerduty') throw new Error('connect ECONNREFUSED 127.0.0.1:443');
    return { channel: d.channel, status: 'delivered', ...(d.channel === 'slack' ? { ref: '1700000000.000100' } : {}) };
  });
  await run(acts, 'tq-notify-channels', async () => {
    const h = await open('tq-notify-channels', 'incident-notify-channels', alert('error_rate'));
    await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.phase === 'monitoring',
      'monitoring',
    );
    await h.signal(providerRecoveredSignal, { at: new Date().toISOString(), detail: 'ok' });
    const final = (await h.result()) as IncidentState;
    expect(final.status).toBe('resolved');

    const by = (ch: string, kind: string) => calls.filter((c) => c.channel === ch && c.notification.kind === kind);
    // error_rate routes to Slack + PagerDuty, not email.
    expect(calls.some((c) => c.channel === 'email')).toBe(false);
    expect(by('slack', 'page')).toHaveLength(1); // not re-sent while PagerDuty was retried
    expect(by('slack', 'resolved')).toHaveLength(1);
    expect(by('slack', 'page')[0].ref).toBeUndefined();
    expect(by('slack', 'resolved')[0].ref).toBe('1700000000.000100'); // update in place
    expect(by('pagerduty', 'page')).toHaveLength(SHIPPED_DELIVERY_RETRY.maximumAttempts); // the shipped policy, run to its end
    expect(SHIPPED_DELIVERY_RETRY.maximumAttempts).toBe(20);
    expect(by('pagerduty', 'page')[0].notification.facts).toMatchObject({
      incidentId: final.id,
      opening: true,
      impactLevel: 'critical',
    });
    expect(final.timeline.filter((e) => e.type === 'notification_failed').map((e) => e.message)).toEqual([
      expect.stringMatching(/^page via pagerduty not delivered: connect ECONNREFUSED/),
      expect.stringMatching(/^resolved via pagerduty not delivered/),
    ]);
    expect(final.timeline.filter((e) => e.type === 'notified').map((e) => e.message)).toEqual([
      'page via slack',
      'resolved via slack',
    ]);
  });
});

test('repeated alerts of a kind escalate one level (runbook: 2 error-rate alerts within 3 min); acknowledging notifies PagerDuty', async () => {
  const calls: Delivery[] = [];
  const acts = activities(50, async (d) => {
    calls.push(d);
    return { channel: d.channel, status: 'delivered' };
  });
  await run(acts, 'tq-notify-repeat', async () => {
    const h = await open('tq-notify-repeat', 'incident-notify-repeat', alert('error_rate'));
    const first = await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.phase === 'monitoring',
      'monitoring',
    );
    expect(first.escalationLevel).toBe(1); // 50 users: SEV4
    await h.signal(alertsSignal, { alerts: [alert('error_rate')] });
    const escalated = await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.escalationLevel === 2,
      'level 2',
    );
    expect(escalated.timeline.find((e) => e.type === 'escalated')?.message).toBe(
      'escalated to level 2: 2 error_rate alert(s) within 180 s',
    );
    await waitFor(
      async () =>
        calls
          .filter((c) => c.channel === 'pagerduty' && c.notification.kind === 'page')
          .map((c) => c.notification.level),
      (l) => l.length === 2,
      'two pages',
    );

    await h.executeUpdate(acknowledgeUpdate, { args: [{ by: 'dana' }] });
    await waitFor(
      async () =>
        calls
          .filter((c) => c.notification.kind === 'acknowledged')
          .map((c) => c.channel)
          .sort(),
      (c) => c.length === 3,
      'ack notices',
    );
    expect(
      calls
        .filter((c) => c.notification.kind === 'acknowledged')
        .map((c) => c.channel)
        .sort(),
    ).toEqual(['log', 'pagerduty', 'slack']);
    // After the acknowledgement, more alerts no longer escalate.
    await h.signal(alertsSignal, { alerts: [alert('error_rate'), alert('error_rate')] });
    await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.alerts.count === 4,
      'four alerts',
    );
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'dana' }] });
    const final = (await h.result()) as IncidentState;
    expect(final.escalationLevel).toBe(2);
  });
});

test('alerts naming more services re-assess impact, raise the severity and page the matching level', async () => {
  const calls: Delivery[] = [];
  const acts = activities(500, async (d) => {
    calls.push(d);
    return { channel: d.channel, status: 'delivered' };
  });
  await run(acts, 'tq-notify-impact', async () => {
    const h = await open('tq-notify-impact', 'incident-notify-impact', alert('latency'));
    const first = await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.phase === 'monitoring',
      'monitoring',
    );
    expect(first.severity).toBe('SEV3'); // 500 users: medium
    await h.signal(alertsSignal, { alerts: [alert('latency', { services: ['billing'] })] });
    const after = await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.severity === 'SEV1',
      'SEV1',
    );
    expect(after.impact).toMatchObject({
      level: 'critical',
      affectedServices: ['support-bot', 'billing'],
      users: 20_500,
    });
    expect(after.escalationLevel).toBe(3);
    expect(after.timeline.find((e) => e.type === 'impact')?.message).toMatch(
      /^impact re-assessed medium → critical: 2 service\(s\), 20500 user\(s\); alerts named billing/,
    );
    const pages = await waitFor(
      async () => calls.filter((c) => c.channel === 'log' && c.notification.kind === 'page'),
      (p) => p.length === 2,
      'second page',
    );
    expect(pages[1].notification).toMatchObject({ level: 3, message: 'impact grew to critical', severity: 'SEV1' });
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
    await h.result();
  });
});

test('escalation ladder: unacknowledged pages climb a level per ack timeout, repeat at the top, then stop after maxRepeats', async () => {
  const calls: Delivery[] = [];
  const acts = activities(50, async (d) => {
    calls.push(d);
    return { channel: d.channel, status: 'delivered' };
  });
  acts.getIncidentContext = async () => ({ ...context(50), ackTimeoutMs: 5 * 60_000, maxRepeats: 3 });
  await run(acts, 'tq-notify-ladder', async () => {
    const h = await open('tq-notify-ladder', 'incident-notify-ladder', alert('quota'));
    await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.phase === 'monitoring',
      'monitoring',
    );
    await testEnv().sleep('21 minutes'); // 3 ack timeouts (5 min each) and then some
    const s = await waitFor(
      () => h.query(incidentStateQuery),
      (x) => x.timeline.some((e) => e.type === 'escalation_exhausted'),
      'escalation exhausted',
    );
    const pages = await waitFor(
      async () =>
        calls.filter((c) => c.channel === 'log' && c.notification.kind === 'page').map((c) => c.notification.level),
      (p) => p.length === 4,
      'four pages',
    );
    expect(pages).toEqual([1, 2, 3, 3]);
    expect(s.timeline.find((e) => e.type === 'escalation_exhausted')?.message).toBe(
      'no acknowledgement after 3 escalation(s)',
    );
    // quota alerts route to the default (email): every page went to the log and email targets only.
    expect([...new Set(calls.filter((c) => c.notification.kind === 'page').map((c) => c.channel))].sort()).toEqual([
      'email',
      'log',
    ]);
    await testEnv().sleep('30 minutes');
    expect(calls.filter((c) => c.channel === 'log' && c.notification.kind === 'page')).toHaveLength(4);
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
    await h.result();
  });
});
