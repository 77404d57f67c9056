// GET /metrics on a real stack (dev server, worker, API sharing one registry as under `lifeline up`)
// while an injected outage goes through: probe outcomes, the breaker, the failover in the route gauges,
// open incidents by severity and phase, ingestion, webhook deliveries and failures, and once resolved and
// archived, one observation in each MTTx histogram. Also the deep readiness check on a healthy stack.
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { startWebhookReceiver } from '../helpers/fakes';
import { waitFor } from '../helpers/wait';
import { Exposition } from '../helpers/prometheus';
import { main } from '../../cli/index';

let stack: Stack;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  hook = await startWebhookReceiver('hook-secret-1');
  stack = await startStack({
    env: { OPS_HOOK_SECRET: 'hook-secret-1', WRONG_HOOK_SECRET: 'not-the-receivers-secret' },
    // Outages page both webhooks: `ops` delivers, `stale` signs with a secret the receiver refuses (401: permanent).
    extraYaml: `notifications:
  webhooks:
    - { name: ops, url: "${hook.url}", secretEnv: OPS_HOOK_SECRET }
    - { name: stale, url: "${hook.url}", secretEnv: WRONG_HOOK_SECRET }
  routing: { outage: { channels: [webhook], escalateAfter: 2, withinMs: 180000 } }
`,
  });
});
afterAll(async () => {
  await stack?.stop();
  await hook?.close();
});

const op = { token: TOKENS.operator };
const scrape = async () => {
  const r = await stack.http('GET', '/metrics');
  expect(r.status).toBe(200);
  return new Exposition(r.text);
};

test('health: ready with every check passing, each with its timing', async () => {
  const r = await waitFor(
    () => stack.http('GET', '/health/ready'),
    (x) => x.status === 200,
    '/health/ready 200',
    60_000,
  );
  expect(r.body.status).toBe('ready');
  expect(r.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
    ['temporal', true],
    ['worker', true],
    ['entities', true],
    ['probes', true],
    ['channels', true],
  ]);
  expect(r.body.checks.find((c: { name: string }) => c.name === 'entities').detail).toMatch(
    /3 entity workflow\(s\) running \(2 monitor\(s\), 1 route\(s\)\)/,
  );
  process.stdout.write(
    `[figures] /health/ready check timings (ms): ${r.body.checks.map((c: { name: string; ms: number }) => `${c.name} ${c.ms}`).join(', ')}\n`,
  );
});

