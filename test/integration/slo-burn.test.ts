// An error budget burning end to end on the dev server with real activities and the simulator: a latency
// SLO on openai (95 % of probes within 200 ms, target 99) while the simulator answers every probe
// correctly but 400 ms late. The probes keep passing, so detection opens no outage (its p95 bound is
// 3,000 ms); only the SLO sees them as bad. The worker's collector flushes every second, the fast burn
// (1 h and 5 min above 14.4×) holds on the first flushes, and exactly one SEV4 warning incident with an
// `slo_burn` alert opens; later flushes of the same episode open no other. GET /v1/slos shows the SLO
// burning with that incident, and the incident's report, once resolved, has the "Error budget spent" section.
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    extraYaml: `
worker: { sloFlushMs: 1000 }
slos:
  - { id: openai-latency, provider: openai, sli: latency, thresholdMs: 200, target: 99, window: 30d }
`,
  });
});
afterAll(async () => stack?.stop());

const read = { token: TOKENS.reader };
const op = { token: TOKENS.operator };
type SloRow = {
  id: string;
  total: number;
  burning: boolean;
  budgetRemaining: number;
  incidentId?: string;
  alert: string | null;
};
const sloOf = (body: { slos?: SloRow[] }) => body.slos?.find((s) => s.id === 'openai-latency');

test('slow but passing probes burn a latency SLO: one warning incident per episode, reported with its budget', async () => {
  // Fast answers first: the SLO counts them and nothing burns.
  const before = await waitFor(
    () => stack.http('GET', '/v1/slos', read),
    (r) => (sloOf(r.body)?.total ?? 0) > 0,
    'the first flush of fast probes',
  );
  expect(sloOf(before.body)).toMatchObject({ burning: false, alert: null });
  expect((await stack.http('GET', '/v1/incidents', read)).body.incidents).toEqual([]);

  // Every answer correct, every one 400 ms late: bad for the SLO, healthy for detection (timeout 1,000 ms).
  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy', latencyMs: 400 });

  const open = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open', read),
    (r) => r.body.incidents?.length > 0,
    'the burn incident',
    60_000,
  );
  expect(open.body.incidents).toHaveLength(1);
  const incident = open.body.incidents[0];
  expect(incident.provider).toBe('openai');
  expect(incident.title).toMatch(
    /^SLO openai-latency burning its error budget \d+\.\d× \(fast burn; [\d.]+% of the 30d budget left\)$/,
  );

  const full = await waitFor(
    () => stack.http('GET', `/v1/incidents/${incident.id}`, read),
    (r) => r.body.alerts?.sample?.length > 0,
    'the incident record',
  );
  expect(full.body.severity).toBe('SEV4');
  expect(full.body.alerts.sample[0]).toMatchObject({
    kind: 'slo_burn',
    severity: 'warning',
    source: 'lifeline-slo',
    provider: 'openai',
    details: { slo: 'openai-latency', alert: 'fast', target: 99 },
  });
  expect(full.body.alerts.sample[0].details.burnRates['5m']).toBeGreaterThan(14.4);

  const burning = await waitFor(
    () => stack.http('GET', '/v1/slos', read),
    (r) => sloOf(r.body)?.incidentId === incident.id,
    'the burn in GET /v1/slos',
  );
  const slo = sloOf(burning.body)!;
  expect(slo).toMatchObject({ burning: true, alert: 'fast', sli: 'latency', thresholdMs: 200, target: 99 });
  expect(slo.budgetRemaining).toBeLessThan(1);

  // Two more flushes of the same episode (each one raises the count): still one incident, still named.
  const totals = new Set<number>();
  const later = await waitFor(
    () => stack.http('GET', '/v1/slos', read),
    (r) => {
      const total = sloOf(r.body)?.total ?? 0;
      if (total > slo.total) totals.add(total);
      return totals.size >= 2;
    },
    'two more flushes while burning',
  );
  expect(sloOf(later.body)).toMatchObject({ burning: true, incidentId: incident.id });
  const all = await stack.http('GET', '/v1/incidents', read);
  expect(all.body.incidents.map((i: { id: string }) => i.id)).toEqual([incident.id]);
  // Detection never saw an outage: the route is untouched.
  expect((await stack.http('GET', '/v1/routes/chat', read)).body).toMatchObject({ weights: { openai: 100 } });

  // Resolved, its report says what the incident cost the objective.
  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
  // No payload: the body is optional (it was a 400 before api/validator.ts).
  const resolved = await stack.http('POST', `/v1/incidents/${incident.id}/resolve`, op);
  expect({ status: resolved.status, body: resolved.body }).toMatchObject({ status: 200 });
  await waitFor(
    () => stack.http('GET', `/v1/incidents/${incident.id}`, read),
    (r) => r.body.status === 'resolved',
    'the incident resolved',
  );
  const report = await waitFor(
    () => stack.http('GET', `/v1/incidents/${incident.id}/report`, { ...read, accept: 'text/markdown' }),
    (r) => r.status === 200,
    'the report',
  );
  expect(report.text).toContain('## Error budget spent');
  const row = /\| `openai-latency` \| ([\d.]+)% \| (-?[\d.]+)% \|/.exec(report.text);
  expect(row).not.toBeNull();
  expect(Number(row![1])).toBeGreaterThan(0);
  expect(Number(row![2])).toBeLessThan(100);
});
