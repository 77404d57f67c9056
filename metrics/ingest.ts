// Metrics of alert ingestion in the API process: requests by endpoint and status, alerts recorded, the
// group-commit batch sizes and how long a request waited for Temporal to record its alerts.
import { Counter, Histogram, type Registry } from 'prom-client';

export class IngestMetrics {
  private readonly requests: Counter<'endpoint' | 'code'>;
  private readonly requestSeconds: Histogram<'endpoint'>;
  private readonly recorded: Counter<'mode'>;
  private readonly signals: Counter<'mode' | 'result'>;
  private readonly batchSize: Histogram<'mode'>;
  private readonly toRecorded: Histogram<'mode'>;

  constructor(registers: Registry[]) {
    this.requests = new Counter({
      name: 'lifeline_ingest_requests_total', help: 'Requests to the ingestion endpoints, by HTTP status (202 = recorded)',
      labelNames: ['endpoint', 'code'], registers,
    });
    this.requestSeconds = new Histogram({
      name: 'lifeline_ingest_request_duration_seconds', help: 'Ingestion request latency, arrival to response',
      labelNames: ['endpoint'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.recorded = new Counter({
      name: 'lifeline_alerts_recorded_total', help: 'Alerts durably recorded in Temporal (open: may open an incident; existing: ack/resolve of an open one)',
      labelNames: ['mode'], registers,
    });
    this.signals = new Counter({
      name: 'lifeline_ingest_signals_total', help: 'Group-commit signals sent to incident workflows, by result',
      labelNames: ['mode', 'result'], registers,
    });
    this.batchSize = new Histogram({
      name: 'lifeline_ingest_batch_size', help: 'Alerts per group-commit signal',
      labelNames: ['mode'], buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000], registers,
    });
    this.toRecorded = new Histogram({
      name: 'lifeline_ingest_time_to_recorded_seconds', help: 'Per request: from its alerts joining the group-commit queue to Temporal accepting them',
      labelNames: ['mode'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
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
