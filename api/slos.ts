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
import { declareScrapeGauges } from '../metrics/scrape-gauges';
import { scopeGuards, type ApiDeps } from './route-deps';

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

export function registerSloRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get(
    '/v1/slos',
    {
      ...scopeGuards(deps.tokens).read,
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
  declareScrapeGauges([registry], 'slo', report, {
    budgetRemaining: (g, r) => {
      for (const s of r.slos) g.set({ slo: s.id, sli: s.sli }, s.budgetRemaining);
    },
    burnRate: (g, r) => {
      for (const s of r.slos) for (const [window, v] of Object.entries(s.burnRates)) g.set({ slo: s.id, window }, v);
    },
    alerting: (g, r) => {
      for (const s of r.slos) g.set({ slo: s.id }, s.burning ? 1 : 0);
    },
    quotaExhaustion: (g, r) => {
      for (const q of r.quotas)
        if (q.exhausts && q.exhaustAt)
          g.set({ provider: q.provider, kind: q.kind }, Math.max(0, (Date.parse(q.exhaustAt) - Date.now()) / 1000));
    },
  });
}
