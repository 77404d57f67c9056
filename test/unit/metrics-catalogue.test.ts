// metrics/families.json is the one list of lifeline's own metric families: each entry is declared by the
// code (nothing stale in the catalogue) with the type, help and labels the catalogue gives it.
import { createMetrics } from '../../metrics';
import FAMILIES from '../../metrics/families.json';

test('every catalogued family is registered, as catalogued, and nothing else of lifeline is', async () => {
  const { registry } = createMetrics({ processMetrics: false });
  const registered = (await registry.getMetricsAsJSON()).map((m) => ({ name: m.name, type: m.type, help: m.help }));
  const catalogued = Object.values(FAMILIES).flatMap((group) =>
    Object.values(group).map((f) => ({ name: f.name, type: f.type, help: f.help })),
  );
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  expect(registered.sort(byName)).toEqual(catalogued.sort(byName));
});
