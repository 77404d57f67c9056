// The ingestion endpoints' contracts with the recording path faked: wire formats (realistic Alertmanager
// and PagerDuty samples), field-level 400s, 401/403, 413, the per-token rate limit, and that a rejected
// request records nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { request } from 'undici';
import { buildApi } from '../../api/server';
import { createAlertIngest, type AlertIngest, type ScopeResult } from '../../api/ingest';
import { parseConfig } from '../../config/load';
import type { Alert } from '../../domain/incident';

const env = { INGEST_T: 'ingest-secret', OP_T: 'op-secret' };
const yaml = (rate = '{ perSecond: 1000, burst: 1000 }') => `
auth:
  tokens:
    - { name: detectors, tokenEnv: INGEST_T, scopes: [ingest] }
    - { name: oncall, tokenEnv: OP_T, scopes: [read, operate] }
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
  - { id: anthropic, kind: anthropic, baseUrl: https://api.anthropic.com }
ingest: { rateLimit: ${rate} }
`;
const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'payloads', name), 'utf8'));

let recorded: Alert[][] = [];
const fakeIngest = (): AlertIngest => ({
  batcher: undefined as never,
  async record(alerts) {
    recorded.push(alerts);
    const byProvider = new Map<string, number>();
    for (const a of alerts) byProvider.set(a.provider, (byProvider.get(a.provider) ?? 0) + 1);
    return [...byProvider].map(([provider, n]): ScopeResult => ({
      provider,
      incidentId: `${provider}-0a1b2c3d`,
      deduplicated: false,
      alerts: n,
    }));
  },
});

// fastify's inject() pulls an ESM-only module jest cannot load here: talk HTTP to a real listener instead.
type Injected = { statusCode: number; headers: Record<string, string | string[] | undefined>; json(): any };
const apps: FastifyInstance[] = [];
afterAll(async () => Promise.all(apps.map((a) => a.close())));

async function api(rate?: string) {
  recorded = [];
  const app = await buildApi({
    config: parseConfig(yaml(rate)),
    client: {} as Client,
    logger: pino({ level: 'silent' }),
    env,
    ingest: fakeIngest(),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  apps.push(app);
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    async inject(o: {
      method: 'POST';
      url: string;
      headers?: Record<string, string>;
      payload: unknown;
    }): Promise<Injected> {
      const body = typeof o.payload === 'string' ? o.payload : JSON.stringify(o.payload);
      const res = await request(base + o.url, {
        method: o.method,
        headers: { 'content-type': 'application/json', ...o.headers },
        body,
      });
      const text = await res.body.text();
      return { statusCode: res.statusCode, headers: res.headers, json: () => JSON.parse(text) };
    },
  };
}
const auth = { authorization: 'Bearer ingest-secret' };

describe('POST /v1/alerts/alertmanager', () => {
  test('a realistic firing group becomes one alert per provider, keyed by fingerprint', async () => {
    const app = await api();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/alerts/alertmanager',
      headers: auth,
      payload: fixture('alertmanager-firing.json'),
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      incidents: [
        { provider: 'openai', incidentId: 'openai-0a1b2c3d', deduplicated: false, alerts: 1 },
        { provider: 'anthropic', incidentId: 'anthropic-0a1b2c3d', deduplicated: false, alerts: 1 },
      ],
    });
    expect(recorded[0][0]).toMatchObject({
      provider: 'openai',
      kind: 'error_rate',
      severity: 'critical',
      action: 'trigger',
      dedupKey: '8e2ad5f0b1c7d4a3',
      summary: 'OpenAI 5xx rate above 5% for 2m',
      source: 'alertmanager',
      observedAt: '2026-11-22T10:01:30.123Z',
      details: { labels: expect.objectContaining({ service: 'support-bot', job: 'llm-gateway' }) },
    });
  });

  test('resolved alerts resolve the alert of the same fingerprint, at endsAt', async () => {
    const app = await api();
    const body = fixture('alertmanager-firing.json');
    body.status = 'resolved';
    body.alerts = [{ ...body.alerts[0], status: 'resolved', endsAt: '2026-11-22T10:09:00Z' }];
    const res = await app.inject({ method: 'POST', url: '/v1/alerts/alertmanager', headers: auth, payload: body });
    expect(res.statusCode).toBe(202);
    expect(recorded[0][0]).toMatchObject({
      action: 'resolve',
      dedupKey: '8e2ad5f0b1c7d4a3',
      observedAt: '2026-11-22T10:09:00Z',
    });
  });

  test('the provider label is configurable; a missing or unknown provider is a 400 naming the alert, and nothing is recorded', async () => {
    const app = await api();
    const body = fixture('alertmanager-firing.json');
    delete body.alerts[1].labels.provider;
    body.alerts[0].labels.provider = 'mistral';
    const res = await app.inject({ method: 'POST', url: '/v1/alerts/alertmanager', headers: auth, payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([
      { path: 'body.alerts.0.labels.provider', message: 'unknown provider "mistral"' },
      { path: 'body.alerts.1.labels.provider', message: 'label "provider" naming the provider is missing' },
    ]);
    expect(recorded).toEqual([]);
  });

  test('shape errors are field-level', async () => {
    const app = await api();
    const body = { ...fixture('alertmanager-firing.json'), version: '3' };
    body.alerts[0].startsAt = 'yesterday';
    const res = await app.inject({ method: 'POST', url: '/v1/alerts/alertmanager', headers: auth, payload: body });
    expect(res.statusCode).toBe(400);
    const paths = res.json().issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.version', 'body.alerts.0.startsAt']));
    expect(recorded).toEqual([]);
  });
});

describe('POST /v2/enqueue (PagerDuty Events v2)', () => {
  test('a realistic trigger, authenticated by routing_key, answers like PagerDuty', async () => {
    const app = await api();
    const res = await app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: { ...fixture('pagerduty-trigger.json'), routing_key: 'ingest-secret' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'gw-openai-503' });
    expect(recorded[0]).toEqual([
      expect.objectContaining({
        provider: 'openai',
        kind: 'outage',
        severity: 'critical',
        action: 'trigger',
        dedupKey: 'gw-openai-503',
        observedAt: '2026-11-22T10:01:42.000+00:00',
      }),
    ]);
    expect(JSON.stringify(recorded)).not.toContain('ingest-secret'); // the routing key is a credential
  });

  test('no dedup_key → one is generated and returned', async () => {
    const app = await api();
    const { dedup_key: _k, ...event } = fixture('pagerduty-trigger.json');
    const res = await app.inject({ method: 'POST', url: '/v2/enqueue', headers: auth, payload: event });
    expect(res.statusCode).toBe(202);
    expect(res.json().dedup_key).toMatch(/^[0-9a-f]{32}$/);
    expect(recorded[0][0].dedupKey).toBe(res.json().dedup_key);
  });

  test('acknowledge/resolve without a payload go to the provider the key was triggered on', async () => {
    const app = await api();
    await app.inject({ method: 'POST', url: '/v2/enqueue', headers: auth, payload: fixture('pagerduty-trigger.json') });
    const res = await app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      headers: auth,
      payload: { routing_key: 'x', event_action: 'resolve', dedup_key: 'gw-openai-503' },
    });
    expect(res.statusCode).toBe(202);
    expect(recorded[1]).toEqual([
      expect.objectContaining({ provider: 'openai', action: 'resolve', dedupKey: 'gw-openai-503' }),
    ]);
    const unknown = await app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      headers: auth,
      payload: { event_action: 'acknowledge', dedup_key: 'never-seen' },
    });
    expect(unknown.statusCode).toBe(202);
    expect(recorded[2].map((a) => a.provider).sort()).toEqual(['anthropic', 'openai']); // each incident drops what it does not hold
  });

  test('invalid events: field-level 400s; a trigger must name a configured provider', async () => {
    const app = await api();
    const bad = await app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      headers: auth,
      payload: { event_action: 'trigger', payload: { summary: '', source: 's', severity: 'fatal' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['body.payload.summary', 'body.payload.severity']),
    );
    const noKey = await app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      headers: auth,
      payload: { event_action: 'resolve' },
    });
    expect(noKey.json().issues).toEqual([expect.objectContaining({ path: 'body.dedup_key' })]);
    const ev = fixture('pagerduty-trigger.json');
    const stranger = await app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      headers: auth,
      payload: { ...ev, payload: { ...ev.payload, component: 'db', group: 'x', source: 'host-1', custom_details: {} } },
    });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().issues[0].path).toBe('body.payload.component');
    expect(recorded).toEqual([]);
  });
});

