// GET /v1/slos (read scope): each objective's error budget, burn rates and alert, and each quota's forecast,
// as the SLO entity holds them (workflows/slo.ts). Before any worker has sent samples the entity does not
// exist yet: the objectives are listed from the config with no data rather than failing the request.
// The same report feeds the scrape-time gauges `lifeline_slo_*` and `lifeline_quota_*`.
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Registry } from 'prom-client';
import type { LifelineConfig } from '../config/schema';
import { withinDeadline } from '../client/bounded';
import { getSloReport, sloSettingsOf } from '../client/slos';
import { BURN_WINDOWS } from '../domain/slo';
import { sloIdentity } from '../domain/slo-status';
import type { SloReport } from '../workflows/messages';
import { scrapeGauges } from '../metrics/scrape-gauges';
import { requireScope, type TokenTable } from './auth';

/** The entity's report, or the configured objectives with no data yet. */
export async function sloReportOrEmpty(
  client: Client,
  config: LifelineConfig,
): Promise<SloReport & { running: boolean }> {
  const r = await getSloReport(client);
  if (r) return { ...r, running: true };
  return {
    at: new Date().toISOString(),
    running: false,
    slos: sloSettingsOf(config).slos.map((d) => ({
      ...sloIdentity(d),
      value: null,
      good: 0,
      total: 0,
      budgetRemaining: 1,
      burnRates: Object.fromEntries(Object.keys(BURN_WINDOWS).map((k) => [k, 0])),
      alert: null,
      burning: false,
    })),
    quotas: [],
  };
}

export function registerSloRoutes(
  app: FastifyInstance,
  deps: { client: Client; config: LifelineConfig; tokens: TokenTable },
): void {
  app.get(
    '/v1/slos',
    {
      onRequest: requireScope(deps.tokens, 'read'),
      schema: { description: 'Error budgets, burn rates and quota forecasts (README "SLOs and error budgets")' },
    },
    async () => sloReportOrEmpty(deps.client, deps.config),
  );
}

const GAUGE_TTL_MS = 5_000;
const GAUGE_TIMEOUT_MS = 2_500;

/**
 * `lifeline_slo_budget_remaining`, `lifeline_slo_burn_rate{window}`, `lifeline_slo_alerting`,
 * `lifeline_quota_exhaustion_seconds`: read from the SLO entity at scrape time (one read per 5 s at most,
 * bounded to 2.5 s; left out of the scrape when the read fails or the entity has not started).
 */
export function registerSloGauges(registry: Registry, client: Client): void {
  let cached: { at: number; value: Promise<SloReport | null> } | undefined;
  const report = () => {
    if (!cached || Date.now() - cached.at > GAUGE_TTL_MS)
      cached = { at: Date.now(), value: withinDeadline(client, GAUGE_TIMEOUT_MS, () => getSloReport(client)) };
    return cached.value.catch(() => null);
  };
  const gauge = scrapeGauges([registry], report);
  gauge(
    'lifeline_slo_budget_remaining',
    "Share of the SLO window's error budget left (1 untouched, 0 spent, negative overspent)",
    ['slo', 'sli'],
    (g, r) => {
      for (const s of r.slos) g.set({ slo: s.id, sli: s.sli }, s.budgetRemaining);
    },
  );
  gauge(
    'lifeline_slo_burn_rate',
    "Error rate over the window divided by the SLO's budget share (1 = on budget)",
    ['slo', 'window'],
    (g, r) => {
      for (const s of r.slos) for (const [window, v] of Object.entries(s.burnRates)) g.set({ slo: s.id, window }, v);
    },
  );
  gauge('lifeline_slo_alerting', 'Whether a burn episode is under way for the SLO (1) or not (0)', ['slo'], (g, r) => {
    for (const s of r.slos) g.set({ slo: s.id }, s.burning ? 1 : 0);
  });
  gauge(
    'lifeline_quota_exhaustion_seconds',
    "Seconds until the provider's rate-limit quota is forecast to run out, for quotas that run out before they reset",
    ['provider', 'kind'],
    (g, r) => {
      for (const q of r.quotas)
        if (q.exhausts && q.exhaustAt)
          g.set({ provider: q.provider, kind: q.kind }, Math.max(0, (Date.parse(q.exhaustAt) - Date.now()) / 1000));
    },
  );
}
