// Metrics of alert ingestion in the API process: requests by endpoint and status, alerts recorded, the
// group-commit batch sizes and how long a request waited for Temporal to record its alerts.
import type { Counter, Histogram, Registry } from 'prom-client';
import { metricsOn } from './define';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class IngestMetrics {
  private readonly requests: Counter<'endpoint' | 'code'>;
  private readonly requestSeconds: Histogram<'endpoint'>;
  private readonly recorded: Counter<'mode'>;
  private readonly signals: Counter<'mode' | 'result'>;
  private readonly batchSize: Histogram<'mode'>;
  private readonly toRecorded: Histogram<'mode'>;

  constructor(registers: Registry[]) {
    const m = metricsOn(registers);
    this.requests = m.counter(
      'lifeline_ingest_requests_total',
      'Requests to the ingestion endpoints, by HTTP status (202 = recorded)',
      ['endpoint', 'code'],
    );
    this.requestSeconds = m.histogram(
      'lifeline_ingest_request_duration_seconds',
      'Ingestion request latency, arrival to response',
      SECONDS,
      ['endpoint'],
    );
    this.recorded = m.counter(
      'lifeline_alerts_recorded_total',
      'Alerts durably recorded in Temporal (open: may open an incident; existing: ack/resolve of an open one)',
      ['mode'],
    );
    this.signals = m.counter(
      'lifeline_ingest_signals_total',
      'Group-commit signals sent to incident workflows, by result',
      ['mode', 'result'],
    );
    this.batchSize = m.histogram(
      'lifeline_ingest_batch_size',
      'Alerts per group-commit signal',
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      ['mode'],
    );
    this.toRecorded = m.histogram(
      'lifeline_ingest_time_to_recorded_seconds',
      'Per request: from its alerts joining the group-commit queue to Temporal accepting them',
      SECONDS,
      ['mode'],
    );
  }

  request(endpoint: string, code: number, seconds: number): void {
    this.requests.inc({ endpoint, code: String(code) });
    this.requestSeconds.observe({ endpoint }, seconds);
  }

  batch(e: { mode: string; alerts: number; ok: boolean; waitedMs: number[] }): void {
    this.signals.inc({ mode: e.mode, result: e.ok ? 'ok' : 'error' });
    if (!e.ok) return;
    this.recorded.inc({ mode: e.mode }, e.alerts);
    this.batchSize.observe({ mode: e.mode }, e.alerts);
    for (const ms of e.waitedMs) this.toRecorded.observe({ mode: e.mode }, ms / 1000);
  }
}
