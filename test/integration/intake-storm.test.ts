// A storm of one scope while its incident is held in diagnosis (the diagnosis waits on a status-page fake
// that answers only when the test lets it), on the real stack: 20,000 alerts over HTTP from concurrent
// clients → every request 202 (no 503: the incident, which cannot continue-as-new in this phase, gets
// summaries from the intake instead of a signal per batch), the incident's count = alerts accepted, and no
// run of the intake or the incident over 2,000 history events.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runStorm } from '../../bench/storm';
import { incidentStateQuery, incidentWorkflowId, intakeStateQuery, intakeWorkflowId } from '../../workflows/messages';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

const ALERTS = 20_000;
let stack: Stack;
let statusPage: Server;
let held: ServerResponse[] = [];
let holding = true;
let diagnosisAsked = 0;

function answer(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: { indicator: 'none', description: 'All Systems Operational' }, incidents: [] }));
}

beforeAll(async () => {
  statusPage = createServer((_req: IncomingMessage, res: ServerResponse) => {
    diagnosisAsked += 1;
    if (holding) held.push(res);
    else answer(res);
  });
  await new Promise<void>((r) => statusPage.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(statusPage.address() as AddressInfo).port}`;
  stack = await startStack({
    // A third provider whose diagnosis waits on the fake status page (the check is bounded by the probe
    // timeout: two minutes here); the storm's rate limit is lifted.
    editYaml: (y) =>
      y.replace(
        'chains:',
        `  - { id: stormy, kind: openai, baseUrl: "sim:stormy", models: [m], statusPage: "${url}", statusPagePollMs: 3600000, probe: { intervalMs: 1000, timeoutMs: 120000 } }\nchains:`,
      ),
    extraYaml: 'ingest: { rateLimit: { perSecond: 1000000, burst: 1000000 } }\n',
  });
});
afterAll(async () => {
  holding = false;
  for (const res of held) answer(res);
  await stack?.stop();
  await new Promise((r) => statusPage?.close(r));
});

async function historyLengths(workflowId: string): Promise<number[]> {
  const out: number[] = [];
  for await (const ex of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    out.push((await stack.client.workflow.getHandle(ex.workflowId, ex.runId).describe()).historyLength);
  }
  return out;
}

test('20,000 alerts of one scope while its incident diagnoses: all 202, all counted, no run over 2,000 events', async () => {
  const incident = stack.client.workflow.getHandle(incidentWorkflowId('stormy'));
  const first = await stack.http('POST', '/v1/alerts', {
    token: TOKENS.ingest,
    body: { provider: 'stormy', kind: 'outage', summary: 'stormy down', source: 'it' },
  });
  expect(first.status).toBe(202);
  await waitFor(
    () => incident.query(incidentStateQuery),
    (s) => s.phase === 'diagnosing' && held.length > 0,
    'incident held in diagnosis',
    60_000,
  );

  const r = await runStorm(stack.apiUrl, {
    alerts: ALERTS,
    providers: ['stormy'],
    clients: 50,
    keysPerProvider: 300,
    token: TOKENS.ingest,
  });
  expect(r.rejected).toEqual({}); // no 503, no 429
  expect(r.accepted).toBe(ALERTS);
  expect([...r.incidentIds.get('stormy')!]).toEqual([first.body.incidentId]);

  const s = await waitFor(
    () => incident.query(incidentStateQuery),
    (x) => x.alerts.count === ALERTS + 1,
    'every accepted alert counted',
    60_000,
  );
  expect(s.phase).toBe('diagnosing'); // the whole storm landed in this phase
  expect(s.alerts.distinct).toBe(300 + 1);
  // The incident (which cannot continue-as-new in this phase) got about one summary a second, not a
  // signal per group-commit batch: its one run stays small (it does not grow with the storm).
  const incidentRuns = await historyLengths(incidentWorkflowId('stormy'));
  expect(incidentRuns).toHaveLength(1);
  expect(incidentRuns[0]).toBeLessThanOrEqual(500);

  // The intake took it all and rolled over as needed, each run well under 2,000 events.
  const intake = stack.client.workflow.getHandle(intakeWorkflowId('stormy'));
  const totals = await waitFor(
    () => intake.query(intakeStateQuery),
    (x) => x.pending === 0 && x.totals.forwarded === x.totals.received,
    'intake drained',
    60_000,
  );
  expect(totals.totals.received).toBe(ALERTS + 1);
  expect(totals.totals.forwards).toBeLessThan(ALERTS / 20);
  const intakeRuns = await historyLengths(intakeWorkflowId('stormy'));
  expect(intakeRuns.length).toBeGreaterThanOrEqual(2); // the intake continued-as-new during the storm
  for (const n of intakeRuns) expect(n).toBeLessThanOrEqual(2000);

  // Diagnosis goes on once the status page answers; the incident carries on with the full count.
  holding = false;
  for (const res of held) answer(res);
  held = [];
  const after = await waitFor(
    () => incident.query(incidentStateQuery),
    (x) => !!x.diagnosis,
    'diagnosis done',
    60_000,
  );
  expect(after.alerts.count).toBe(ALERTS + 1);
  expect(diagnosisAsked).toBeGreaterThan(0);
});
