// Status-page subscriptions end to end with a real local SMTP server: double opt-in, durable storage,
// incident-update emails with an unsubscribe link, and unsubscribing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApi } from '../../api/server';
import { parseConfig } from '../../config/load';
import type { LifelineConfig } from '../../config/schema';
import { createLogger } from '../../worker/logger';
import { createStatusMailer } from '../../status/mailer';
import { SubscriberStore } from '../../status/subscribers';
import type { PublicIncident } from '../../domain/public-status';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp';
import { waitFor } from '../helpers/wait';

let smtp: SmtpSink;
let api: FastifyInstance;
let url: string;
let config: LifelineConfig;
const env = { LIFELINE_ADMIN_TOKEN: 'admin-token-1234' };
const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }); // these routes never touch Temporal

beforeAll(async () => {
  smtp = await startSmtpSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-subs-'));
  config = parseConfig(`
server: { publicUrl: "https://status.acme.test" }
dataDir: ${dataDir}
auth: { tokens: [{ name: admin, tokenEnv: LIFELINE_ADMIN_TOKEN, scopes: [admin] }] }
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
  - { id: anthropic, kind: anthropic, baseUrl: https://api.anthropic.com }
chains: [{ id: chat, providers: [openai, anthropic], weights: { openai: 100 } }]
services: [{ id: support-bot, chains: [chat], users: 10 }]
statusPage: { title: Acme AI status }
smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "Acme status <status@acme.test>" }
`);
  api = await buildApi({ config, client, logger: createLogger({ level: 'silent' }), env });
  await api.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await api?.close();
  await smtp?.close();
});

const post = async (body: unknown) => {
  const res = await request(`${url}/v1/subscribers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as any };
};
const follow = async (link: string) => {
  const res = await request(link.replace('https://status.acme.test', url));
  return { status: res.statusCode, text: await res.body.text() };
};
const linkIn = (text: string, kind: 'confirm' | 'unsubscribe') =>
  new RegExp(`https://status\\.acme\\.test/v1/subscribers/${kind}\\?token=[A-Za-z0-9_.%-]+`).exec(text)![0];

const incident: PublicIncident = {
  id: 'openai-0badc0de',
  name: 'OpenAI errors',
  status: 'identified',
  impact: 'major',
  startedAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-20T10:05:00.000Z',
  monitoringAt: null,
  resolvedAt: null,
  components: ['support-bot', 'openai'],
  updates: [
    {
      id: 'openai-0badc0de-7',
      status: 'identified',
      body: 'Moving traffic to a healthy provider.',
      at: '2026-11-20T10:05:00.000Z',
    },
  ],
};

test('bad input is refused field by field and creates nothing', async () => {
  const bad = await post({ email: 'not-an-email', components: ['openai', 'nope'] });
  expect(bad.status).toBe(400);
  expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(['body.email']);
  const unknown = await post({ email: 'a@acme.test', components: ['openai', 'nope'] });
  expect(unknown).toMatchObject({ status: 400, body: { issues: [{ path: 'body.components.1' }] } });
  expect(await SubscriberStore.inDataDir(config.dataDir, env).all()).toEqual([]);
});

test('subscribe → confirmation email → confirm → update emails with unsubscribe → unsubscribe', async () => {
  expect((await post({ email: 'Dana@Acme.test' })).status).toBe(202);
  expect((await post({ email: 'pending@acme.test' })).status).toBe(202); // never confirms
  expect((await post({ email: 'anthropic-only@acme.test', components: ['anthropic'] })).status).toBe(202);
  await waitFor(
    async () => smtp.mails.length,
    (n) => n === 3,
    'three confirmation emails',
  );
  const confirmation = smtp.mails.find((m) => m.to.includes('dana@acme.test'))!;
  expect(confirmation.header('Subject')).toBe('Confirm your subscription to Acme AI status');

  // Nothing is sent to anyone before they confirm.
  const store = SubscriberStore.inDataDir(config.dataDir, env);
  expect((await createStatusMailer(config, env)!.sendIncidentUpdate(incident, incident.updates[0], store)).sent).toBe(
    0,
  );

  const confirmed = await follow(linkIn(confirmation.decoded, 'confirm'));
  expect(confirmed).toMatchObject({ status: 200 });
  expect(confirmed.text).toContain('Subscribed');
  const other = smtp.mails.find((m) => m.to.includes('anthropic-only@acme.test'))!;
  expect((await follow(linkIn(other.decoded, 'confirm'))).status).toBe(200);

  // Durable: a fresh store over the same directory sees the confirmations.
  const reopened = SubscriberStore.inDataDir(config.dataDir, env);
  expect((await reopened.confirmed()).map((s) => s.email).sort()).toEqual([
    'anthropic-only@acme.test',
    'dana@acme.test',
  ]);

  const before = smtp.mails.length;
  const result = await createStatusMailer(config, env)!.sendIncidentUpdate(incident, incident.updates[0], reopened);
  expect(result.sent).toBe(1); // the anthropic-only subscriber is not affected by an OpenAI incident
  const update = await waitFor(
    async () => smtp.mails.slice(before),
    (m) => m.length === 1,
    'the update email',
  );
  expect(update[0].to).toEqual(['dana@acme.test']);
  expect(update[0].header('Message-ID')).toMatch(/^<status\.openai-0badc0de\.openai-0badc0de-7\.[0-9a-f-]+@lifeline>$/);
  expect(update[0].header('Subject')).toBe('[identified] OpenAI errors');
  const unsubscribe = linkIn(update[0].decoded, 'unsubscribe');
  expect(update[0].header('List-Unsubscribe')).toBe(`<${unsubscribe}>`);

  expect((await follow(unsubscribe.slice(0, -3) + 'xyz')).status).toBe(404); // tampered
  expect((await follow(unsubscribe)).status).toBe(200);
  expect((await reopened.confirmed()).map((s) => s.email)).toEqual(['anthropic-only@acme.test']);
  expect((await follow(unsubscribe)).status).toBe(404); // already gone

  const list = await request(`${url}/v1/subscribers`, { headers: { authorization: 'Bearer admin-token-1234' } });
  const listed = ((await list.body.json()) as { subscribers: { email: string; status: string }[] }).subscribers;
  expect(listed.map((s) => `${s.email}:${s.status}`).sort()).toEqual([
    'anthropic-only@acme.test:confirmed',
    'pending@acme.test:pending',
  ]);
  expect(JSON.stringify(listed)).not.toMatch(/TokenHash/);
});

test('without an smtp section, subscribing is switched off', async () => {
  const noMail = await buildApi({
    config: { ...config, smtp: undefined },
    client,
    logger: createLogger({ level: 'silent' }),
    env,
  });
  await noMail.listen({ host: '127.0.0.1', port: 0 });
  const port = (noMail.server.address() as { port: number }).port;
  const res = await request(`http://127.0.0.1:${port}/v1/subscribers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'x@acme.test' }),
  });
  expect(res.statusCode).toBe(404);
  const error = ((await res.body.json()) as { error: string }).error;
  expect(error).toBe('email updates are not available on this status page');
  expect(error).not.toMatch(/smtp|config/i); // nothing about how lifeline is set up
  await noMail.close();
});
