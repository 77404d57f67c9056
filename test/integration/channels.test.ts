// Each delivery channel against a real local counterpart on 127.0.0.1, through the deliverNotification
// activity built from a parsed config: SMTP (smtp-server), PagerDuty Events v2 over HTTPS, the Slack Web
// API and a signature-checking webhook receiver.
import { Agent } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { parseConfig } from '../../config/load';
import { createDeliverActivities } from '../../activities/deliver';
import { pagerdutyChannel } from '../../channels/pagerduty';
import { messageIdFor } from '../../channels/email';
import type { Notification } from '../../activities/types';
import { newIncidentState, type IncidentState } from '../../domain/incident';
import { assessImpact } from '../../domain/impact';
import { notificationFacts } from '../../domain/notification';
import {
  header,
  mimePart,
  startPagerDutyFake,
  startSlackFake,
  startSmtp,
  startWebhookReceiver,
  type PagerDutyFake,
} from '../helpers/fakes';

const ENV = {
  PD_ROUTING_KEY: 'R0UTINGKEY0000000000000000000001',
  DANA_PD_KEY: 'R0UTINGKEY0000000000000000000002',
  SLACK_BOT_TOKEN: 'xoxb-test-token',
  HOOK_SECRET: 's3cret-hook',
};
let dataDir: string;
beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'lifeline-ch-'))));
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function incident(): IncidentState {
  const s = newIncidentState({
    id: 'openai-1a2b3c4d',
    scope: 'openai',
    provider: 'openai',
    title: 'openai failing health probes',
    now: '2026-11-22T10:00:00.000Z',
  });
  s.impact = assessImpact([{ id: 'support-bot', users: 12_000 }]);
  s.severity = 'SEV1';
  s.alerts.count = 3;
  return s;
}

function notification(kind: Notification['kind'], seq: number, state = incident(), opening = false): Notification {
  return {
    incidentId: state.id,
    kind,
    seq,
    level: 1,
    roles: ['technical_lead'],
    severity: 'SEV1',
    title: state.title,
    message: `${kind} message`,
    facts: notificationFacts(state, opening),
  };
}

function deliverer(notifications: string, extra: Parameters<typeof createDeliverActivities>[1] = []) {
  const config = parseConfig(`
providers: [{ id: openai, kind: openai, baseUrl: "sim:openai" }]
dataDir: ${dataDir}
escalation:
  roles:
    technical_lead: [{ name: Dana, email: dana@example.com, slack: U0DANA, pagerdutyRoutingKeyEnv: DANA_PD_KEY }]
notifications:
${notifications}
`);
  return createDeliverActivities(
    { config, client: {} as Client, logger: pino({ level: 'silent' }), baseUrlFor: () => '', env: ENV },
    extra,
  ).deliverNotification;
}

