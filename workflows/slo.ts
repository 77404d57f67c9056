// sloWorkflow: one per deployment (ID `slos`). Every worker's collector (activities/slo-collector.ts)
// signals it once a minute with counters — probes answered, probes within each latency threshold, the
// primary's share of each chain, rate-limit readings — so its history grows by one event per worker per
// minute, never per probe. It keeps each objective's good/total counters in bounded rings (domain/slo.ts),
// evaluates the multi-window burn alerts and the quota forecasts on each batch, and opens one warning
// incident per burn episode and per forecast. No timers: with no samples there is nothing to evaluate.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SloActivities } from '../activities/types';
import {
  addEvents,
  budgetSpent,
  BURN_WINDOWS,
  burnRate,
  errorBudget,
  firingAlert,
  newSeries,
  nextEpisode,
  type SloDef,
  type SloSeries,
} from '../domain/slo';
import { forecastQuota, nextForecastEpisode, type QuotaKind, type QuotaSample } from '../domain/quota-forecast';
import { sloIdentity } from '../domain/slo-status';
import {
  sloBudgetSpentQuery,
  sloReportQuery,
  sloSamplesSignal,
  type QuotaStatus,
  type SloReport,
  type SloSampleBatch,
  type SloSettings,
  type SloStatus,
} from './slo-messages';

const acts = proxyActivities<SloActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/** Readings kept per quota: a forecast looks at minutes, not hours. */
const QUOTA_SAMPLES_KEPT = 60;
/** Batches per run: ~2 events each, far below the history limits; the rings carry over. */
const BATCHES_PER_RUN = 1_000;

export interface SloCarried {
  series: Record<string, SloSeries>;
  episodes: Record<string, { active: boolean; incidentId?: string }>;
  quotas: Record<string, { samples: QuotaSample[]; active: boolean; incidentId?: string }>;
  routeMinutes: Record<string, number>;
}

export interface SloInput {
  settings: SloSettings;
  carried?: SloCarried;
}

