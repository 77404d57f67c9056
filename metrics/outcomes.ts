// Metrics of application outcomes in the API process: outcomes received by provider and result (`ok` or
// the error type), and the aggregated signals sent to the providers' monitors by result.
import type { Counter, Registry } from 'prom-client';
import { declareFamilies } from './define';

/** The `outcomes` group of metrics/families.json. */
interface Families {
  received: Counter<'provider' | 'result'>;
  signals: Counter<'result'>;
}

export class OutcomeMetrics {
  private readonly f: Families;

  constructor(registers: Registry[]) {
    this.f = declareFamilies<Families>(registers, 'outcomes');
  }

  outcome(provider: string, result: string, n = 1): void {
    this.f.received.inc({ provider, result }, n);
  }

  signal(result: 'ok' | 'missing' | 'error'): void {
    this.f.signals.inc({ result });
  }
}
