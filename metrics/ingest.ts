// Metrics of alert ingestion in the API process: requests by endpoint and status, alerts recorded, the
// group-commit batch sizes and how long a request waited for Temporal to record its alerts.
import type { Counter, Histogram, Registry } from 'prom-client';
import { declareFamilies } from './define';

/** The `ingest` group of metrics/families.json. */
interface Families {
  requests: Counter<'endpoint' | 'code'>;
  requestSeconds: Histogram<'endpoint'>;
  recorded: Counter<'mode'>;
  signals: Counter<'mode' | 'result'>;
  batchSize: Histogram<'mode'>;
  toRecorded: Histogram<'mode'>;
}

export class IngestMetrics {
  private readonly f: Families;

  constructor(registers: Registry[]) {
    this.f = declareFamilies<Families>(registers, 'ingest');
  }

  request(endpoint: string, code: number, seconds: number): void {
    this.f.requests.inc({ endpoint, code: String(code) });
    this.f.requestSeconds.observe({ endpoint }, seconds);
  }

  batch(e: { mode: string; alerts: number; ok: boolean; waitedMs: number[] }): void {
    this.f.signals.inc({ mode: e.mode, result: e.ok ? 'ok' : 'error' });
    if (!e.ok) return;
    this.f.recorded.inc({ mode: e.mode }, e.alerts);
    this.f.batchSize.observe({ mode: e.mode }, e.alerts);
    for (const ms of e.waitedMs) this.f.toRecorded.observe({ mode: e.mode }, ms / 1000);
  }
}
