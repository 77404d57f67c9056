// No configured secret ever reaches a log line, a workflow history or the archive. A real stack with every
// kind of secret configured (API tokens, a provider API key, Slack bot token and signing secret, SMTP
// password, PagerDuty routing key, webhook signing secrets) and the logger at debug into a buffer runs an
// outage from detection to archived postmortem, plus authenticated API, Slack and PagerDuty-style traffic
// (one carrying its token as routing_key in the body); then every log line, every workflow history on the
// server and every archived file is searched for each secret value.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pagerdutyChannel } from '../../channels/pagerduty';
import {
  startPagerDutyFake,
  startSlackFake,
  startSmtp,
  startWebhookReceiver,
  type PagerDutyFake,
} from '../helpers/fakes';
import { postToSlackEndpoint, slashCommand } from '../helpers/slack';
import { startStack, TEST_ENV, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

const SECRETS = {
  ...TEST_ENV,
  OPENAI_API_KEY: 'sk-proj-leakcheck-9f8e7d6c5b4a',
  SLACK_BOT_TOKEN: 'xoxb-leakcheck-1234-5678-abcdef',
  SLACK_SIGNING_SECRET: 'leakcheck-signing-secret-0b1c2d',
  SMTP_PASSWORD: 'leakcheck-smtp-password-77aa',
  PD_ROUTING_KEY: 'R0UTINGKEYLEAKCHECK00000000000001',
  WEBHOOK_SECRET: 'leakcheck-webhook-secret-e4f5',
  ROUTE_WEBHOOK_SECRET: 'leakcheck-route-webhook-secret-a1',
};

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

let stack: Stack;
let pd: PagerDutyFake;
let slack: Awaited<ReturnType<typeof startSlackFake>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
let routeHooks: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  [pd, slack, smtp, hooks, routeHooks] = await Promise.all([
    startPagerDutyFake(),
    startSlackFake(),
    startSmtp({ auth: { user: 'lifeline', pass: SECRETS.SMTP_PASSWORD } }),
    startWebhookReceiver(SECRETS.WEBHOOK_SECRET),
    startWebhookReceiver(SECRETS.ROUTE_WEBHOOK_SECRET, { scheme: 'timestamped' }),
  ]);
  stack = await startStack({
    env: { ...SECRETS, SLACK_API_URL: `${slack.url}/api/`, SMTP_USER: 'lifeline' },
    log: { level: 'debug', destination: sink },
    withProviderKeys: { openai: 'OPENAI_API_KEY' },
    extraYaml: `notifications:
  slack: { channel: C0INCIDENTS, apiUrl: "${slack.url}" }
  pagerduty: { routingKeyEnv: PD_ROUTING_KEY, server: "${pd.server}" }
  email: { host: 127.0.0.1, port: ${smtp.port}, userEnv: SMTP_USER, passwordEnv: SMTP_PASSWORD, from: "lifeline <alerts@example.org>", customers: [ops@customer.test] }
  webhooks: [{ name: ops, url: "${hooks.url}", secretEnv: WEBHOOK_SECRET }]
  # Every channel pages, so every channel's secret is really used (the default routes leave webhooks out).
  routing:
    outage: { channels: [slack, pagerduty, email, webhook], escalateAfter: 2, withinMs: 180000 }
    error_rate: { channels: [slack, pagerduty, email, webhook], escalateAfter: 2, withinMs: 180000 }
publishers:
  webhook: { url: "${routeHooks.url}", secretEnv: ROUTE_WEBHOOK_SECRET }
smtp: { host: 127.0.0.1, port: ${smtp.port}, userEnv: SMTP_USER, passwordEnv: SMTP_PASSWORD, from: status@example.org }
`,
    channels: [
      pagerdutyChannel(
        { routingKeyEnv: 'PD_ROUTING_KEY', server: pd.server, timeoutMs: 5000 },
        { env: SECRETS, agent: new Agent({ ca: pd.ca }) },
      ),
    ],
  });
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([pd?.close(), slack?.close(), smtp?.close(), hooks?.close(), routeHooks?.close()]);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('no secret value in the debug log, any workflow history or the archive after a full incident', async () => {
  const op = { token: TOKENS.operator };
  // Traffic that carries credentials: bearer tokens, a PagerDuty event authenticated by routing_key in
  // its body, a wrong token (logged as a failure?), a signed Slack command.
  expect((await stack.http('GET', '/v1/incidents', op)).status).toBe(200);
  expect((await stack.http('GET', '/v1/incidents', { token: `${TOKENS.operator}-wrong` })).status).toBe(401);
  const pdEvent = { routing_key: TOKENS.ingest, event_action: 'acknowledge', dedup_key: 'nothing-open' };
  expect((await stack.http('POST', '/v2/enqueue', { body: pdEvent })).status).toBe(202);
  const listed = await postToSlackEndpoint(
    stack.apiUrl,
    slashCommand('list', { id: 'U0DANA', name: 'dana' }, 'http://127.0.0.1:9/respond'),
    { secret: SECRETS.SLACK_SIGNING_SECRET },
  );
  expect(listed.status).toBe(200);

  // An outage from detection to archive: probes (with the provider key), pages, a traffic shift, recovery.
  stack.endpoints.simulator!.setFault('openai', { mode: 'outage' });
  const opened = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open&provider=openai', op),
    (r) => r.body.incidents?.length === 1,
    'an open incident',
    90_000,
  );
  const id: string = opened.body.incidents[0].id;
  const pages = () => [
    pd.events.length,
    slack.calls.filter((c) => c.method === 'chat.postMessage').length,
    smtp.mails.length,
    hooks.accepted.length,
  ];
  await waitFor(
    async () => pages(),
    (n) => n.every((x) => x >= 1),
    'pages on every channel (PagerDuty, Slack, email, webhook)',
    90_000,
  );
  expect((await stack.http('POST', `/v1/incidents/${id}/acknowledge`, { ...op, body: { by: 'dana' } })).status).toBe(
    200,
  );
  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
  await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'resolved',
    'resolution',
    120_000,
  );
  const archiveDir = join(stack.dataDir, 'archive');
  await waitFor(
    async () => {
      try {
        return readdirSync(archiveDir).length;
      } catch {
        return 0;
      }
    },
    (n) => n >= 1,
    'the archive',
    60_000,
  );
  // Every channel and publisher received what it should, authenticated with the secret under test.
  await waitFor(
    async () => pd.events.filter((e) => e.event_action === 'resolve').length,
    (n) => n >= 1,
    'the PagerDuty resolve',
    60_000,
  );
  await waitFor(
    async () => hooks.accepted.filter((h) => h.body.type === 'incident.resolved').length,
    (n) => n >= 1,
    'the resolved webhook',
    60_000,
  );
  // PagerDuty: trigger and resolve, both carrying the routing key (the only thing that authenticates them).
  expect(pd.events.map((e) => e.routing_key)).toEqual(pd.events.map(() => SECRETS.PD_ROUTING_KEY));
  expect(pd.events.map((e) => e.event_action)).toEqual(expect.arrayContaining(['trigger', 'resolve']));
  // Slack: every Web API call carried the bot token; the incident was posted.
  expect(slack.calls.length).toBeGreaterThan(0);
  expect(slack.calls.map((c) => c.token)).toEqual(slack.calls.map(() => `Bearer ${SECRETS.SLACK_BOT_TOKEN}`));
  expect(slack.calls.some((c) => c.method === 'chat.postMessage' && c.args.text?.includes(id))).toBe(true);
  // SMTP: the server requires AUTH, so the password was sent; every session logged in with it, and the
  // team page and the customer notice both arrived over an authenticated session.
  expect(smtp.auths.length).toBeGreaterThan(0);
  expect(smtp.auths).toEqual(smtp.auths.map(() => ({ user: 'lifeline', ok: true })));
  expect(smtp.mails.every((m) => m.user === 'lifeline')).toBe(true);
  expect(smtp.mails.flatMap((m) => m.to)).toEqual(expect.arrayContaining(['dana@example.com', 'ops@customer.test']));
  // Webhooks: signed with their secrets (the receivers verify; none rejected), page and resolution, and the
  // route publisher's failover and failback.
  expect(hooks.rejected).toBe(0);
  expect(hooks.accepted.map((h) => h.body.type)).toEqual(
    expect.arrayContaining(['incident.page', 'incident.resolved']),
  );
  expect(routeHooks.rejected).toBe(0);
  expect(routeHooks.accepted.length).toBeGreaterThanOrEqual(2);
  expect(routeHooks.accepted.every((h) => h.body.type === 'route.changed' && /^chat:\d+$/.test(h.delivery))).toBe(true);

  // Controls: the search does see what reaches the log, and a credential in a header field is redacted.
  const canary = `canary-${Date.now()}`;
  stack.api.log.debug({ headers: { authorization: `Bearer ${TOKENS.admin}` }, note: canary }, 'control line');
  await waitFor(
    async () => lines.some((l) => l.includes(canary)),
    (seen) => seen,
    'the control line in the log',
  );

  // Every workflow history the server holds (incident, monitors, routing, shifts, archiver).
  const histories: string[] = [];
  for await (const ex of stack.client.workflow.list()) {
    const h = await stack.client.workflow.getHandle(ex.workflowId, ex.runId).fetchHistory();
    // Payload bytes as text, so a secret inside any payload is visible to the search.
    histories.push(
      JSON.stringify(h, (_k, v: unknown) =>
        v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer'
          ? Buffer.from((v as { data: number[] }).data).toString('utf8')
          : v instanceof Uint8Array
            ? Buffer.from(v).toString('utf8')
            : v,
      ),
    );
  }
  const archived = filesUnder(archiveDir).map((f) => ({ f, text: readFileSync(f, 'utf8') }));
  console.log(
    `[figures] secrets: ${Object.keys(SECRETS).length} values searched in ${lines.length} debug log lines, ${histories.length} workflow histories, ${archived.length} archived files`,
  );
  expect(lines.length).toBeGreaterThan(10);
  expect(histories.length).toBeGreaterThan(3);
  expect(archived.length).toBeGreaterThan(1);

  const found: string[] = [];
  for (const [name, value] of Object.entries(SECRETS)) {
    for (const l of lines) if (l.includes(value)) found.push(`${name} in log: ${l.slice(0, 300)}`);
    for (const h of histories)
      if (h.includes(value) || h.includes(Buffer.from(value).toString('base64')))
        found.push(`${name} in a workflow history`);
    for (const a of archived)
      if (a.text.includes(value) || a.text.includes(Buffer.from(value).toString('base64')))
        found.push(`${name} in ${a.f}`);
  }
  expect(found).toEqual([]);
});