test('email: the team alert and the customer notice arrive over SMTP as HTML + text with deterministic Message-IDs', async () => {
  const smtp = await startSmtp();
  try {
    const deliver = deliverer(
      `  email: { host: 127.0.0.1, port: ${smtp.port}, from: "lifeline <alerts@example.org>", customers: [a@customer.test, b@customer.test] }`,
    );
    const n = notification('page', 7, incident(), true);
    const r = await deliver({ channel: 'email', notification: n });
    expect(r.status).toBe('delivered');
    expect(smtp.mails).toHaveLength(2);
    const [team, customers] = smtp.mails;
    expect(team.to).toEqual(['dana@example.com']);
    expect(header(team.raw, 'Message-ID')).toBe(messageIdFor('openai-1a2b3c4d:page:7', 'team', 'alerts@example.org'));
    expect(header(team.raw, 'Message-ID')).toMatch(/^<[0-9a-f]{32}@example\.org>$/);
    expect(header(team.raw, 'Subject')).toBe('[SEV1] openai failing health probes — level 1 page (openai-1a2b3c4d)');
    expect(header(team.raw, 'Content-Type')).toMatch(/multipart\/alternative/);
    expect(mimePart(team.raw, 'text/plain')).toContain(
      'Why you are paged: page message (escalation level 1, roles: technical_lead)',
    );
    expect(mimePart(team.raw, 'text/html')).toContain('<h2>[SEV1] openai failing health probes</h2>');
    // Customers are Bcc'd (the envelope has them, the headers do not) and get the downtime notice.
    expect(customers.to.sort()).toEqual(['a@customer.test', 'alerts@example.org', 'b@customer.test']);
    expect(header(customers.raw, 'To')).toBe('lifeline <alerts@example.org>');
    expect(customers.raw).not.toContain('customer.test');
    expect(header(customers.raw, 'Subject')).toBe(
      'Service alert: we are working on a problem affecting our AI features',
    );
    // Customers read services by display name (statusPage.componentNames, else a readable default), never
    // by config ID; the team's alert keeps the ID.
    expect(mimePart(customers.raw, 'text/plain')).toContain(
      'What is affected: The service is unavailable (Support bot).',
    );
    expect(mimePart(customers.raw, 'text/plain')).not.toContain('support-bot');
    expect(mimePart(team.raw, 'text/plain')).toContain('support-bot');
    expect(header(customers.raw, 'Message-ID')).not.toBe(header(team.raw, 'Message-ID'));

    // A retried delivery carries the same Message-IDs, so mail systems can drop the duplicate.
    await deliver({ channel: 'email', notification: n });
    expect(header(smtp.mails[2].raw, 'Message-ID')).toBe(header(team.raw, 'Message-ID'));
    // Acknowledgements are not emailed.
    expect((await deliver({ channel: 'email', notification: notification('acknowledged', 0) })).status).toBe('skipped');
  } finally {
    await smtp.close();
  }
});

describe('pagerduty', () => {
  let pd: PagerDutyFake;
  beforeAll(async () => (pd = await startPagerDutyFake()));
  afterAll(async () => pd?.close());

  function pdDeliverer() {
    const config = `  pagerduty: { routingKeyEnv: PD_ROUTING_KEY, server: "${pd.server}", timeoutMs: 5000 }`;
    const cfg = { routingKeyEnv: 'PD_ROUTING_KEY', server: pd.server, timeoutMs: 5000 };
    return deliverer(config, [pagerdutyChannel(cfg, { env: ENV, agent: new Agent({ ca: pd.ca }) })]);
  }

  test('trigger, acknowledge and resolve carry one dedup_key per incident, on every routing key, over HTTPS', async () => {
    pd.events.length = 0;
    const deliver = pdDeliverer();
    await deliver({ channel: 'pagerduty', notification: notification('page', 5) });
    await deliver({ channel: 'pagerduty', notification: notification('acknowledged', 0) });
    expect((await deliver({ channel: 'pagerduty', notification: notification('status_update', 1) })).status).toBe(
      'skipped',
    );
    await deliver({ channel: 'pagerduty', notification: notification('resolved', 0) });
    expect(pd.events.map((e) => `${e.event_action}:${e.routing_key}`)).toEqual([
      `trigger:${ENV.PD_ROUTING_KEY}`,
      `trigger:${ENV.DANA_PD_KEY}`,
      `acknowledge:${ENV.PD_ROUTING_KEY}`,
      `acknowledge:${ENV.DANA_PD_KEY}`,
      `resolve:${ENV.PD_ROUTING_KEY}`,
      `resolve:${ENV.DANA_PD_KEY}`,
    ]);
    expect(new Set(pd.events.map((e) => e.dedup_key))).toEqual(new Set(['lifeline-openai-1a2b3c4d']));
    expect(pd.events[0]).toEqual({
      routing_key: ENV.PD_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'lifeline-openai-1a2b3c4d',
      payload: {
        summary: '[SEV1] openai failing health probes — openai, critical impact, 3 alert(s): page message',
        source: 'lifeline',
        severity: 'critical',
        component: 'openai',
        group: 'ai-providers',
        class: 'critical',
        custom_details: {
          incident: 'openai-1a2b3c4d',
          level: 1,
          phase: 'detected',
          alerts: 3,
          services: ['support-bot'],
        },
      },
    });
    expect(pd.events[4]).toEqual({
      routing_key: ENV.PD_ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'lifeline-openai-1a2b3c4d',
    });
  });

  test('the HTTP status is checked: 400 is not retried, 5xx is', async () => {
    const deliver = pdDeliverer();
    pd.respond.status = 400;
    const rejected = await deliver({ channel: 'pagerduty', notification: notification('page', 6) }).catch(
      (e: unknown) => e,
    );
    expect(rejected).toBeInstanceOf(ApplicationFailure);
    expect((rejected as ApplicationFailure).nonRetryable).toBe(true);
    expect((rejected as Error).message).toMatch(/^pagerduty: HTTP 400/);
    pd.respond.status = 503;
    const transient = await deliver({ channel: 'pagerduty', notification: notification('page', 6) }).catch(
      (e: unknown) => e,
    );
    expect(transient).not.toBeInstanceOf(ApplicationFailure);
    expect((transient as Error).message).toMatch(/^pagerduty: HTTP 503/);
    pd.respond.status = 202;
  });
});

