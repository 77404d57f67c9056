// Gauges whose series are all replaced at every scrape from one read of a source (a Temporal snapshot, the
// SLO entity's report): every old series is dropped first, so a label value that went away (a closed
// incident, a removed chain) leaves no stale series, and a read that fails leaves the gauge empty. Names,
// help and labels stand in the catalogue (families.json) like every other family; the caller gives each
// family the function that sets its series from what was read.
import { Gauge, type Registry } from 'prom-client';
import FAMILIES from './families.json';
import type { Family, FamilyGroup } from './define';

type Fill<T> = (g: Gauge<string>, value: T) => void;

/**
 * Declares every family of `group` (all gauges) on `registers`, filled at scrape time from `read()` (its
 * caching and bounding are the caller's); a `read` that resolves to null leaves them empty for that scrape.
 */
export function declareScrapeGauges<G extends FamilyGroup, T>(
  registers: Registry[],
  group: G,
  read: () => Promise<T | null>,
  fill: Record<keyof (typeof FAMILIES)[G], Fill<T>>,
): void {
  const families = FAMILIES[group] as Record<string, Family>;
  for (const [key, f] of Object.entries(families)) {
    if (f.type !== 'gauge') throw new Error(`${f.name} is a ${f.type}, not a gauge filled at scrape time`);
    const set = (fill as Record<string, Fill<T>>)[key];
    new Gauge({
      name: f.name,
      help: f.help,
      labelNames: f.labels,
      registers,
      async collect() {
        const value = await read();
        this.reset();
        if (value !== null) set(this, value);
      },
    });
  }
}
