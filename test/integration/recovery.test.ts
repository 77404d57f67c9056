// Diagnostics and automated recovery end to end on the dev server with real activities against sim/:
// a rate-limited provider is diagnosed, the recovery procedure signals throttling on the route, fails
// over, and fails back step by step once healthy; the route table answers 304 to a current ETag;
// operators shift traffic through the API and the CLI, one shift at a time.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cliPath } from '../helpers/temporal';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { findIncident } from '../../client/incidents';
import { historyFixtureDir, recordingFixtures } from '../helpers/fixtures';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

const op = { token: TOKENS.operator };
const route = () => stack.http('GET', '/v1/routes/chat', op);
const types = (timeline: { type: string; message: string }[]) => timeline.map((e) => e.type);

test('rate limit: diagnosed, throttling signalled, failed over, ETag moves, failed back in steps', async () => {
  const before = await stack.http('GET', '/v1/routes', op);
  const etag = String(before.headers.etag);
  expect(etag).toMatch(/^".+"$/);
  const unchanged = await stack.http('GET', '/v1/routes', { ...op, headers: { 'if-none-match': etag } });
  expect(unchanged.status).toBe(304);
  expect(unchanged.text).toBe('');

  const faultAt = Date.now();
  stack.endpoints.simulator!.setFault('openai', { mode: 'rate_limit' });
  const switched = await waitFor(route, (r) => r.body.weights?.anthropic === 100, 'traffic on anthropic');
  const failoverMs = Date.now() - faultAt;
  process.stdout.write(
    `[figures] rate_limit fault → route switched in ${failoverMs} ms (probe every 150 ms, 3 failures to open)\n`,
  );
  expect(switched.body).toMatchObject({ mode: 'degraded', hints: { openai: ['throttle'] } });
  const changed = await stack.http('GET', '/v1/routes', { ...op, headers: { 'if-none-match': etag } });
  expect(changed.status).toBe(200);
  expect(changed.headers.etag).not.toBe(etag);

  const open = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open&provider=openai', op),
    (r) => r.body.incidents?.length === 1,
    'incident',
  );
  const id: string = open.body.incidents[0].id;
  const monitoring = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'monitoring',
    'monitoring',
  );
  const d = monitoring.body.diagnosis;
  expect(d.rootCause).toBe('rate_limit');
  expect(d.checks.map((c: { name: string }) => c.name)).toEqual(
    expect.arrayContaining([
      'dns',
      'tcp',
      'tls',
      'api_probe',
      'credentials_primary',
      'rate_limit',
      'quota',
      'model:gpt-4o-mini',
      'alert_samples',
    ]),
  );
  expect(d.evidence.join(' ')).toMatch(/429/);
  const messages = monitoring.body.timeline.map((e: { message: string }) => e.message).join('\n');
  expect(messages).toMatch(/recovery plan for rate_limit: use_backup_key → throttle → failover/);
  expect(messages).toMatch(/use_backup_key: skipped/);
  expect(messages).toMatch(/after throttle: openai still failing/);
  expect(types(monitoring.body.timeline)).toContain('traffic_shifted');

  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
  const resolved = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'resolved',
    'resolution',
    90_000,
  );
  expect(types(resolved.body.timeline)).toContain('traffic_restored');
  expect((await route()).body).toMatchObject({ weights: { openai: 100 }, mode: 'normal', hints: {} });
  const shift = await stack.http('GET', '/v1/routes/chat/shift', op);
  expect(shift.body.result).toMatchObject({ kind: 'failback', outcome: 'completed' });
  expect(shift.body.result.steps.map((s: { weights: Record<string, number> }) => s.weights.openai ?? 0)).toEqual([
    10, 25, 50, 75, 100,
  ]);

  // New replay fixtures (the recovery-procedures path and a shift); the older ones are left untouched.
  if (recordingFixtures()) {
    const handle = await findIncident(stack.client, id);
    const dir = historyFixtureDir();
    mkdirSync(dir, { recursive: true });
    const show = (workflowId: string, runId: string) =>
      execFileSync(cliPath(), [
        'workflow',
        'show',
        '--workflow-id',
        workflowId,
        '--run-id',
        runId,
        '--address',
        stack.address,
        '-o',
        'json',
      ]);
    writeFileSync(
      join(dir, 'incident-rate-limit-recovery.json'),
      show(handle!.workflowId, (await handle!.describe()).runId),
    );
    const s = await stack.client.workflow.getHandle(shift.body.workflowId).describe();
    writeFileSync(join(dir, 'shift-chat-failback.json'), show(shift.body.workflowId, s.runId));
  }
});