export async function sloWorkflow(input: SloInput): Promise<void> {
  let settings = input.settings;
  const c: SloCarried = input.carried ?? { series: {}, episodes: {}, quotas: {}, routeMinutes: {} };
  const queue: SloSampleBatch[] = [];
  setHandler(sloSamplesSignal, (b) => void queue.push(b));
  const applySettings = (s: SloSettings) => {
    settings = s;
    // Objectives removed from the config stop being tracked; new ones start empty.
    for (const id of Object.keys(c.series)) if (!s.slos.some((d) => d.id === id)) delete c.series[id];
  };
  setHandler(sloReportQuery, () => report(settings, c, Date.now()));
  setHandler(sloBudgetSpentQuery, ({ provider, from, to }) =>
    settings.slos
      .filter((d) => d.providers.includes(provider) && c.series[d.id])
      .map((d) => {
        const s = c.series[d.id];
        return {
          id: d.id,
          spent: budgetSpent(s, Date.parse(from), Date.parse(to), d),
          remaining: errorBudget(s, Date.now(), d).remaining,
        };
      }),
  );

  for (let batches = 0; batches < BATCHES_PER_RUN && !workflowInfo().continueAsNewSuggested;) {
    await condition(() => queue.length > 0);
    const now = Date.now();
    for (const b of queue.splice(0)) {
      if (b.settings) applySettings(b.settings);
      ingest(settings, c, b, now);
      batches++;
    }
    await evaluate(settings, c, now);
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof sloWorkflow>({ settings, carried: c });
}

function ingest(settings: SloSettings, c: SloCarried, b: SloSampleBatch, now: number): void {
  const series = (d: SloDef) => (c.series[d.id] ??= newSeries());
  for (const p of b.probes)
    for (const d of settings.slos) {
      if (!d.providers.includes(p.provider)) continue;
      if (d.sli === 'availability') addEvents(series(d), now, p.ok, p.total, d.windowMs);
      if (d.sli === 'latency') addEvents(series(d), now, p.fast[String(d.thresholdMs)] ?? 0, p.total, d.windowMs);
    }
  for (const r of b.routes) {
    // Every worker samples every chain: the first sample of a minute counts, the others repeat it.
    if ((c.routeMinutes[r.chain] ?? -1) >= r.minute) continue;
    c.routeMinutes[r.chain] = r.minute;
    for (const d of settings.slos)
      if (d.sli === 'primary_share' && d.chains.includes(r.chain))
        addEvents(series(d), now, r.primaryShare, 1, d.windowMs);
  }
  for (const q of b.quotas) {
    const k = `${q.provider}:${q.kind}`;
    const entry = (c.quotas[k] ??= { samples: [], active: false });
    entry.samples.push(...q.samples);
    entry.samples.sort((x, y) => x.at - y.at);
    entry.samples.splice(0, Math.max(0, entry.samples.length - QUOTA_SAMPLES_KEPT));
  }
}

async function evaluate(settings: SloSettings, c: SloCarried, now: number): Promise<void> {
  for (const d of settings.slos) {
    const s = c.series[d.id];
    if (!s) continue;
    const ep = (c.episodes[d.id] ??= { active: false });
    const next = nextEpisode(ep.active, s, now, d.target);
    if (!next.active && ep.active) delete ep.incidentId;
    ep.active = next.active;
    if (!next.open) continue;
    try {
      const r = await acts.openSloBurnIncident({ status: statusOf(d, s, ep, now), alert: next.open });
      ep.incidentId = r.incidentId;
    } catch {
      // Could not open it (Temporal busy for long): the episode stays marked, the report still shows the burn.
    }
  }
  const f = settings.quotaForecast;
  if (!f.enabled) return;
  for (const [k, q] of Object.entries(c.quotas)) {
    const fc = forecastQuota(q.samples, now, f);
    const next = nextForecastEpisode(q.active, fc, now, f.horizonMs);
    if (!next.active && q.active) delete q.incidentId;
    q.active = next.active;
    if (!next.open || !fc) continue;
    const [provider, kind] = k.split(':') as [string, QuotaKind];
    try {
      const r = await acts.openQuotaForecastIncident({ provider, kind, forecast: fc, now, horizonMs: f.horizonMs });
      q.incidentId = r.incidentId;
    } catch {
      // As above: the forecast stays visible in the report and metrics.
    }
  }
}

function statusOf(d: SloDef, s: SloSeries, ep: { active: boolean; incidentId?: string }, now: number): SloStatus {
  const b = errorBudget(s, now, d);
  return {
    ...sloIdentity(d),
    value: b.sli,
    good: b.good,
    total: b.total,
    budgetRemaining: b.remaining,
    burnRates: Object.fromEntries(Object.entries(BURN_WINDOWS).map(([k, ms]) => [k, burnRate(s, now, ms, d.target)])),
    alert: firingAlert(s, now, d.target),
    burning: ep.active,
    ...(ep.incidentId ? { incidentId: ep.incidentId } : {}),
  };
}

function report(settings: SloSettings, c: SloCarried, now: number): SloReport {
  const quotas: QuotaStatus[] = [];
  for (const [k, q] of Object.entries(c.quotas)) {
    const fc = forecastQuota(q.samples, now, settings.quotaForecast);
    const last = q.samples[q.samples.length - 1];
    if (!last) continue;
    const [provider, kind] = k.split(':') as [string, QuotaKind];
    quotas.push({
      provider,
      kind,
      remaining: last.remaining,
      ...(last.limit !== undefined ? { limit: last.limit } : {}),
      perMinute: fc?.perMinute ?? 0,
      exhaustAt: fc?.exhaustAt != null ? new Date(fc.exhaustAt).toISOString() : null,
      resetAt: fc?.resetAt != null ? new Date(fc.resetAt).toISOString() : null,
      exhausts: fc?.exhausts ?? false,
      alerting: q.active,
      ...(q.incidentId ? { incidentId: q.incidentId } : {}),
    });
  }
  return {
    at: new Date(now).toISOString(),
    slos: settings.slos.map((d) =>
      statusOf(d, c.series[d.id] ?? newSeries(), c.episodes[d.id] ?? { active: false }, now),
    ),
    quotas,
  };
}
