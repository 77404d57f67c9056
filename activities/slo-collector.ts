// The worker's side of the SLOs: the probe loops and trial probes of this worker report each probe here,
// and once a minute (worker.sloFlushMs) the counters since the last flush — probes answered, probes within
// each latency threshold an objective names, the rate-limit readings, the primary's share of each chain
// measured by a primary_share objective — go to the SLO entity as one signal. Counters, not probes: the
// entity's history grows by one event per worker per flush. A flush that cannot be delivered is dropped
// (the next one carries on), so an unreachable Temporal never piles samples up in memory.
import type { Logger } from 'pino';
import type { LifelineConfig } from '../config/schema';
import type { QuotaKind, QuotaSample } from '../domain/quota-forecast';
import type { RouteState, SloSampleBatch } from '../workflows/messages';
import type { ProbeResult } from './probe';

/** Readings kept per quota between flushes: enough for a trend, bounded whatever the probe rate. */
const QUOTA_READINGS_PER_FLUSH = 12;

export interface SloCollectorDeps {
  config: LifelineConfig;
  logger: Logger;
  send(batch: SloSampleBatch, withSettings: boolean): Promise<void>;
  readRoute(chain: string): Promise<RouteState>;
}

export class SloCollector {
  private probes = new Map<string, { total: number; ok: number; fast: Record<string, number> }>();
  private quotas = new Map<string, QuotaSample[]>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  /** Settings go with the first batch delivered after start (client/slos.ts). */
  private settingsSent = false;
  /** Latency thresholds any objective names, per provider. */
  private readonly thresholds = new Map<string, number[]>();
  private readonly shareChains: string[];

  constructor(private readonly deps: SloCollectorDeps) {
    const { config } = deps;
    const chainsOf = (service?: string) => config.services.find((s) => s.id === service)?.chains ?? [];
    for (const s of config.slos) {
      if (s.sli !== 'latency' || !s.thresholdMs) continue;
      const providers = s.provider
        ? [s.provider]
        : chainsOf(s.service).flatMap((c) => config.chains.find((x) => x.id === c)?.providers ?? []);
      for (const p of providers) this.thresholds.set(p, [...(this.thresholds.get(p) ?? []), s.thresholdMs]);
    }
    this.shareChains = [
      ...new Set(config.slos.filter((s) => s.sli === 'primary_share').flatMap((s) => chainsOf(s.service))),
    ];
  }

  /** One probe's outcome (any kind: loop, inference or trial). */
  record(provider: string, r: ProbeResult): void {
    const c = this.probes.get(provider) ?? { total: 0, ok: 0, fast: {} };
    c.total += 1;
    if (r.ok) c.ok += 1;
    // A failed probe is never "fast": it counts against latency objectives too.
    for (const t of this.thresholds.get(provider) ?? [])
      if (r.ok && r.latencyMs <= t) c.fast[String(t)] = (c.fast[String(t)] ?? 0) + 1;
    this.probes.set(provider, c);
    const at = Date.parse(r.at);
    for (const kind of ['requests', 'tokens'] as QuotaKind[]) {
      const b = r.rateLimitInfo?.[kind];
      if (b?.remaining === undefined) continue;
      const key = `${provider}:${kind}`;
      const list = this.quotas.get(key) ?? [];
      list.push({
        at,
        remaining: b.remaining,
        ...(b.limit !== undefined ? { limit: b.limit } : {}),
        ...(b.resetMs !== undefined ? { resetAt: at + b.resetMs } : {}),
      });
      // Keep the first reading and the newest ones: the trend still spans the whole flush interval.
      if (list.length > QUOTA_READINGS_PER_FLUSH) list.splice(1, 1);
      this.quotas.set(key, list);
    }
  }

  start(everyMs: number): void {
    this.timer ??= setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
  }

  /** Sends what was collected since the last flush (nothing when nothing was). */
  async flush(now = Date.now()): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush(now).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async doFlush(now: number): Promise<void> {
    const batch: SloSampleBatch = {
      probes: [...this.probes].map(([provider, c]) => ({ provider, ...c })),
      quotas: [...this.quotas].map(([k, samples]) => {
        const [provider, kind] = k.split(':') as [string, QuotaKind];
        return { provider, kind, samples };
      }),
      routes: [],
    };
    this.probes.clear();
    this.quotas.clear();
    const minute = Math.floor(now / 60_000);
    for (const chain of this.shareChains) {
      try {
        const r = await this.deps.readRoute(chain);
        const total = Object.values(r.weights).reduce((a, w) => a + w, 0);
        const primary = this.deps.config.chains.find((c) => c.id === chain)?.providers[0];
        batch.routes.push({ chain, minute, primaryShare: total && primary ? (r.weights[primary] ?? 0) / total : 0 });
      } catch {
        // The routing entity did not answer: this minute is not sampled for the chain.
      }
    }
    if (!batch.probes.length && !batch.quotas.length && !batch.routes.length) return;
    try {
      await this.deps.send(batch, !this.settingsSent);
      this.settingsSent = true;
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'SLO samples not delivered; the next flush carries on');
    }
  }
}
