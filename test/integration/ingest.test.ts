// Ingestion on the real stack (dev server, worker, real activities, sim providers): a bounded storm whose
// counts add up with few signals (alerts reach the incident through the scope's intake, within about a
// second of their 202: the checks wait for them), PagerDuty dedup semantics and Alertmanager firing/resolved end to end,
// and a status page attached to the open incident as corroboration.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApi } from '../../api/server';
import { createAlertIngest } from '../../api/ingest';
import { pollStatusPage } from '../../activities/provider-status-poll';
import { incidentStateQuery, incidentWorkflowId } from '../../workflows/messages';
import { startStack, TEST_ENV, TOKENS, type Stack } from '../helpers/stack';
import { runStorm } from '../../bench/storm';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

const ingest = { token: TOKENS.ingest };
const stateOf = (provider: string) =>
  stack.client.workflow.getHandle(incidentWorkflowId(provider)).query(incidentStateQuery);

test('a storm from many concurrent clients: every alert recorded once, one incident per scope, few signals', async () => {
  // A second API on the same stack with its own batcher (to read its statistics) and no rate limit.
  const config = { ...stack.config, ingest: { ...stack.config.ingest, rateLimit: { perSecond: 1e6, burst: 1e6 } } };
  const batched = createAlertIngest(stack.client, config.temporal.taskQueue);
  const api = await buildApi({
    config,
    client: stack.client,
    logger: pino({ level: 'silent' }),
    env: TEST_ENV,
    ingest: batched,
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  try {
    const r = await runStorm(`http://127.0.0.1:${(api.server.address() as AddressInfo).port}`, {
      alerts: 1500,
      providers: ['openai', 'anthropic'],
      clients: 50,
      keysPerProvider: 40,
      token: TOKENS.ingest,
    });
    expect(r.rejected).toEqual({});
    expect(r.accepted).toBe(1500);
    const [openai, anthropic] = await waitFor(
      () => Promise.all([stateOf('openai'), stateOf('anthropic')]),
      ([o, a]) => o.alerts.count + a.alerts.count >= 1500,
      'all alerts forwarded',
    );
    expect(openai.alerts.count + anthropic.alerts.count).toBe(1500);
    expect([...r.incidentIds.get('openai')!]).toEqual([openai.id]);
    expect([...r.incidentIds.get('anthropic')!]).toEqual([anthropic.id]);
    // Duplicates: 40 dedup keys per provider → 40 distinct alerts each, however many triggers.
    expect(openai.alerts.distinct).toBe(40);
    expect(anthropic.alerts.distinct).toBe(40);
    // Group commit: concurrent alerts of a scope shared signals.
    expect(batched.batcher.stats.alerts).toBe(1500);
    expect(batched.batcher.stats.signals).toBeLessThan(1500 / 3);
  } finally {
    await api.close();
  }
});

test('PagerDuty Events v2: same dedup_key same alert, ack/resolve act on open alerts, trigger after resolve is new', async () => {
  const send = (event_action: string, dedup_key?: string) =>
    stack.http('POST', '/v2/enqueue', {
      ...ingest,
      body: {
        routing_key: 'ignored-when-bearer',
        event_action,
        ...(dedup_key ? { dedup_key } : {}),
        ...(event_action === 'trigger'
          ? { payload: { summary: 'gateway 503s', source: 'gw-1', severity: 'critical', component: 'openai' } }
          : {}),
      },
    });
  const first = await send('trigger', 'pd-int-1');
  expect(first).toMatchObject({
    status: 202,
    body: { status: 'success', message: 'Event processed', dedup_key: 'pd-int-1' },
  });
  const before = await waitFor(
    () => stateOf('openai'),
    (x) => !!x.alerts.keyed?.['pd-int-1'],
    'first trigger forwarded',
  );
  await send('trigger', 'pd-int-1');
  await send('acknowledge', 'pd-int-1');
  let s = await waitFor(
    () => stateOf('openai'),
    (x) => x.alerts.keyed!['pd-int-1'].status === 'acknowledged',
    'acknowledge forwarded',
  );
  expect(s.alerts.keyed!['pd-int-1']).toMatchObject({ status: 'acknowledged', count: 2 });
  expect(s.alerts.distinct).toBe(before.alerts.distinct);
  await send('resolve', 'pd-int-1');
  expect((await send('resolve', 'pd-int-1')).status).toBe(202); // accepted, dropped by the incident
  s = await waitFor(
    () => stateOf('openai'),
    (x) => x.alerts.dropped === (before.alerts.dropped ?? 0) + 1,
    'second resolve dropped',
  );
  expect(s.alerts.keyed!['pd-int-1'].status).toBe('resolved');
  await send('trigger', 'pd-int-1');
  s = await waitFor(
    () => stateOf('openai'),
    (x) => x.alerts.keyed!['pd-int-1'].status === 'triggered',
    'trigger after resolve forwarded',
  );
  expect(s.alerts.keyed!['pd-int-1']).toMatchObject({ status: 'triggered', count: 1 });
  expect(s.alerts.distinct).toBe((before.alerts.distinct ?? 0) + 1);
  const generated = await send('trigger');
  expect(generated.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
});

test('Alertmanager v4: firing triggers, resolved resolves the same fingerprint', async () => {
  const body = (status: 'firing' | 'resolved') => ({
    version: '4',
    groupKey: '{}:{alertname="LLMErrorRateHigh"}',
    truncatedAlerts: 0,
    status,
    receiver: 'lifeline',
    groupLabels: { alertname: 'LLMErrorRateHigh' },
    commonLabels: { provider: 'anthropic' },
    commonAnnotations: {},
    externalURL: 'http://am:9093',
    alerts: [
      {
        status,
        labels: { alertname: 'LLMErrorRateHigh', provider: 'anthropic', severity: 'critical' },
        annotations: { summary: 'Anthropic 5xx above 5 %' },
        startsAt: '2026-11-22T10:00:00Z',
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-22T10:10:00Z',
        generatorURL: 'http://prom',
        fingerprint: 'am-int-fp',
      },
    ],
  });
  const fired = await stack.http('POST', '/v1/alerts/alertmanager', { ...ingest, body: body('firing') });
  const s0 = await waitFor(
    () => stateOf('anthropic'),
    (x) => !!x.alerts.keyed?.['am-int-fp'],
    'firing alert forwarded',
  );
  expect(fired).toMatchObject({
    status: 202,
    body: { incidents: [{ provider: 'anthropic', incidentId: s0.id, deduplicated: true, alerts: 1 }] },
  });
  expect(s0.alerts.keyed!['am-int-fp']).toMatchObject({ status: 'triggered' });
  const resolved = await stack.http('POST', '/v1/alerts/alertmanager', { ...ingest, body: body('resolved') });
  expect(resolved.status).toBe(202);
  await waitFor(
    () => stateOf('anthropic'),
    (x) => x.alerts.keyed!['am-int-fp'].status === 'resolved',
    'resolved by fingerprint',
  );
});

test('a degraded status page is attached to the open incident as a statuspage alert', async () => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        page: { id: 'p', name: 'OpenAI' },
        status: { indicator: 'major', description: 'Partial System Outage' },
        components: [{ name: 'API', status: 'partial_outage', group: false }],
        incidents: [{ name: 'Elevated 503s', status: 'investigating', impact: 'major' }],
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const p = {
      ...stack.config.providers.find((x) => x.id === 'openai')!,
      statusPage: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    };
    const deps = {
      config: stack.config,
      client: stack.client,
      logger: pino({ level: 'silent' }),
      baseUrlFor: stack.endpoints.baseUrlFor,
    };
    const memory = await pollStatusPage(deps, p, undefined);
    expect(memory).toMatchObject({ attached: true });
    const s = await stateOf('openai');
    expect(s.alerts.keyed!['statuspage:openai']).toMatchObject({ status: 'triggered' });
    expect(await pollStatusPage(deps, p, memory)).toBe(memory); // unchanged: nothing sent again
  } finally {
    await new Promise((r) => server.close(r));
  }
});
