// metrics/families.json is the one list of lifeline's own metric families: each entry is declared by the
// code (nothing stale in the catalogue) with the type, help and labels the catalogue gives it.
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../../config/schema';
import { registerTemporalGauges } from '../../api/metrics';
import { registerSloGauges } from '../../api/slos';
import { createMetrics } from '../../metrics';
import FAMILIES from '../../metrics/families.json';

// The gauges the API fills at scrape time from Temporal are registered by the API, not by createMetrics.
const SCRAPE_GROUPS: string[] = ['temporalSnapshot', 'slo'];
const catalogued = (groups: (g: string) => boolean) =>
  Object.entries(FAMILIES)
    .filter(([g]) => groups(g))
    .flatMap(([, group]) =>
      Object.values(group).map((f) => ({ name: f.name, type: f.type, help: f.help, labels: f.labels })),
    );
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

test('every catalogued family is registered, as catalogued, and nothing else of lifeline is', async () => {
  const { registry } = createMetrics({ processMetrics: false });
  const registered = (await registry.getMetricsAsJSON()).map((m) => ({ name: m.name, type: m.type, help: m.help }));
  const expected = catalogued((g) => !SCRAPE_GROUPS.includes(g)).map(({ name, type, help }) => ({ name, type, help }));
  expect(registered.sort(byName)).toEqual(expected.sort(byName));
});

test("the API's scrape-time gauges are the catalogue's scrape groups, with their labels", () => {
  const metrics = createMetrics({ processMetrics: false });
  const before = new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));
  registerTemporalGauges(metrics, {} as Client, {} as LifelineConfig);
  registerSloGauges(metrics.registry, {} as Client);
  const added = metrics.registry
    .getMetricsAsArray()
    .filter((m) => !before.has(m.name) && !m.name.startsWith('lifeline_scrape_'))
    .map((m) => {
      const g = m as unknown as { name: string; type: string; help: string; labelNames: string[] };
      return { name: g.name, type: g.type, help: g.help, labels: g.labelNames };
    });
  expect(added.sort(byName)).toEqual(catalogued((g) => SCRAPE_GROUPS.includes(g)).sort(byName));
});
