// GET /metrics (no auth, Prometheus text format) on the process's own registry, the scrape-time gauges
// read from Temporal (incidents, breakers, routes: api/temporal-snapshot.ts) and the ingestion request
// counters. Gauges are registered here, by the API only: in the compose deployment the worker's endpoint
// (worker/metrics-server.ts) carries activity metrics without duplicating these series.
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import { Counter, Gauge } from 'prom-client';
import type { LifelineConfig } from '../config/schema';
import type { LifelineMetrics } from '../metrics';
import { declareScrapeGauges } from '../metrics/scrape-gauges';
import { SNAPSHOT_SOURCES, TemporalSnapshotSource, type SourceResult } from './temporal-snapshot';

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;
const ROUTE_MODES = ['normal', 'degraded', 'emergency'] as const;
const INGEST_ROUTES = new Set(['/v1/alerts', '/v1/alerts/alertmanager', '/v2/enqueue']);

export function registerTemporalGauges(
  metrics: LifelineMetrics,
  client: Client,
  config: LifelineConfig,
  opts?: { ttlMs: number; timeoutMs: number },
): TemporalSnapshotSource {
  const registers = [metrics.registry];
  // These three are written while a snapshot is fetched; their collect waits for the scrape's snapshot
  // so a scrape shows the read it triggered (prom-client collects all metrics concurrently).
  const settle = async () => void (await snapshots.get());
  const up = new Gauge({
    name: 'lifeline_scrape_source_up',
    help: 'Whether the last read of a Temporal source for the gauges succeeded (1) or failed/timed out (0)',
    labelNames: ['source'],
    registers,
    collect: settle,
  });
  const took = new Gauge({
    name: 'lifeline_scrape_source_duration_seconds',
    help: 'How long the last read of a Temporal source took',
    labelNames: ['source'],
    registers,
    collect: settle,
  });
  const errors = new Counter({
    name: 'lifeline_scrape_errors_total',
    help: 'Failed or timed-out reads of a Temporal source (its series are left out of that scrape)',
    labelNames: ['source'],
    registers,
    collect: settle,
  });
  const onSource = (r: SourceResult) => {
    up.set({ source: r.source }, r.ok ? 1 : 0);
    took.set({ source: r.source }, r.seconds);
    if (!r.ok) errors.inc({ source: r.source });
  };
  for (const source of SNAPSHOT_SOURCES) errors.inc({ source }, 0);
  const snapshots = new TemporalSnapshotSource(client, config, {
    ttlMs: opts?.ttlMs ?? 5000,
    timeoutMs: opts?.timeoutMs ?? 2500,
    onSource,
  });

  // Gauges whose values are replaced at every scrape from the (cached) snapshot. A failed source leaves
  // its gauge empty rather than stale: absent series plus lifeline_scrape_source_up 0 say "unknown".
  declareScrapeGauges(registers, 'temporalSnapshot', () => snapshots.get(), {
    incidentsOpen: (g, s) => {
      for (const i of s.openIncidents) g.set({ severity: i.severity, phase: i.phase }, i.count);
    },
    providerHealthy: (g, s) => {
      for (const m of s.monitors) g.set({ provider: m.provider }, m.healthy ? 1 : 0);
    },
    breakerState: (g, s) => {
      for (const m of s.monitors)
        for (const state of BREAKER_STATES)
          g.set({ provider: m.provider, state }, (m.breaker?.phase ?? 'closed') === state ? 1 : 0);
    },
    breakerOpened: (g, s) => {
      for (const m of s.monitors) g.set({ provider: m.provider }, m.breaker?.openedCount ?? 0);
    },
    routeWeight: (g, s) => {
      for (const r of s.routes) for (const p of r.providers) g.set({ chain: r.id, provider: p }, r.weights[p] ?? 0);
    },
    routeVersion: (g, s) => {
      for (const r of s.routes) g.set({ chain: r.id }, r.version);
    },
    routeMode: (g, s) => {
      for (const r of s.routes) for (const mode of ROUTE_MODES) g.set({ chain: r.id, mode }, r.mode === mode ? 1 : 0);
    },
  });
  return snapshots;
}

/** Counts and times every response of the ingestion endpoints (route patterns, never raw URLs, as labels). */
export function instrumentIngest(app: FastifyInstance, metrics: LifelineMetrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const url = req.routeOptions.url;
    if (url && INGEST_ROUTES.has(url)) metrics.ingest.request(url, reply.statusCode, reply.elapsedTime / 1000);
  });
}

export function registerMetricsRoute(app: FastifyInstance, metrics: LifelineMetrics): void {
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
}