test('slack: one message per incident, posted once, then updated in place with thread replies (also after a lost ts)', async () => {
  const slack = await startSlackFake();
  try {
    const deliver = deliverer(`  slack: { channel: C0INCIDENTS, apiUrl: "${slack.url}" }`);
    const first = await deliver({ channel: 'slack', notification: notification('page', 3, incident(), true) });
    expect(first).toMatchObject({ status: 'delivered', ref: '1700000000.000001' });
    // A retry that lost the ts (worker crashed after posting) finds it in the store and updates.
    await deliver({ channel: 'slack', notification: notification('page', 3, incident(), true) });
    await deliver({ channel: 'slack', notification: notification('status_update', 1), ref: first.ref });
    expect(slack.calls.map((c) => `${c.method}${c.args.thread_ts ? ' (thread)' : ''}`)).toEqual([
      'chat.postMessage',
      'chat.update',
      'chat.update',
      'chat.postMessage (thread)',
    ]);
    expect(slack.calls.every((c) => c.token === `Bearer ${ENV.SLACK_BOT_TOKEN}`)).toBe(true);
    const post = slack.calls[0].args;
    expect(post.channel).toBe('C0INCIDENTS');
    const blocks = JSON.parse(post.blocks) as { type: string; elements?: { action_id: string; value: string }[] }[];
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: '[SEV1] openai failing health probes' } });
    expect(blocks.find((b) => b.type === 'actions')!.elements!.map((e) => [e.action_id, e.value])).toEqual([
      ['lifeline_ack', 'openai-1a2b3c4d'],
      ['lifeline_escalate', 'openai-1a2b3c4d'],
      ['lifeline_resolve', 'openai-1a2b3c4d'],
      ['lifeline_timeline', 'openai-1a2b3c4d'],
    ]);
    expect(slack.calls[2].args.ts).toBe('1700000000.000001');
    expect(slack.calls[3].args.thread_ts).toBe('1700000000.000001');
    expect(slack.calls[3].args.text).toBe('*status_update* (SEV1, phase detected): status_update message <@U0DANA>');
  } finally {
    await slack.close();
  }
});

