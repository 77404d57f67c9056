// GET /metrics and /health/ready when Temporal is down or hangs: the scrape still answers 200 within its
// bound, with the Temporal-backed series left out and lifeline_scrape_source_up 0; readiness answers 503
// with per-check detail. Plus the activity-side metrics' once-per-incident rule and the batch observer.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { request } from 'undici';
import { buildApi } from '../../api/server';
import { parseConfig } from '../../config/load';
import { createMetrics } from '../../metrics';
import { AlertBatcher } from '../../client/alert-batcher';
import { newIncidentState, type IncidentState } from '../../domain/incident';
import { Exposition } from '../helpers/prometheus';
import { TemporalSnapshotSource } from '../../api/temporal-snapshot';
import { startWorkerMetricsServer } from '../../worker/metrics-server';

const yaml = `
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
chains: [{ id: chat, providers: [openai], weights: { openai: 100 } }]
notifications: { webhooks: [{ name: ops, url: "http://127.0.0.1:9/hook", secretEnv: OPS_HOOK_SECRET }] }
`;

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

/** A "Temporal" that accepts TCP connections and never answers (a hung frontend). */
async function silentServer(): Promise<number> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () =>
      new Promise((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(r);
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (a Temporal that is down). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function apiAgainst(port: number): Promise<string> {
  // No retry interceptor: the SDK's gRPC retry re-creates a call from a timer and throws if the connection
  // was closed meanwhile (after this file, in another suite). The checks here are about one answer anyway.
  const connection = Connection.lazy({ address: `127.0.0.1:${port}`, interceptors: [] });
  const client = new Client({ connection, namespace: 'default' });
  const app: FastifyInstance = await buildApi({
    config: parseConfig(yaml),
    client,
    logger: pino({ level: 'silent' }),
    env: {},
    metrics: createMetrics({ processMetrics: false }),
    metricsSnapshot: { ttlMs: 0, timeoutMs: 1000 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(
    () => connection.close().catch(() => undefined),
    () => app.close(),
  );
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

describe.each([
  ['down', deadPort],
  ['hanging', silentServer],
])('Temporal %s', (_what, temporal) => {
  let base: string;
  beforeAll(async () => {
    base = await apiAgainst(await temporal());
  });

  test('GET /metrics still answers 200 in time, says which sources failed and leaves their series out', async () => {
    const started = Date.now();
    const res = await request(`${base}/metrics`);
    const text = await res.body.text();
    process.stdout.write(`[figures] /metrics with Temporal ${_what}: ${Date.now() - started} ms\n`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = new Exposition(text);
    for (const source of ['incidents', 'monitors', 'routes']) {
      expect(m.value('lifeline_scrape_source_up', { source })).toBe(0);
      expect(m.value('lifeline_scrape_errors_total', { source })).toBeGreaterThanOrEqual(1);
    }
    expect(m.type('lifeline_route_weight')).toBe('gauge');
    expect(m.find('lifeline_route_weight')).toEqual([]);
    expect(m.find('lifeline_breaker_state')).toEqual([]);
    // The series a process exports on its own are there regardless.
    expect(m.type('lifeline_ingest_requests_total')).toBe('counter');
  });

  test('GET /health/ready is 503 with per-check detail and timings; /health/live stays 200', async () => {
    const res = await request(`${base}/health/ready`);
    const body = (await res.body.json()) as {
      status: string;
      checks: { name: string; ok: boolean; critical: boolean; detail: string; ms: number }[];
    };
    expect(res.statusCode).toBe(503);
    expect(body.status).toBe('not ready');
    expect(body.checks.map((c) => [c.name, c.ok, c.critical])).toEqual([
      ['temporal', false, true],
      ['worker', false, true],
      ['entities', false, true],
      ['probes', false, false],
      ['channels', false, false], // OPS_HOOK_SECRET is not set
    ]);
    expect(body.checks[1].detail).toMatch(/Temporal unreachable/);
    expect(body.checks[4].detail).toMatch(/notifications\.webhooks\.0\.secretEnv \(OPS_HOOK_SECRET\)/);
    expect(body.checks.every((c) => typeof c.ms === 'number')).toBe(true);
    expect((await request(`${base}/health/live`)).statusCode).toBe(200);
  });
});

function resolvedIncident(id: string): IncidentState {
  const s = newIncidentState({ id, scope: 'openai', provider: 'openai', title: 't', now: '2026-01-01T10:00:00.000Z' });
  return {
    ...s,
    severity: 'SEV2',
    status: 'resolved',
    faultAt: '2026-01-01T09:59:30.000Z',
    detectedAt: '2026-01-01T10:00:00.000Z',
    acknowledgedAt: '2026-01-01T10:02:00.000Z',
    resolvedAt: '2026-01-01T10:30:00.000Z',
  };
}

test('MTTx is observed once per incident, only for resolved ones, and only the durations it reached', async () => {
  const metrics = createMetrics({ processMetrics: false });
  expect(metrics.activity.incidentClosed(resolvedIncident('openai-00000001'))).toBe(true);
  expect(metrics.activity.incidentClosed(resolvedIncident('openai-00000001'))).toBe(false); // a retried activity
  expect(metrics.activity.incidentClosed({ ...resolvedIncident('openai-00000002'), status: 'open' })).toBe(false);
  const m = new Exposition(await metrics.registry.metrics());
  const labels = { provider: 'openai', severity: 'SEV2' };
  expect(m.histogram('lifeline_incident_time_to_detect_seconds', labels)).toEqual({ count: 1, sum: 30 });
  expect(m.histogram('lifeline_incident_time_to_acknowledge_seconds', labels)).toEqual({ count: 1, sum: 120 });
  expect(m.histogram('lifeline_incident_time_to_resolve_seconds', labels)).toEqual({ count: 1, sum: 1800 });
  expect(m.histogram('lifeline_incident_time_to_mitigate_seconds', labels).count).toBe(0); // traffic never moved
});

test("the batcher tells its observer each signal: size, result and every request's wait", async () => {
  const seen: { alerts: number; ok: boolean; waits: number }[] = [];
  let release!: () => void;
  let calls = 0;
  const b = new AlertBatcher(
    (scope) =>
      ++calls === 1
        ? new Promise((r) => (release = () => r({ incidentId: `${scope}-1`, deduplicated: false })))
        : Promise.resolve({ incidentId: `${scope}-1`, deduplicated: true }),
    undefined,
    (e) => seen.push({ alerts: e.alerts, ok: e.ok, waits: e.waitedMs.length }),
  );
  const alert = (i: number) => ({
    provider: 'openai',
    kind: 'outage' as const,
    summary: `a${i}`,
    source: 't',
    observedAt: '2026-01-01T00:00:00Z',
  });
  const all = [
    b.record('openai', [alert(0)]),
    b.record('openai', [alert(1)]),
    b.record('openai', [alert(2), alert(3)]),
  ];
  await new Promise((r) => setImmediate(r));
  release();
  await Promise.all(all);
  expect(seen).toEqual([
    { alerts: 1, ok: true, waits: 1 },
    { alerts: 3, ok: true, waits: 2 },
  ]);
});

test('the exposition reader: escapes, +Inf buckets, timestamps, and a bad line is an error', () => {
  const m = new Exposition(
    '# TYPE x counter\nx{a="q\\"uote",b="back\\\\slash",c="new\\nline"} 3 1700000000000\n# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1.5\nh_count 2\n',
  );
  expect(m.find('x')).toEqual([{ name: 'x', labels: { a: 'q"uote', b: 'back\\slash', c: 'new\nline' }, value: 3 }]);
  expect(m.value('h_bucket', { le: '+Inf' })).toBe(2);
  expect(m.histogram('h')).toEqual({ count: 2, sum: 1.5 });
  expect(() => new Exposition('x{a=b} 1')).toThrow(/bad labels/);
  expect(new Exposition('x Nan').value('x')).toBeNaN();
  expect(() => new Exposition('x one')).toThrow(/bad sample value/);
});

test('concurrent scrapes share one Temporal read, and a read is reused for its TTL', async () => {
  const calls = { list: 0, query: 0 };
  const fake = {
    withAbortSignal: <R>(_s: AbortSignal, fn: () => Promise<R>) => fn(),
    workflow: {
      list: () => ({
        async *[Symbol.asyncIterator]() {
          calls.list += 1;
          await new Promise((r) => setTimeout(r, 20));
        },
      }),
      getHandle: () => ({
        query: async () => (
          (calls.query += 1),
          {
            id: 'chat',
            providers: ['openai'],
            weights: { openai: 100 },
            mode: 'normal',
            version: 1,
            updatedAt: '',
            provider: 'openai',
            healthy: true,
          }
        ),
      }),
    },
  } as unknown as Client;
  const source = new TemporalSnapshotSource(fake, parseConfig(yaml), { ttlMs: 60_000, timeoutMs: 1000 });
  await Promise.all(Array.from({ length: 20 }, () => source.get()));
  await source.get();
  expect(calls).toEqual({ list: 1, query: 2 }); // one monitor, one route
});

test('`lifeline worker` alone: worker.metricsPort serves the activity metrics; off by default', async () => {
  expect(parseConfig(yaml).worker).toMatchObject({ metricsHost: '127.0.0.1', metricsPort: false });
  const config = parseConfig(`${yaml}worker: { metricsPort: 0 }\n`);
  const metrics = createMetrics();
  metrics.activity.probe('openai', { ok: false, category: 'rate_limit', latencyMs: 120, type: 'metadata' });
  const { app, url } = await startWorkerMetricsServer(
    metrics,
    config.worker.metricsHost,
    config.worker.metricsPort as number,
  );
  closers.push(() => app.close());
  const res = await request(`${url}/metrics`);
  const m = new Exposition(await res.body.text());
  expect(m.value('lifeline_probes_total', { provider: 'openai', type: 'metadata', outcome: 'rate_limit' })).toBe(1);
  expect(m.histogram('lifeline_probe_duration_seconds', { provider: 'openai' })).toEqual({ count: 1, sum: 0.12 });
  expect(m.type('lifeline_process_cpu_seconds_total')).toBe('counter'); // Node process metrics, prefixed
  expect(m.type('lifeline_route_weight')).toBeUndefined(); // Temporal-backed gauges are the API's
  expect((await request(`${url}/health/live`)).statusCode).toBe(200);
  expect(() => parseConfig(`${yaml}worker: { metricsPort: 99999 }\n`)).toThrow(/worker\.metricsPort/);
});
