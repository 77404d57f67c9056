// Gauges whose series are all replaced at every scrape from one read of a source (a Temporal snapshot, the
// SLO entity's report): every old series is dropped first, so a label value that went away (a closed
// incident, a removed chain) leaves no stale series, and a read that fails leaves the gauge empty.
import { Gauge, type Registry } from 'prom-client';

/**
 * A declarer of such gauges on `registers`, all filled from `read()` (its caching and bounding are the
 * caller's); a `read` that resolves to null leaves every gauge empty for that scrape.
 */
export function scrapeGauges<T>(registers: Registry[], read: () => Promise<T | null>) {
  return <L extends string>(name: string, help: string, labelNames: L[], fill: (g: Gauge<L>, value: T) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const value = await read();
        this.reset();
        if (value !== null) fill(this, value);
      },
    });
}
