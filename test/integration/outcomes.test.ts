// Application outcomes on the real stack (dev server, worker, real activities, healthy sim providers):
// apps report failing requests for openai while its probes keep passing; the API's aggregated buckets
// trip openai's passive window, its breaker opens and an incident opens from user traffic alone, and the
// incident's report states the user impact against the runbook targets. A bad batch is a 400 naming the field.
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { monitorStateQuery, monitorWorkflowId } from '../../workflows/messages';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    extraYaml: 'outcomes: { minRequests: 20, errorShare: 0.5, windowMs: 10000, flushMs: 200 }\n',
  });
});
afterAll(async () => stack?.stop());

const op = { token: TOKENS.operator };
const ingest = { token: TOKENS.ingest };

test('users failing on openai trip its breaker and open an incident while probes pass; the report states the impact', async () => {
  const now = Date.now();
  const at = (msAgo = 0) => new Date(now - msAgo).toISOString();
  const attempt = (provider: string, i: number, o: Record<string, unknown>) => ({
    requestId: `${provider}-${i}`,
    chain: 'chat',
    provider,
    at: at(),
    latencyMs: 200,
    ok: true,
    final: true,
    ...o,
  });
  // Bad input first: 400 naming the item's field, and nothing of the batch is counted.
  const bad = await stack.http('POST', '/v1/outcomes', {
    ...ingest,
    body: { outcomes: [attempt('openai', 0, {}), attempt('openai', 1, { ok: 'no' })] },
  });
  expect(bad.status).toBe(400);
  expect(bad.body.issues).toEqual([expect.objectContaining({ path: 'body.outcomes.1.ok' })]);

  const outcomes = [
    // The baseline: ten minutes ago, all fine at 100 ms (too old for the passive window).
    ...Array.from({ length: 40 }, (_, i) => attempt('openai', 100 + i, { at: at(10 * 60_000), latencyMs: 100 })),
    // Now: 20 of 30 attempts on openai fail; 19 of those requests succeed on anthropic, one is lost.
    ...Array.from({ length: 10 }, (_, i) => attempt('openai', i, {})),
    ...Array.from({ length: 20 }, (_, i) =>
      attempt('openai', 10 + i, { ok: false, status: 503, errorType: 'server_error', latencyMs: 900, final: i === 0 }),
    ),
    ...Array.from({ length: 19 }, (_, i) => attempt('anthropic', 11 + i, { latencyMs: 300 })),
  ];
  const accepted = await stack.http('POST', '/v1/outcomes', { ...ingest, body: { app: 'support-bot', outcomes } });
  expect(accepted.status).toBe(202);
  expect(accepted.body).toEqual({ accepted: 89 });

  const monitor = stack.client.workflow.getHandle(monitorWorkflowId('openai'));
  const tripped = await waitFor(
    () => monitor.query(monitorStateQuery),
    (s) => !!s.incidentId && s.breaker?.openedCount === 1,
    'openai breaker opened by outcomes',
  );
  expect(tripped.lastReason).toBe(
    'user traffic: 20 of 30 attempts failed in 10 s (66.7 % ≥ 50 %, mostly server_error)',
  );
  // The probes never failed: the last probe observed (if any) was a success.
  expect(tripped.lastObservation?.ok ?? true).toBe(true);

  const id = tripped.incidentId!;
  const incident = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.status === 200 && r.body.alerts?.count >= 1,
    'the incident with its alert',
  );
  expect(incident.body.alerts.sample[0]).toMatchObject({ source: 'lifeline-outcomes', kind: 'outage' });

  const report = await stack.http('GET', `/v1/incidents/${id}/report`, { ...op, accept: 'text/markdown' });
  expect(report.status).toBe(200);
  const section = report.text.slice(report.text.indexOf('## User impact'), report.text.indexOf('## Root cause'));
  expect(section).toContain('| User error rate (failed attempts) | < 5 % | 40.82 % (20 of 49) | missed |');
  expect(section).toContain('| Request loss (final attempt failed) | < 1 % | 3.33 % (1 of 30) | missed |');
  expect(section).toMatch(
    /\| Latency degradation \(p95 against the 30 min before\) \| < 20 % \| \+\d+(\.\d+)? % \(p95 \d+ ms vs \d+ ms\) \| missed \|/,
  );

  // Received outcomes are counted by provider and result.
  const metrics = await stack.http('GET', '/metrics', { accept: 'text/plain' });
  expect(metrics.text).toMatch(/lifeline_outcomes_received_total\{provider="openai",result="server_error"\} 20/);
  expect(metrics.text).toMatch(/lifeline_outcomes_received_total\{provider="openai",result="ok"\} 50/);
});
