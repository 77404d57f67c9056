// `lifeline doctor` as a CI gate runs it: the built CLI against a running stack (dev server, monitors and
// simulated providers). A config with a one-provider chain and an escalation level nobody is in gets those
// findings, at their config paths, with their fixes, exit 6 and readiness "basic"; a config with only
// warnings exits 0, or 1 with --strict, and reaches "intermediate"; with no Temporal to reach, doctor says
// so and exits 6 at readiness "none". The namespace retention it reports is read from the live server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startStack, type Stack } from '../helpers/stack';

const bin = resolve(__dirname, '..', '..', 'bin', 'lifeline.js');
const HOOK_SECRET_ENV = 'LIFELINE_DOCTOR_TEST_HOOK_SECRET';

let stack: Stack;
let dir: string;
beforeAll(async () => {
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), 'lifeline-doctor-'));
});
afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Finding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  subject: string;
  message: string;
  fix: string;
}
interface DoctorJson {
  config: string;
  findings: Finding[];
  counts: { error: number; warning: number; info: number };
  readiness: { level: string; next: string | null; needs: string[] };
}

/** A config file in the test's directory: the stack's providers (so their monitors answer) and `rest`. */
function configFile(name: string, temporal: string, rest: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `
temporal: ${temporal}
dataDir: ${join(dir, `${name}-data`)}
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini], probe: { intervalMs: 150, timeoutMs: 1000 } }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic", models: [claude-3-5-haiku-latest], probe: { intervalMs: 150, timeoutMs: 1000 } }
${rest}`,
  );
  return file;
}

