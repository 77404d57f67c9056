// Metrics of application outcomes in the API process: outcomes received by provider and result (`ok` or
// the error type), and the aggregated signals sent to the providers' monitors by result.
import type { Counter, Registry } from 'prom-client';
import { metricsOn } from './define';

export class OutcomeMetrics {
  private readonly received: Counter<'provider' | 'result'>;
  private readonly signals: Counter<'result'>;

  constructor(registers: Registry[]) {
    const m = metricsOn(registers);
    this.received = m.counter(
      'lifeline_outcomes_received_total',
      'Request outcomes (attempts) accepted from applications, by provider and result (ok or the error type)',
      ['provider', 'result'],
    );
    this.signals = m.counter(
      'lifeline_outcome_signals_total',
      "Aggregated outcome buckets sent to providers' monitors (ok, missing: no monitor, error)",
      ['result'],
    );
  }

  outcome(provider: string, result: string, n = 1): void {
    this.received.inc({ provider, result }, n);
  }

  signal(result: 'ok' | 'missing' | 'error'): void {
    this.signals.inc({ result });
  }
}
