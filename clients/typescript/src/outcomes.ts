// Outcome reports: queued per attempt, POSTed to /v1/outcomes in batches (size- or time-triggered), never
// awaited by a request. When lifeline is down a batch is dropped and counted; the queue is bounded so a
// long outage cannot grow memory.
import type { Outcome } from './types';

export interface OutcomeReporterOptions {
  url: string;
  token: string;
  app?: string;
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  timeoutMs: number;
}

export class OutcomeReporter {
  private queue: Outcome[] = [];
  private timer: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();
  sent = 0;
  dropped = 0;

  constructor(private readonly o: OutcomeReporterOptions) {
    this.timer = setInterval(() => void this.flush(), o.flushIntervalMs);
    this.timer.unref();
  }

  add(outcome: Outcome): void {
    this.queue.push(outcome);
    if (this.queue.length > this.o.maxQueue)
      this.dropped += this.queue.splice(0, this.queue.length - this.o.maxQueue).length;
    if (this.queue.length >= this.o.batchSize) void this.flush(true);
  }

  /**
   * Sends what is queued, one batch at a time (batches never overlap, so order is kept); `fullOnly` (a
   * size-triggered flush) leaves a partial batch for the interval.
   */
  flush(fullOnly = false): Promise<void> {
    this.inFlight = this.inFlight.then(async () => {
      while (this.queue.length >= (fullOnly ? this.o.batchSize : 1)) {
        const batch = this.queue.splice(0, Math.min(this.o.batchSize, 1000));
        if (!(await this.post(batch))) this.dropped += batch.length;
        else this.sent += batch.length;
      }
    });
    return this.inFlight;
  }

  private async post(outcomes: Outcome[]): Promise<boolean> {
    try {
      const res = await fetch(`${this.o.url}/v1/outcomes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.o.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(this.o.app ? { app: this.o.app, outcomes } : { outcomes }),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status === 202 || res.ok;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
