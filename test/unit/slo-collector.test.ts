// The worker's SLO collector (activities/slo-collector.ts): probes become counters per provider (failed
// probes are never fast), rate-limit headers become quota readings with absolute reset times (bounded per
// flush), primary_share samples each chain's route once per flush, settings go with the first delivered
// batch only, and an empty or undeliverable flush sends nothing twice.
import pino from 'pino';
import { parseConfig } from '../../config/load';
import { SloCollector } from '../../activities/slo-collector';
import type { ProbeResult } from '../../activities/probe';
import type { RouteState, SloSampleBatch } from '../../workflows/messages';

const config = parseConfig(`
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai" }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic" }
chains: [{ id: chat, providers: [openai, anthropic], weights: { openai: 100 } }]
services: [{ id: bot, chains: [chat], users: 1 }]
slos:
  - { id: lat, provider: openai, sli: latency, thresholdMs: 500, target: 95 }
  - { id: share, service: bot, sli: primary_share, target: 99 }
`);

const probe = (ok: boolean, latencyMs: number, remaining?: number): ProbeResult =>
  ({
    ok,
    latencyMs,
    at: '2026-01-01T00:00:00.000Z',
    type: 'metadata',
    cause: ok ? 'ok' : 'server_error',
    category: ok ? null : 'provider_outage',
    timings: {},
    ...(remaining !== undefined ? { rateLimitInfo: { requests: { remaining, limit: 100, resetMs: 60_000 } } } : {}),
  }) as unknown as ProbeResult;

function collector(opts: { fail?: boolean; route?: Partial<RouteState> } = {}) {
  const sent: { batch: SloSampleBatch; withSettings: boolean }[] = [];
  const c = new SloCollector({
    config,
    logger: pino({ level: 'silent' }),
    send: async (batch, withSettings) => {
      if (opts.fail) throw new Error('Temporal unreachable');
      sent.push({ batch, withSettings });
    },
    readRoute: async () => ({ weights: { openai: 25, anthropic: 75 }, ...opts.route }) as RouteState,
  });
  return { c, sent };
}

test('counters, quota readings and the route share go out in one batch; settings only with the first', async () => {
  const { c, sent } = collector();
  c.record('openai', probe(true, 100, 90));
  c.record('openai', probe(true, 900, 80));
  c.record('openai', probe(false, 50));
  await c.flush(Date.UTC(2026, 0, 1, 0, 1));
  expect(sent).toHaveLength(1);
  expect(sent[0].withSettings).toBe(true);
  const b = sent[0].batch;
  expect(b.probes).toEqual([{ provider: 'openai', total: 3, ok: 2, fast: { '500': 1 } }]);
  expect(b.quotas).toEqual([
    {
      provider: 'openai',
      kind: 'requests',
      samples: [
        { at: Date.UTC(2026, 0, 1), remaining: 90, limit: 100, resetAt: Date.UTC(2026, 0, 1) + 60_000 },
        { at: Date.UTC(2026, 0, 1), remaining: 80, limit: 100, resetAt: Date.UTC(2026, 0, 1) + 60_000 },
      ],
    },
  ]);
  expect(b.routes).toEqual([{ chain: 'chat', minute: Date.UTC(2026, 0, 1, 0, 1) / 60_000, primaryShare: 0.25 }]);
  await c.flush();
  expect(sent).toHaveLength(2);
  expect(sent[1].withSettings).toBe(false);
  expect(sent[1].batch.probes).toEqual([]);
});

test('quota readings per flush are bounded and keep the first one', async () => {
  const { c, sent } = collector();
  for (let i = 0; i < 50; i++) c.record('anthropic', probe(true, 10, 100 - i));
  await c.flush();
  const samples = sent[0].batch.quotas[0].samples;
  expect(samples.length).toBeLessThanOrEqual(12);
  expect(samples[0].remaining).toBe(100);
  expect(samples.at(-1)!.remaining).toBe(51);
});

test('an undeliverable flush is dropped, not retried forever', async () => {
  const { c } = collector({ fail: true });
  c.record('openai', probe(true, 10));
  await expect(c.flush()).resolves.toBeUndefined();
  const { c: quiet, sent } = collector({ route: undefined });
  // Nothing recorded and the route read fails: nothing to send.
  const q = quiet as unknown as { deps: { readRoute: () => Promise<RouteState> } };
  q.deps.readRoute = async () => {
    throw new Error('no routing entity');
  };
  await quiet.flush();
  expect(sent).toEqual([]);
});