function doctor(args: string[]): { status: number | null; json: DoctorJson; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'doctor', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LIFELINE_LOG_LEVEL: 'warn', [HOOK_SECRET_ENV]: 'hook-secret' },
    timeout: 60_000,
  });
  let json = undefined as unknown as DoctorJson;
  if (args.includes('--json')) json = JSON.parse(r.stdout) as DoctorJson;
  return { status: r.status, json, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON contract of README "lifeline doctor": exactly these keys, counts that add up, findings in severity order. */
function expectStableShape(j: DoctorJson, file: string): void {
  expect(Object.keys(j).sort()).toEqual(['config', 'counts', 'findings', 'readiness']);
  expect(j.config).toBe(file);
  expect(Object.keys(j.readiness).sort()).toEqual(['level', 'needs', 'next']);
  for (const f of j.findings) {
    expect(Object.keys(f).sort()).toEqual(['fix', 'id', 'message', 'severity', 'subject']);
    expect(f.fix.length).toBeGreaterThan(0);
  }
  const count = (s: Finding['severity']) => j.findings.filter((f) => f.severity === s).length;
  expect(j.counts).toEqual({ error: count('error'), warning: count('warning'), info: count('info') });
  const rank = { error: 0, warning: 1, info: 2 };
  const ranks = j.findings.map((f) => rank[f.severity]);
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
}

const list = (j: DoctorJson) => j.findings.map((f) => `${f.severity} ${f.id} ${f.subject}`);
const at = (j: DoctorJson, subject: string) => j.findings.find((f) => f.subject === subject);

test('a one-provider chain and an escalation level without people: errors with fixes, exit 6, readiness basic', () => {
  const file = configFile(
    'gaps',
    `{ address: "${stack.address}", namespace: default, taskQueue: lifeline-it }`,
    `chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
  - { id: solo, providers: [openai], weights: { openai: 100 } }
escalation:
  roles:
    technical_lead: [{ name: Dana, email: dana@example.com }]
  levels: { 1: [technical_lead], 2: [incident_commander], 3: [technical_lead] }
`,
  );
  const r = doctor(['--json', '-c', file]);
  expect(r.status).toBe(6);
  expectStableShape(r.json, file);
  expect(list(r.json)).toEqual([
    'error chain-single-provider chains.solo',
    'error escalation-level-empty escalation.levels.2',
    'warning failover-not-exercised chains.chat',
    'warning no-channels notifications',
    'warning retention-short temporal namespace',
    'info slos-missing slos',
  ]);
  expect(at(r.json, 'chains.solo')).toMatchObject({
    message: 'chain solo has one provider (openai): an outage there has nowhere to go',
    fix: 'add a second provider (another vendor or region) to chains.solo.providers',
  });
  expect(at(r.json, 'escalation.levels.2')).toMatchObject({
    message: 'escalation level 2 pages nobody (roles incident_commander have no people)',
    fix: expect.stringMatching(/^add people to escalation\.roles\.incident_commander /),
  });
  expect(at(r.json, 'chains.chat')!.fix).toMatch(/^run `lifeline drill run chat --share 10 --wait`/);
  // Read from the live namespace: the dev server's 30 days against the status page's 90.
  expect(at(r.json, 'temporal namespace')!.message).toMatch(/^namespace retention is 30 day\(s\); .* need 90$/);
  expect(r.json.readiness).toEqual({
    level: 'basic',
    next: 'intermediate',
    needs: [
      'a backup provider in every chain',
      'every escalation level reaches somebody',
      'a reachable paging channel besides the log',
    ],
  });

  // The same findings for people: each with its fix line, then the counts and the readiness.
  const text = doctor(['-c', file]);
  expect(text.status).toBe(6);
  expect(text.stdout).toContain('ERROR    chains.solo: chain solo has one provider (openai)');
  expect(text.stdout).toContain(
    '         fix: add a second provider (another vendor or region) to chains.solo.providers',
  );
  expect(text.stdout).toContain('2 error(s), 3 warning(s), 1 note(s)');
  expect(text.stdout).toContain('readiness: basic — for intermediate: a backup provider in every chain;');
  expect(text.stderr).toContain('2 error(s) found');
});

test('warnings only: exit 0, exit 1 with --strict; a reachable channel makes it intermediate', () => {
  const file = configFile(
    'warnings',
    `{ address: "${stack.address}", namespace: default, taskQueue: lifeline-it }`,
    `chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
escalation:
  roles:
    technical_lead: [{ name: Dana, email: dana@example.com }]
  levels: { 1: [technical_lead], 2: [technical_lead], 3: [technical_lead] }
notifications:
  webhooks:
    - { name: hooks, url: "${stack.apiUrl}/hook", secretEnv: ${HOOK_SECRET_ENV} }
`,
  );
  const r = doctor(['--json', '-c', file]);
  expect(r.status).toBe(0);
  expectStableShape(r.json, file);
  expect(list(r.json)).toEqual([
    'warning failover-not-exercised chains.chat',
    'warning retention-short temporal namespace',
    'info slos-missing slos',
  ]);
  expect(r.json.readiness).toEqual({
    level: 'intermediate',
    next: 'advanced',
    needs: ['a failover drill of every chain within 30 days', 'SLOs defined (slos:)'],
  });

  const strict = doctor(['--json', '--strict', '-c', file]);
  expect(strict.status).toBe(1);
  expect(list(strict.json)).toEqual(list(r.json));
  expect(strict.stderr).toContain('2 warning(s) (--strict)');
});

test('--offline with no Temporal to reach: Temporal unreachable, exit 6, readiness none', async () => {
  // A port nothing listens on: bound, then released.
  const port = await new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => done(p));
    });
  });
  const file = configFile(
    'offline',
    `{ address: embedded, port: ${port}, namespace: default, taskQueue: lifeline-it }`,
    `chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
escalation:
  roles:
    technical_lead: [{ name: Dana, email: dana@example.com }]
  levels: { 1: [technical_lead], 2: [technical_lead], 3: [technical_lead] }
`,
  );
  const r = doctor(['--offline', '--json', '-c', file]);
  expect(r.status).toBe(6);
  expectStableShape(r.json, file);
  const t = at(r.json, 'temporal.address');
  expect(t).toMatchObject({
    id: 'temporal-unreachable',
    severity: 'error',
    fix: 'start lifeline (`lifeline up`): the embedded server runs inside it',
  });
  expect(t!.message).toContain(`Temporal at embedded is unreachable: 127.0.0.1:${port}`);
  expect(r.json.counts.error).toBe(1);
  // Unreachable Temporal: no retention finding, and no monitor health to judge the chains by.
  expect(r.json.findings.map((f) => f.id)).not.toContain('retention-short');
  expect(r.json.readiness).toEqual({ level: 'none', next: 'basic', needs: ['Temporal reachable'] });
});