test('an outage, its failover, ingestion, deliveries and resolution all show in /metrics', async () => {
  const before = await waitFor(
    scrape,
    (m) => m.value('lifeline_probes_total', { provider: 'openai', outcome: 'ok' }) > 0,
    'openai ok probes counted',
  );
  expect(before.value('lifeline_route_weight', { chain: 'chat', provider: 'openai' })).toBe(100);
  expect(before.value('lifeline_route_weight', { chain: 'chat', provider: 'anthropic' })).toBe(0);
  expect(before.value('lifeline_route_mode', { chain: 'chat', mode: 'normal' })).toBe(1);
  expect(before.value('lifeline_breaker_state', { provider: 'openai', state: 'closed' })).toBe(1);
  expect(before.value('lifeline_provider_healthy', { provider: 'openai' })).toBe(1);
  for (const source of ['incidents', 'monitors', 'routes'])
    expect(before.value('lifeline_scrape_source_up', { source })).toBe(1);
  expect(before.find('lifeline_incidents_open')).toEqual([]);
  expect(
    before.histogram('lifeline_probe_duration_seconds', { provider: 'openai', type: 'metadata' }).count,
  ).toBeGreaterThan(0);
  const versionBefore = before.value('lifeline_route_version', { chain: 'chat' });

  stack.endpoints.simulator!.setFault('openai', { mode: 'outage' });
  const opened = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open&provider=openai', op),
    (r) => r.body.incidents?.length === 1,
    'an open incident for openai',
  );
  const id: string = opened.body.incidents[0].id;

  const during = await waitFor(
    scrape,
    (m) =>
      m.value('lifeline_route_weight', { chain: 'chat', provider: 'anthropic' }) === 100 &&
      m.value('lifeline_incidents_open', { severity: 'SEV1' }) === 1,
    'the failover and the SEV1 incident in the gauges',
  );
  expect(during.value('lifeline_route_weight', { chain: 'chat', provider: 'openai' })).toBe(0);
  expect(during.value('lifeline_route_mode', { chain: 'chat', mode: 'degraded' })).toBe(1);
  expect(during.value('lifeline_route_version', { chain: 'chat' })).toBeGreaterThan(versionBefore);
  expect(
    during.value('lifeline_probes_total', { provider: 'openai', outcome: 'provider_outage' }),
  ).toBeGreaterThanOrEqual(3); // failuresToOpen
  expect(during.value('lifeline_breaker_opened', { provider: 'openai' })).toBeGreaterThanOrEqual(1);
  expect(during.value('lifeline_provider_healthy', { provider: 'openai' })).toBe(0);
  expect(during.find('lifeline_incidents_open').every((s) => s.labels.severity === 'SEV1')).toBe(true);

  // The same picture through GET /v1/providers and `lifeline status --watch` (stdout not a terminal).
  const providers = await stack.http('GET', '/v1/providers', op);
  expect(providers.body.providers.find((p: { id: string }) => p.id === 'openai')).toMatchObject({
    monitor: 'running',
    healthy: false,
    incidentId: id,
    breaker: { phase: expect.stringMatching(/^(open|half-open)$/) },
  });
  expect(providers.body.providers.find((p: { id: string }) => p.id === 'anthropic')).toMatchObject({
    healthy: true,
    breaker: { phase: 'closed' },
  });
  const printed: string[] = [];
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => (printed.push(String(c)), true));
  const tty = process.stdout.isTTY;
  Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true }); // as in a pipe, whatever runs the tests
  try {
    expect(
      await main([
        'node',
        'lifeline',
        '--api',
        stack.apiUrl,
        '--token',
        TOKENS.operator,
        'status',
        '--watch',
        '--refresh',
        '0.05',
        '--count',
        '2',
      ]),
    ).toBe(0);
  } finally {
    spy.mockRestore();
    Object.defineProperty(process.stdout, 'isTTY', { value: tty, configurable: true });
  }
  const blocks = printed
    .join('')
    .split(/^lifeline status · /m)
    .filter(Boolean);
  expect(blocks).toHaveLength(2);
  for (const b of blocks) {
    expect(b).toMatch(new RegExp(`^openai\\s+DOWN\\s+(open|half-open)\\b.*${id}$`, 'm'));
    expect(b).toMatch(/^chat\s+degraded\s+v\d+\s+\S+\s+anthropic 100%/m);
    expect(b).toContain(id);
  }
  expect(printed.join('')).not.toContain('\x1b');

  // An external monitor adds to the same incident; a bad body is counted as a 400, and nothing is recorded for it.
  const alert = await stack.http('POST', '/v1/alerts', {
    token: TOKENS.ingest,
    body: { provider: 'openai', kind: 'outage', summary: 'from prometheus', source: 'alertmanager' },
  });
  expect(alert.status).toBe(202);
  expect((await stack.http('POST', '/v1/alerts', { token: TOKENS.ingest, body: { provider: 'openai' } })).status).toBe(
    400,
  );
  const ingested = await scrape();
  expect(ingested.value('lifeline_ingest_requests_total', { endpoint: '/v1/alerts', code: '202' })).toBe(1);
  expect(ingested.value('lifeline_ingest_requests_total', { endpoint: '/v1/alerts', code: '400' })).toBe(1);
  expect(ingested.value('lifeline_alerts_recorded_total', { mode: 'open' })).toBe(1);
  expect(ingested.histogram('lifeline_ingest_batch_size', { mode: 'open' })).toEqual({ count: 1, sum: 1 });
  expect(ingested.histogram('lifeline_ingest_time_to_recorded_seconds', { mode: 'open' }).count).toBe(1);
  expect(ingested.histogram('lifeline_ingest_request_duration_seconds', { endpoint: '/v1/alerts' }).count).toBe(2);

  const delivered = await waitFor(
    scrape,
    (m) =>
      m.value('lifeline_notification_deliveries_total', { channel: 'webhook:ops', status: 'delivered' }) >= 1 &&
      m.value('lifeline_notification_failures_total', { channel: 'webhook:stale' }) >= 1,
    'a webhook delivery and a refused one',
  );
  expect(
    delivered.value('lifeline_notification_failures_total', { channel: 'webhook:stale', retryable: 'false' }),
  ).toBe(1); // a 401 is not retried
  expect(delivered.value('lifeline_notification_failures_total', { channel: 'webhook:ops' })).toBe(0);
  expect(
    delivered.value('lifeline_notification_deliveries_total', { channel: 'log', status: 'delivered' }),
  ).toBeGreaterThanOrEqual(1);
  expect(hook.accepted.length).toBe(
    delivered.value('lifeline_notification_deliveries_total', { channel: 'webhook:ops' }),
  );

  await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'monitoring',
    'monitoring phase',
  );
  expect((await stack.http('POST', `/v1/incidents/${id}/acknowledge`, { ...op, body: { by: 'dana' } })).status).toBe(
    200,
  );
  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
  await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'resolved',
    'resolution',
    90_000,
  );

  // MTTx are observed when the closed incident is archived, once.
  const after = await waitFor(
    scrape,
    (m) => m.histogram('lifeline_incident_time_to_resolve_seconds').count === 1,
    'MTTR observed',
    90_000,
  );
  const labels = { provider: 'openai', severity: 'SEV1' };
  const report = await stack.http('GET', `/v1/incidents/${id}/report`, op);
  const ms = Object.fromEntries(report.body.durations.map((d: { name: string; ms: number }) => [d.name, d.ms]));
  for (const [family, name] of [
    ['detect', 'mttd'],
    ['acknowledge', 'mtta'],
    ['mitigate', 'mttm'],
    ['resolve', 'mttr'],
  ]) {
    const h = after.histogram(`lifeline_incident_time_to_${family}_seconds`, labels);
    expect(h.count).toBe(1);
    expect(h.sum).toBeCloseTo(ms[name] / 1000, 3); // the report's own figure
  }
  const restored = await waitFor(
    scrape,
    (m) =>
      m.value('lifeline_route_weight', { chain: 'chat', provider: 'openai' }) === 100 &&
      m.find('lifeline_incidents_open').length === 0,
    'failback and no open incident',
  );
  expect(restored.value('lifeline_route_mode', { chain: 'chat', mode: 'normal' })).toBe(1);
  expect(restored.value('lifeline_provider_healthy', { provider: 'openai' })).toBe(1);
  process.stdout.write(
    `[figures] metrics: ${restored.samples.length} series; MTTD ${ms.mttd} ms, MTTM ${ms.mttm} ms, MTTR ${ms.mttr} ms\n`,
  );

  // No incident ID ever becomes a label value.
  expect(restored.samples.some((s) => Object.values(s.labels).some((v) => v.includes(id)))).toBe(false);
});

test('a scrape storm: concurrent scrapes all answer', async () => {
  const started = Date.now();
  const all = await Promise.all(Array.from({ length: 50 }, () => stack.http('GET', '/metrics')));
  expect(all.every((r) => r.status === 200)).toBe(true);
  process.stdout.write(`[figures] 50 concurrent scrapes in ${Date.now() - started} ms\n`);
});
