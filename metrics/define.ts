// One way to declare lifeline's metrics. Every family (name, type, help, labels, buckets) stands in the catalogue
// families.json, grouped by the class that records it: one place to read what lifeline exports. A class declares
// its group in one call and names the handles' types (label names included) in an interface of its own.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import FAMILIES from './families.json';

export type FamilyGroup = keyof typeof FAMILIES;

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  labels: string[];
  buckets?: number[];
}

type Metric = Counter<string> | Gauge<string> | Histogram<string>;

/**
 * Declares every family of `group` on `registers`, keyed as in the catalogue. `collect` gives a gauge the function
 * that sets its value at scrape time (for gauges that read a live count).
 */
export function declareFamilies<T extends { [K in keyof T]: Metric }>(
  registers: Registry[],
  group: FamilyGroup,
  collect: Partial<Record<keyof T, (this: Gauge<string>) => void>> = {},
): T {
  const entries = Object.entries(FAMILIES[group] as Record<string, Family>).map(([key, f]) => {
    const config = { name: f.name, help: f.help, labelNames: f.labels, registers };
    if (f.type === 'counter') return [key, new Counter(config)];
    if (f.type === 'histogram') return [key, new Histogram({ ...config, buckets: f.buckets })];
    return [key, new Gauge({ ...config, ...(collect[key as keyof T] ? { collect: collect[key as keyof T] } : {}) })];
  });
  return Object.fromEntries(entries) as T;
}