test('slack: a worker that crashed between posting and recording the ts finds its message by metadata and updates it', async () => {
  const slack = await startSlackFake();
  try {
    const deliver = deliverer(`  slack: { channel: C0INCIDENTS, apiUrl: "${slack.url}" }`);
    await deliver({ channel: 'slack', notification: notification('page', 3, incident(), true) });
    expect(JSON.parse(slack.calls[0].args.metadata)).toEqual({
      event_type: 'lifeline_incident',
      event_payload: { incident_id: 'openai-1a2b3c4d' },
    });
    // What a crash right after chat.postMessage leaves behind: the intent, no ts.
    writeFileSync(
      join(dataDir, 'notifications', 'slack', 'openai-1a2b3c4d.json'),
      JSON.stringify({ replies: [], posting: true }),
    );
    const retried = await deliver({ channel: 'slack', notification: notification('page', 3, incident(), true) });
    expect(retried.ref).toBe('1700000000.000001');
    expect(slack.calls.map((c) => c.method)).toEqual([
      'chat.postMessage',
      'conversations.history',
      'chat.update',
      'chat.postMessage',
    ]);
    expect(slack.calls[3].args.thread_ts).toBe('1700000000.000001'); // a thread reply, not a second incident message
  } finally {
    await slack.close();
  }
});

test('slack: the retry of the very notification whose post landed adopts the message (no second post, no echo in its thread)', async () => {
  const slack = await startSlackFake();
  try {
    const deliver = deliverer(`  slack: { channel: C0INCIDENTS, apiUrl: "${slack.url}" }`);
    await deliver({ channel: 'slack', notification: notification('page', 3, incident(), true) });
    // A worker killed -9 while chat.postMessage was in flight: the intent names this notification's dedup key.
    writeFileSync(
      join(dataDir, 'notifications', 'slack', 'openai-1a2b3c4d.json'),
      JSON.stringify({ replies: [], posting: true, postingKey: 'openai-1a2b3c4d:page:3' }),
    );
    const retried = await deliver({ channel: 'slack', notification: notification('page', 3, incident(), true) });
    expect(retried).toMatchObject({ status: 'delivered', ref: '1700000000.000001', detail: 'posted' });
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'conversations.history']);
    // Later notifications update it and go into its thread as usual.
    await deliver({ channel: 'slack', notification: notification('acknowledged', 0) });
    expect(slack.calls.slice(2).map((c) => [c.method, c.args.ts ?? c.args.thread_ts])).toEqual([
      ['chat.update', '1700000000.000001'],
      ['chat.postMessage', '1700000000.000001'],
    ]);
  } finally {
    await slack.close();
  }
});

test('webhook: JSON signed with HMAC-SHA256 over the raw body, verified by the receiver; a wrong secret is refused for good', async () => {
  const hook = await startWebhookReceiver(ENV.HOOK_SECRET);
  try {
    const deliver = deliverer(`  webhooks: [{ name: ops, url: "${hook.url}", secretEnv: HOOK_SECRET }]`);
    const r = await deliver({ channel: 'webhook:ops', notification: notification('page', 9) });
    expect(r.status).toBe('delivered');
    expect(hook.accepted).toHaveLength(1);
    expect(hook.accepted[0].delivery).toBe('openai-1a2b3c4d:page:9');
    expect(hook.accepted[0].body).toMatchObject({
      type: 'incident.page',
      incident: { incidentId: 'openai-1a2b3c4d', severity: 'SEV1' },
      notification: { kind: 'page', seq: 9 },
    });

    const wrong = deliverer(`  webhooks: [{ name: ops, url: "${hook.url}", secretEnv: PD_ROUTING_KEY }]`);
    const err = await wrong({ channel: 'webhook:ops', notification: notification('page', 9) }).catch((e: unknown) => e);
    expect(hook.rejected).toBe(1);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  } finally {
    await hook.close();
  }
});

test('an unconfigured channel and a missing secret fail without retry, naming what is missing', async () => {
  const deliver = deliverer(
    `  slack: { channel: C1, tokenEnv: MISSING_SLACK_TOKEN, apiUrl: "http://127.0.0.1:9/api/" }`,
  );
  await expect(deliver({ channel: 'email', notification: notification('page', 1) })).rejects.toThrow(
    'channel "email" is not configured',
  );
  await expect(deliver({ channel: 'slack', notification: notification('page', 1) })).rejects.toThrow(
    'slack: environment variable MISSING_SLACK_TOKEN is not set',
  );
});
