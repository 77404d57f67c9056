// Model rollouts end to end: started through the API on the dev server, real activities, the gates
// judging the simulated target from its monitor's probes and a known-answer probe, steps through the
// chain's shift queue, the report in the store, the CLI reading it.
import { buildCli } from '../../cli';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    // Heartbeats (the monitor's window as Temporal holds it) every 300 ms, so a short hold sees probes.
    extraYaml: `
worker: { probeHeartbeatMs: 300 }
rollouts:
  holdMs: 1500
  gates: { maxErrorShare: 0.05, maxP95Ms: 2000, minSamples: 3 }
  knownAnswers:
    anthropic: { prompt: "Reply with the single word ok.", expect: "ok" }
`,
  });
});
afterAll(async () => stack?.stop());

const op = { token: TOKENS.operator };
const read = { token: TOKENS.reader };

async function cli(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => (printed.push(String(chunk)), true));
  try {
    await buildCli().parseAsync(['node', 'lifeline', '--api', stack.apiUrl, '--token', TOKENS.operator, ...args]);
  } finally {
    spy.mockRestore();
  }
  return printed.join('');
}

const finished = (id: string) =>
  waitFor(
    () => stack.http('GET', `/v1/rollouts/${id}`, read),
    (r) => r.status === 200 && r.body.outcome !== 'running',
    `rollout ${id} finished`,
    60_000,
  );

test('a canary rollout with a known-answer probe runs to completion through the API: PASS, and its report', async () => {
  expect((await stack.http('POST', '/v1/rollouts', { ...read, body: { chain: 'chat', to: 'anthropic' } })).status).toBe(
    403,
  );
  const bad = await stack.http('POST', '/v1/rollouts', { ...op, body: { chain: 'chat', to: 'bedrock' } });
  expect(bad.status).toBe(400);
  expect(bad.body.issues[0].path).toBe('body.to');

  const started = await stack.http('POST', '/v1/rollouts', {
    ...op,
    headers: { 'idempotency-key': 'rollout-haiku-1' },
    body: { chain: 'chat', to: 'anthropic/claude-3-5-haiku-latest', canary: [25, 50, 100], by: 'dana' },
  });
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ chain: 'chat', workflowId: 'rollout-chat', repeated: false });
  const id: string = started.body.id;
  // The same request again (a retry): the same rollout.
  const again = await stack.http('POST', '/v1/rollouts', {
    ...op,
    headers: { 'idempotency-key': 'rollout-haiku-1' },
    body: { chain: 'chat', to: 'anthropic/claude-3-5-haiku-latest', canary: [25, 50, 100], by: 'dana' },
  });
  expect(again).toMatchObject({ status: 202, body: { id, repeated: true } });
  // Another rollout while it runs: the chain is held.
  const other = await stack.http('POST', '/v1/rollouts', { ...op, body: { chain: 'chat', to: 'openai' } });
  expect(other.status).toBe(409);
  expect(other.body.error).toContain(`rollout ${id}`);

  const report = (await finished(id)).body;
  expect(report).toMatchObject({
    outcome: 'completed',
    result: 'PASS',
    provider: 'anthropic',
    model: 'claude-3-5-haiku-latest',
    initial: { openai: 100 },
    final: { anthropic: 100 },
  });
  expect(report.steps.map((s: { percent: number }) => s.percent)).toEqual([25, 50, 100]);
  for (const s of report.steps) {
    expect(s.gate).toMatchObject({ passed: true, errorShare: 0, knownAnswer: { passed: true } });
    expect(s.gate.knownAnswer.detail).toBe('answered "ok", contains "ok"');
    expect(s.gate.fromMonitor).toBeGreaterThan(0);
  }
  const route = await stack.http('GET', '/v1/routes/chat', read);
  expect(route.body).toMatchObject({ weights: { anthropic: 100 }, mode: 'normal' });

  const md = await stack.http('GET', `/v1/rollouts/${id}`, { ...read, accept: 'text/markdown' });
  expect(md.text).toContain(`# Rollout ${id}: PASS`);
  console.log(`[report] rollout report from the integration test:\n${md.text}`);
  expect(await cli('rollout', 'list')).toMatch(
    new RegExp(`${id}\\s+chat\\s+anthropic/claude-3-5-haiku-latest\\s+canary\\s+3/3\\s+completed\\s+PASS`),
  );
  expect(await cli('rollout', 'status', id)).toContain(
    `rollout ${id}: chat → anthropic/claude-3-5-haiku-latest (canary), PASS`,
  );
});

test('a wrong known answer fails the first gate: rolled back to the starting weights, FAIL', async () => {
  const started = await stack.http('POST', '/v1/rollouts', {
    ...op,
    body: {
      chain: 'chat',
      to: 'openai/gpt-4o-mini',
      canary: [50, 100],
      knownAnswer: { prompt: 'Capital of France? One word.', expect: 'Paris' },
      id: 'back-to-openai',
    },
  });
  expect(started.status).toBe(202);
  const report = (await finished('back-to-openai')).body;
  expect(report).toMatchObject({ outcome: 'rolled_back', result: 'FAIL', final: { anthropic: 100 } });
  expect(report.steps).toHaveLength(1);
  expect(report.steps[0].gate.knownAnswer).toEqual({
    passed: false,
    detail: 'answered "ok", expected it to contain "Paris"',
  });
  expect(report.rollback).toMatchObject({ weights: { anthropic: 100 }, outcome: 'completed' });
  expect((await stack.http('GET', '/v1/routes/chat', read)).body.weights).toEqual({ anthropic: 100 });
  // Finished: an abort is refused, the report stays.
  expect((await stack.http('POST', '/v1/rollouts/back-to-openai/abort', { ...op, body: {} })).status).toBe(409);
});

test('an open incident on a provider of the chain holds it: 409, nothing started', async () => {
  const declared = await stack.http('POST', '/v1/incidents', {
    ...op,
    body: { provider: 'openai', title: 'elevated errors', severity: 'SEV3' },
  });
  expect(declared.status).toBe(201);
  const id: string = declared.body.id;
  await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open', read),
    (r) => r.body.incidents.some((i: { id: string }) => i.id === id),
    'the incident listed as open',
  );
  const refused = await stack.http('POST', '/v1/rollouts', {
    ...op,
    body: { chain: 'chat', to: 'openai', id: 'held' },
  });
  expect(refused.status).toBe(409);
  expect(refused.body.error).toContain(`incident ${id} (openai) is open on chain chat`);
  expect((await stack.http('GET', '/v1/rollouts/held', read)).status).toBe(404);
  await stack.http('POST', `/v1/incidents/${id}/resolve`, { ...op, body: {} });
});
