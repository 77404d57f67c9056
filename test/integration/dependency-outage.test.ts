// Our own dependencies down: Slack, SMTP and PagerDuty refuse connections for the whole incident while
// the webhook stays up. The incident must still be diagnosed, fail over, page and escalate (through the webhook),
// resolve when the provider recovers; every delivery lands once the three come back. "Minutes" is
// simulated with short retry intervals in `notifications.retry`; the defaults retry for ≈ 16 minutes.
import { Agent } from 'node:https';
import { pagerdutyChannel } from '../../channels/pagerduty';
import {
  startPagerDutyReceiver,
  startSlackReceiver,
  startSmtpReceiver,
  startWebhookReceiver,
  distinct,
} from '../helpers/receivers';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
let pd: Awaited<ReturnType<typeof startPagerDutyReceiver>>;
let slack: Awaited<ReturnType<typeof startSlackReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
const env = {
  PD_ROUTING_KEY: 'R0UTINGKEY00000000000000000OUTAGE',
  SLACK_BOT_TOKEN: 'xoxb-outage',
  HOOK_SECRET: 'hook-secret-outage',
};
const op = { token: TOKENS.operator };

beforeAll(async () => {
  [pd, slack, smtp, hook] = await Promise.all([
    startPagerDutyReceiver(),
    startSlackReceiver(),
    startSmtpReceiver(),
    startWebhookReceiver('x-lifeline-delivery'),
  ]);
  stack = await startStack({
    env,
    extraYaml: `notifications:
  slack: { channel: C0OUTAGE, apiUrl: "${slack.url}", timeoutMs: 2000 }
  pagerduty: { routingKeyEnv: PD_ROUTING_KEY, server: "${pd.server}", timeoutMs: 2000 }
  email: { host: 127.0.0.1, port: ${smtp.port}, from: "lifeline <alerts@example.org>", customers: [ops@customer.test], timeoutMs: 2000 }
  webhooks: [{ name: ops, url: "${hook.url}", secretEnv: HOOK_SECRET }]
  routing:
    outage: { channels: [slack, pagerduty, email, webhook], escalateAfter: 1000, withinMs: 60000 }
  retry: { initialIntervalMs: 200, maximumIntervalMs: 1000, maximumAttempts: 500 }
smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "status <status@example.org>" }
`,
    // Unacknowledged pages escalate quickly, so escalation visibly goes on during the outage.
    editYaml: (yaml) => yaml.replace('escalation:\n', 'escalation:\n  ackTimeoutMs: 1500\n  maxRepeats: 2\n'),
    channels: [
      pagerdutyChannel(
        { routingKeyEnv: 'PD_ROUTING_KEY', server: pd.server, timeoutMs: 2000 },
        { env, agent: new Agent({ ca: pd.ca }) },
      ),
    ],
  });
});
afterAll(async () => {
  await stack?.stop();
  await Promise.all([pd, slack, smtp, hook].map((r) => r?.close()));
});

