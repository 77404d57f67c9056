// Process-level: `lifeline up` (the built CLI) becomes ready, stops cleanly on SIGTERM, and an
// incident declared before a restart is still there after it (SQLite in dataDir).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { waitFor } from '../helpers/wait';
import { scanWorkerLog } from '../helpers/task-failures';
import { embeddedConfigHead } from '../helpers/embedded-config';

const root = resolve(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'lifeline-up-'));
const configPath = join(dir, 'lifeline.config.yaml');
const env = { ...process.env, LIFELINE_OPERATOR_TOKEN: 'up-test-operator', LIFELINE_LOG_LEVEL: 'warn' };

const configHead = embeddedConfigHead({
  taskQueue: 'lifeline-up',
  dataDir: join(dir, 'data'),
  token: { name: 'oncall', env: 'LIFELINE_OPERATOR_TOKEN', scopes: ['read', 'operate'] },
});
writeFileSync(
  configPath,
  `
${configHead}providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", probe: { intervalMs: 1000 } }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic", probe: { intervalMs: 1000 } }
chains: [{ id: chat, providers: [openai, anthropic], weights: { openai: 100 } }]
services: [{ id: bot, chains: [chat], users: 500 }]
`,
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  apiUrl: string;
  output: () => string;
}

async function up(): Promise<Running> {
  const child = spawn(process.execPath, [join(root, 'bin', 'lifeline.js'), 'up', '--config', configPath], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const apiUrl = await new Promise<string>((resolveUrl, reject) => {
    const onData = () => {
      const m = /api: listening on (http:\/\/\S+)/.exec(out);
      if (m) resolveUrl(m[1]);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`lifeline up exited with ${code} before listening:\n${out}`)));
  });
  return { child, apiUrl, output: () => out };
}

async function stop(r: Running): Promise<number | null> {
  const exited = new Promise<number | null>((res) => r.child.once('exit', (code) => res(code)));
  r.child.kill('SIGTERM');
  const code = await exited;
  scanWorkerLog(r.output(), 'lifeline up output'); // a failed workflow task fails the test (test/setup)
  return code;
}

const get = async (url: string, token?: string) => {
  const res = await request(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, body: (await res.body.json()) as any };
};

test('up → ready → declare → SIGTERM → up again → the incident is still there', async () => {
  const started = Date.now();
  const first = await up();
  const ready = await waitFor(
    () => get(`${first.apiUrl}/health/ready`),
    (r) => r.status === 200,
    '/health/ready 200',
    60_000,
    200,
  );
  process.stderr.write(`[up.test] lifeline up ready in ${Date.now() - started} ms\n`);
  expect(ready.body.checks.map((c: { name: string }) => c.name)).toEqual([
    'temporal',
    'worker',
    'entities',
    'probes',
    'channels',
  ]);
  expect((await get(`${first.apiUrl}/health/live`)).status).toBe(200);
  expect(first.output()).toMatch(/temporal: dev server on 127\.0\.0\.1:\d+/);
  expect(first.output()).toMatch(/lifeline is ready \(\d+\.\d s\)[\s\S]*Slack +off[\s\S]*Ctrl-C to stop\./);
  expect(first.output()).not.toMatch(/"level":\d+/); // no raw JSON log lines among the human output

  // A second `up` on the same data directory fails at once and says why; it joins nothing.
  const clash = spawn(process.execPath, [join(root, 'bin', 'lifeline.js'), 'up', '--config', configPath], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let clashOut = '';
  clash.stdout!.on('data', (d) => (clashOut += d));
  clash.stderr!.on('data', (d) => (clashOut += d));
  const clashCode = await new Promise<number | null>((res) => clash.once('exit', res));
  expect(clashCode).not.toBe(0);
  expect(clashOut).toMatch(/another lifeline is already running on the data directory .*\(pid \d+\)/);
  expect(clashOut).not.toMatch(/lifeline is ready|ready at/);
  expect((await get(`${first.apiUrl}/health/ready`)).status).toBe(200); // the first one is unharmed

  const declared = await request(`${first.apiUrl}/v1/incidents`, {
    method: 'POST',
    headers: { authorization: 'Bearer up-test-operator', 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'anthropic', title: 'survives restarts', severity: 'SEV3' }),
  });
  expect(declared.statusCode).toBe(201);
  const { id } = (await declared.body.json()) as { id: string };
  await waitFor(
    () => get(`${first.apiUrl}/v1/incidents/${id}`, 'up-test-operator'),
    (r) => r.body.phase === 'monitoring',
    'monitoring',
    30_000,
    200,
  );

  // A route change before the restart must still be there after it (route tables are workflow state).
  const shift = await request(`${first.apiUrl}/v1/routes/chat/weights`, {
    method: 'POST',
    headers: { authorization: 'Bearer up-test-operator', 'content-type': 'application/json' },
    body: JSON.stringify({ weights: { openai: 40, anthropic: 60 } }),
  });
  expect(shift.statusCode).toBe(202);
  await shift.body.dump();
  await waitFor(
    () => get(`${first.apiUrl}/v1/routes/chat`, 'up-test-operator'),
    (r) => r.body.weights?.anthropic === 60,
    'the 40/60 route',
    30_000,
    200,
  );

  expect(await stop(first)).toBe(0);
  expect(first.output()).toMatch(/stopped/);

  const second = await up();
  try {
    await waitFor(
      () => get(`${second.apiUrl}/health/ready`),
      (r) => r.status === 200,
      '/health/ready after restart',
      60_000,
      200,
    );
    const again = await get(`${second.apiUrl}/v1/incidents/${id}`, 'up-test-operator');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      id,
      title: 'survives restarts',
      status: 'open',
      severity: 'SEV3',
      phase: 'monitoring',
    });
    expect((await get(`${second.apiUrl}/v1/routes/chat`, 'up-test-operator')).body.weights).toEqual({
      openai: 40,
      anthropic: 60,
    });
  } finally {
    expect(await stop(second)).toBe(0);
  }
});