describe('auth, size and rate limit on every ingestion endpoint', () => {
  const endpoints: [string, unknown][] = [
    ['/v1/alerts', { provider: 'openai', kind: 'outage', summary: 's', source: 'x' }],
    ['/v1/alerts/alertmanager', fixture('alertmanager-firing.json')],
    ['/v2/enqueue', fixture('pagerduty-trigger.json')],
  ];
  test.each(endpoints)(
    '%s: 401 without a credential, 403 with the wrong scope — even with a bad body',
    async (url, payload) => {
      const app = await api();
      expect((await app.inject({ method: 'POST', url, payload })).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url, payload: { nonsense: true } })).statusCode).toBe(401);
      expect(
        (await app.inject({ method: 'POST', url, headers: { authorization: 'Bearer op-secret' }, payload })).statusCode,
      ).toBe(403);
      expect(recorded).toEqual([]);
    },
  );

  test.each(endpoints)('%s: 413 above 512 KB', async (url) => {
    const app = await api();
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(513 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(recorded).toEqual([]);
  });

  test('429 with retry-after once a token spends its budget', async () => {
    const app = await api('{ perSecond: 1, burst: 3 }');
    const send = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/v1/alerts',
        headers,
        payload: { provider: 'openai', kind: 'outage', summary: 's', source: 'x' },
      });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await send(auth)).statusCode);
    expect(codes).toEqual([202, 202, 202, 429]);
    const limited = await send(auth);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.json().error).toMatch(/rate limit/);
    expect(recorded).toHaveLength(3);
  });

  test('generic alerts: unknown provider is a 400 on body.provider', async () => {
    const app = await api();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/alerts',
      headers: auth,
      payload: { provider: 'mistral', kind: 'outage', summary: 's', source: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([{ path: 'body.provider', message: 'unknown provider "mistral"' }]);
  });
});

test('Temporal failing to take the signal is a 503 (the sender retries), never a 202', async () => {
  const failing = {
    workflow: { signalWithStart: async () => Promise.reject(new Error("Namespace not found: 'default'")) },
  } as unknown as Client;
  const app = await buildApi({
    config: parseConfig(yaml()),
    client: failing,
    logger: pino({ level: 'silent' }),
    env,
    ingest: createAlertIngest(failing, 'tq'),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  apps.push(app);
  const res = await request(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ provider: 'openai', kind: 'outage', summary: 's', source: 'x' }),
  });
  expect(res.statusCode).toBe(503);
  expect(((await res.body.json()) as { error: string }).error).toMatch(/not recorded/);
});