test('operator shifts: validation, one shift at a time, canary through the API, failover/failback from the CLI', async () => {
  expect(
    (await stack.http('POST', '/v1/routes/chat/failover', { token: TOKENS.reader, body: { from: 'openai' } })).status,
  ).toBe(403);
  expect((await stack.http('POST', '/v1/routes/nope/failover', { ...op, body: { from: 'openai' } })).status).toBe(404);
  const badFrom = await stack.http('POST', '/v1/routes/chat/failover', { ...op, body: { from: 'bedrock' } });
  expect(badFrom.status).toBe(400);
  expect(badFrom.body.issues).toEqual([expect.objectContaining({ path: 'body.from' })]);
  const badMode = await stack.http('POST', '/v1/routes/chat/failover', {
    ...op,
    body: { from: 'openai', mode: 'yolo' },
  });
  expect(badMode.body.issues.map((i: { path: string }) => i.path)).toEqual(['body.mode']);
  const badWeights = await stack.http('POST', '/v1/routes/chat/weights', {
    ...op,
    body: { weights: { openai: 60, anthropic: 30 } },
  });
  expect(badWeights.status).toBe(400);
  expect(badWeights.body.issues).toEqual([{ path: 'body.weights', message: 'weights must sum to 100 (got 90)' }]);

  const canary = await stack.http('POST', '/v1/routes/chat/failover', {
    ...op,
    body: { from: 'openai', to: 'anthropic', mode: 'canary', stepDelayMs: 400 },
  });
  expect(canary.status).toBe(202);
  expect(canary.body).toMatchObject({
    chain: 'chat',
    kind: 'canary',
    shift: { workflowId: expect.stringMatching(/^shift-chat-/), position: 0 },
  });
  // A second shift while one runs waits its turn in the chain's queue (it used to be refused with 409).
  const queued = await stack.http('POST', '/v1/routes/chat/weights', { ...op, body: { weights: { anthropic: 100 } } });
  expect(queued.status).toBe(202);
  expect(queued.body.shift.position).toBe(1);
  const done = await waitFor(
    () => stack.http('GET', '/v1/routes/chat/shift', op),
    (r) => r.body.status === 'COMPLETED' && r.body.result?.kind === 'set',
    'canary, then the queued weights',
  );
  expect(done.body.queued).toBe(0);
  const canaryResult = await stack.client.workflow.getHandle(canary.body.shift.workflowId).result();
  expect(canaryResult.steps.map((s: { weights: Record<string, number> }) => s.weights.anthropic)).toEqual([
    5, 10, 25, 50, 75, 100,
  ]);
  expect((await route()).body.weights).toEqual({ anthropic: 100 });

  const bin = resolve(__dirname, '..', '..', 'bin', 'lifeline.js');
  // Asynchronous: the API under test runs in this process, so a blocking spawn would deadlock it.
  const cli = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [bin, '--api', stack.apiUrl, '--token', TOKENS.operator, ...args],
        { encoding: 'utf8', timeout: 60_000 },
        (err, stdout, stderr) => done({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const back = await cli('failback', 'chat', '--healthy-for', '0', '--step-delay', '50');
  expect(back.stderr).toBe('');
  expect(back.stdout).toMatch(/^chat: failback started; follow it with: lifeline shifts chat/);
  await waitFor(route, (r) => r.body.weights?.openai === 100 && r.body.mode === 'normal', 'failback by CLI');
  // The last step is validated too before the shift ends and frees the chain.
  await waitFor(
    () => stack.http('GET', '/v1/routes/chat/shift', op),
    (r) => r.body.status === 'COMPLETED',
    'failback done',
  );

  const gradual = await cli('failover', 'chat', '--from', 'openai', '--mode', 'gradual', '--step-delay', '50');
  expect(gradual.stdout).toMatch(/^chat: gradual failover off openai started/);
  await waitFor(route, (r) => r.body.weights?.anthropic === 100, 'gradual failover by CLI');
  const refused = await cli('failover', 'chat', '--from', 'openai', '--mode', 'sideways');
  expect(refused.status).toBe(2); // usage error
  expect(refused.stderr).toMatch(/--mode must be one of immediate, gradual, canary \(got "sideways"\)/);
  await waitFor(
    () => stack.http('GET', '/v1/routes/chat/shift', op),
    (r) => r.body.status === 'COMPLETED',
    'gradual done',
  );
  await cli('failback', 'chat', '--healthy-for', '0', '--step-delay', '50');
  await waitFor(route, (r) => r.body.weights?.openai === 100 && r.body.mode === 'normal', 'restored');
});