test('Slack, SMTP and PagerDuty unreachable: the incident runs to resolution, escalation goes on via the webhook, every delivery lands after they return', async () => {
  // A confirmed status-page subscriber, so status emails are part of the outage too.
  expect(
    (await stack.http('POST', '/v1/subscribers', { body: { email: 'watcher@customer.test', components: ['openai'] } }))
      .status,
  ).toBe(202);
  const confirm = await waitFor(
    async () => smtp.mails.find((m) => m.to.includes('watcher@customer.test')),
    Boolean,
    'confirmation email',
  );
  const token = /confirm\?token=([A-Za-z0-9_%-]+)/.exec(confirm!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='))?.[1];
  expect((await stack.http('GET', `/v1/subscribers/confirm?token=${token}`)).status).toBe(200);
  const before = { pd: pd.events.length, slack: slack.calls.length, mails: smtp.mails.length };

  await Promise.all([slack.down(), smtp.down(), pd.down()]);
  const downAt = Date.now();
  stack.endpoints.simulator!.setFault('openai', { mode: 'outage' });
  const opened = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open&provider=openai', op),
    (r) => r.body.incidents?.length === 1,
    'an incident',
  );
  const id: string = opened.body.incidents[0].id;

  // Diagnosis and failover are not held up; the team is paged through the webhook. Once traffic is moved
  // lifeline stops re-paging by itself, so the second page is an operator's escalation: it still goes out.
  await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'monitoring',
    'failed over while Slack, SMTP and PagerDuty are down',
    60_000,
  );
  expect((await stack.http('POST', `/v1/incidents/${id}/escalate`, { ...op, body: { by: 'dana' } })).status).toBe(200);
  await waitFor(
    async () => hook.hooks.filter((h) => h.body.type === 'incident.page').length,
    (n) => n >= 2,
    'an escalation page via the webhook',
    60_000,
  );
  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
  const resolved = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.status === 'resolved',
    'resolved while they are still down',
    60_000,
  );
  expect(resolved.body.timeline.map((e: { type: string }) => e.type)).toEqual(
    expect.arrayContaining(['diagnosed', 'traffic_shifted', 'recovered', 'traffic_restored']),
  );
  // While down, every one of the three was tried and refused (the delivery activity counted retryable
  // failures on each), nothing was received before they returned, and nothing was given up on.
  const failures = async () => {
    const values = (await stack.metrics.registry.getSingleMetric('lifeline_notification_failures_total')!.get()).values;
    return Object.fromEntries(
      ['slack', 'email', 'pagerduty'].map((ch) => [
        ch,
        values.filter((v) => v.labels.channel === ch && v.labels.retryable === 'true').reduce((n, v) => n + v.value, 0),
      ]),
    );
  };
  const refused = await waitFor(
    failures,
    (f) => Object.values(f).every((n) => n >= 1),
    'refused deliveries on Slack, SMTP and PagerDuty',
  );
  expect({ pd: pd.events.length, slack: slack.calls.length, mails: smtp.mails.length }).toEqual(before);
  expect(
    resolved.body.timeline.filter(
      (e: { type: string }) => e.type === 'notification_failed' || e.type === 'status_publish_failed',
    ),
  ).toEqual([]);

  await Promise.all([slack.up(), smtp.up(), pd.up()]);
  const upAt = Date.now();
  const closed = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'resolved',
    'every delivery landed and the report written',
    120_000,
  );
  const landedAt = Date.now();

  const pages = closed.body.timeline.filter((e: { type: string }) => e.type === 'paged').length;
  expect(pages).toBeGreaterThanOrEqual(2);
  // PagerDuty: one alert (one dedup_key) triggered and resolved.
  const events = pd.events.filter((e) => e.dedup_key === `lifeline-${id}`);
  expect(distinct(events, (e) => e.event_action)).toEqual(['trigger', 'resolve']);
  // Exact counts once the queues drained: one trigger per page (same dedup_key), one resolve; none twice.
  expect(events.map((e) => e.event_action)).toEqual([...Array.from({ length: pages }, () => 'trigger'), 'resolve']);
  const hooks = hook.hooks.filter((h) => (h.body.incident as { incidentId?: string } | undefined)?.incidentId === id);
  expect(hooks.filter((h) => h.body.type === 'incident.page')).toHaveLength(pages);
  expect(hooks.filter((h) => h.body.type === 'incident.resolved')).toHaveLength(1);
  expect(new Set(hooks.map((h) => h.id)).size).toBe(hooks.length);
  // Slack: one incident message, updated and threaded.
  expect(slack.roots(`(${id})`)).toHaveLength(1);
  expect(slack.calls.some((c) => c.method === 'chat.update')).toBe(true);
  // Email: every page to the team, customers' start and resolved notices, and the subscriber's status updates.
  const mails = smtp.mails.filter((m) => m.incident === id);
  expect(mails.filter((m) => m.to.includes('dana@example.com'))).toHaveLength(pages);
  expect(mails.filter((m) => m.to.includes('ops@customer.test'))).toHaveLength(2);
  const status = smtp.mails.filter(
    (m) => m.to.includes('watcher@customer.test') && m.messageId.startsWith(`<status.${id}.`),
  );
  expect(status.map((m) => m.subject)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^\[investigating\]/), expect.stringMatching(/^\[resolved\]/)]),
  );
  expect(closed.body.timeline.filter((e: { type: string }) => /failed/.test(e.type))).toEqual([]);
  process.stdout.write(
    `[figures] dependency outage: Slack, SMTP and PagerDuty down ${((upAt - downAt) / 1000).toFixed(1)} s (incident diagnosed, failed over, escalated ${pages - 1}× via webhook and resolved meanwhile; refused attempts ${JSON.stringify(refused)}); ` +
      `all ${mails.length + status.length} emails, ${events.length} PagerDuty events and the Slack message landed within ${((landedAt - upAt) / 1000).toFixed(1)} s of their return\n`,
  );
});
