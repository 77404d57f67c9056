// Failover drills on the real stack (dev server, real activities, simulated providers): a drill run
// through the API moves a quarter of chat's traffic to anthropic, holds while probing it, restores the
// route and stores its report, which the API serves; no incident is opened. While an incident is open on
// the chain, the API refuses a drill with 409 and nothing moves.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    extraYaml: `
drills:
  - { id: chat-canary, chain: chat, share: 25, durationMs: 1500, checkEveryMs: 250 }
`,
  });
});
afterAll(async () => stack?.stop());

const op = { token: TOKENS.operator };

test('a drill run through the API moves the share, holds, restores, and its report is served', async () => {
  const started = await stack.http('POST', '/v1/drills/runs', { ...op, body: { drill: 'chat-canary' } });
  expect(started.status).toBe(202);
  const id: string = started.body.id;
  expect(id).toMatch(/^drill-chat-canary-/);

  // During the window the route carries the drill's weights, marked as a drill.
  const during = await waitFor(
    () => stack.http('GET', '/v1/routes/chat', op),
    (r) => r.body.weights?.anthropic === 25,
    'the drill weights on chat',
  );
  expect(during.body).toMatchObject({ weights: { openai: 75, anthropic: 25 }, mode: 'degraded' });

  const done = await waitFor(
    () => stack.http('GET', `/v1/drills/runs/${id}`, op),
    (r) => r.body.status === 'finished',
    'the drill report',
  );
  const report = done.body.report;
  expect(report).toMatchObject({
    id,
    drill: 'chat-canary',
    chain: 'chat',
    primary: 'openai',
    backup: 'anthropic',
    outcome: 'passed',
    passed: true,
    findings: [],
    weights: { before: { openai: 100 }, during: { openai: 75, anthropic: 25 }, after: { openai: 100 } },
  });
  expect(report.checks.total).toBeGreaterThanOrEqual(2);
  expect(report.checks.failed).toBe(0);
  expect(report.timings.failoverMs).toBeLessThan(report.targets.failoverMs);
  expect(report.timings.restorationMs).toBeLessThan(report.targets.restorationMs);
  expect(Date.parse(report.endedAt) - Date.parse(report.startedAt)).toBeGreaterThanOrEqual(1500);

  // Restored, stored where incident reports are, listed, and no incident was opened by it.
  const after = await stack.http('GET', '/v1/routes/chat', op);
  expect(after.body).toMatchObject({ weights: { openai: 100 }, mode: 'normal' });
  expect(existsSync(join(stack.dataDir, 'drills', `${id}.json`))).toBe(true);
  const list = await stack.http('GET', '/v1/drills', op);
  expect(list.body.drills[0]).toMatchObject({ id: 'chat-canary', lastRun: { id, outcome: 'passed' } });
  const incidents = await stack.http('GET', '/v1/incidents', op);
  expect(incidents.body.incidents).toEqual([]);
  const changes = await stack.http('GET', '/v1/routes/chat', op);
  expect(changes.body.version).toBeGreaterThan(during.body.version);
});

test('refused with 409 while an incident is open on the chain; nothing moves', async () => {
  const before = await stack.http('GET', '/v1/routes/chat', op);
  const declared = await stack.http('POST', '/v1/incidents', {
    ...op,
    body: { provider: 'openai', title: 'elevated errors', severity: 'SEV4' },
  });
  expect(declared.status).toBe(201);
  const refused = await stack.http('POST', '/v1/drills/runs', { ...op, body: { chain: 'chat', share: 10 } });
  expect(refused.status).toBe(409);
  expect(refused.body.error).toMatch(/an incident is open on openai/);
  const after = await stack.http('GET', '/v1/routes/chat', op);
  expect(after.body.version).toBe(before.body.version);
  // Unknown drills and chains are 404; a read token may not start one.
  expect((await stack.http('POST', '/v1/drills/runs', { ...op, body: { drill: 'nope' } })).status).toBe(404);
  expect((await stack.http('POST', '/v1/drills/runs', { token: TOKENS.reader, body: { chain: 'chat' } })).status).toBe(
    403,
  );
  await stack.http('POST', `/v1/incidents/${declared.body.id}/resolve`, op);
});
