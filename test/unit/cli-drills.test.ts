// `lifeline drill …` against a small stand-in for the HTTP API, and `lifeline doctor` on a config whose
// Temporal is not there: what is sent, what is printed, and the exit codes scripts and CI gate on.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/index';
import type { DrillReport } from '../../domain/drill';

type Handler = (method: string, url: string, body: string) => { status: number; body: unknown };
let server: Server;
let api: string;
let handler: Handler;
const seen: { method: string; url: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      const r = handler(req.method!, req.url!, body);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => (seen.length = 0));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const o = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => (stdout.push(String(c)), true));
  const e = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => (stderr.push(String(c)), true));
  try {
    const code = await main(['node', 'lifeline', '--api', api, '--token', 'tok', ...args]);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const report = (over: Partial<DrillReport> = {}): DrillReport => ({
  id: 'drill-chat-0a1b2c3d',
  chain: 'chat',
  primary: 'openai',
  backup: 'anthropic',
  share: 25,
  durationMs: 60_000,
  by: 'oncall',
  scheduled: false,
  startedAt: '2026-11-30T10:00:00.000Z',
  endedAt: '2026-11-30T10:01:01.000Z',
  outcome: 'passed',
  passed: true,
  timings: { detectionMs: 4_000, failoverMs: 500, restorationMs: 400 },
  targets: { detectionMs: 30_000, failoverMs: 60_000, restorationMs: 120_000 },
  weights: { before: { openai: 100 }, during: { openai: 75, anthropic: 25 }, after: { openai: 100 } },
  checks: { total: 12, failed: 0 },
  findings: [],
  timeline: [{ at: '2026-11-30T10:00:00.000Z', what: 'drill: started' }],
  ...over,
});

function drillApi(finished: DrillReport, opts: { conflict?: boolean } = {}): Handler {
  return (method, url) => {
    if (method === 'GET' && url === '/v1/drills')
      return { status: 200, body: { drills: [{ id: 'chat-monthly' }], runs: [] } };
    if (method === 'POST' && url === '/v1/drills/runs')
      return opts.conflict
        ? { status: 409, body: { error: 'refused: an incident is open on openai' } }
        : { status: 202, body: { id: finished.id, chain: 'chat' } };
    if (method === 'GET' && url === `/v1/drills/runs/${finished.id}`)
      return { status: 200, body: { id: finished.id, status: 'finished', report: finished } };
    return { status: 404, body: { error: 'not found' } };
  };
}

test('drill run <chain> --wait: sends an ad-hoc drill, prints the report against the targets, exit 0 when it passed', async () => {
  handler = drillApi(report());
  const r = await run('drill', 'run', 'chat', '--share', '25', '--duration', '60', '--wait');
  expect(r.code).toBe(0);
  const post = seen.find((s) => s.method === 'POST')!;
  expect(JSON.parse(post.body)).toEqual({ chain: 'chat', share: 25, durationMs: 60_000 });
  expect(r.stdout).toContain('drill-chat-0a1b2c3d: PASSED');
  expect(r.stdout).toMatch(/failover\s+0\.5 s\s+< 60\.0 s\s+ok/);
});

test('drill run <drill-id>: a configured drill by id; a failed drill exits 1, a refused one 4, a bad share 2', async () => {
  handler = drillApi(report({ outcome: 'failed', passed: false, findings: ['backup anthropic failed'] }));
  const failed = await run('drill', 'run', 'chat-monthly', '--wait');
  expect(JSON.parse(seen.find((s) => s.method === 'POST')!.body)).toEqual({ drill: 'chat-monthly' });
  expect(failed.code).toBe(1);
  expect(failed.stdout).toContain('  - backup anthropic failed');

  handler = drillApi(report(), { conflict: true });
  const refused = await run('drill', 'run', 'chat');
  expect(refused.code).toBe(4);
  expect(refused.stderr).toContain('an incident is open on openai');

  expect((await run('drill', 'run', 'chat', '--share', '0')).code).toBe(2);
});

test('doctor: Temporal unreachable is an error with its fix, exit 6; --json for machines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-doctor-'));
  try {
    const file = join(dir, 'lifeline.config.yaml');
    writeFileSync(
      file,
      `dataDir: ${join(dir, 'data')}
temporal: { address: "127.0.0.1:1" }
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai" }
chains:
  - { id: solo, providers: [openai], weights: { openai: 100 } }
`,
    );
    const r = await run('--config', file, 'doctor', '--offline', '--json');
    expect(r.code).toBe(6);
    const out = JSON.parse(r.stdout);
    expect(out.findings.map((f: { id: string }) => f.id)).toEqual(
      expect.arrayContaining(['temporal-unreachable', 'chain-single-provider', 'escalation-level-empty']),
    );
    expect(out.readiness).toMatchObject({ level: 'none', next: 'basic' });
    const text = await run('--config', file, 'doctor', '--offline');
    expect(text.stdout).toMatch(/ERROR\s+chains\.solo: chain solo has one provider/);
    expect(text.stdout).toContain('fix: add a second provider');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('drill schedule and drill list: a table each (two for list), or the API answer as JSON', async () => {
  const schedules = [
    {
      drill: 'monthly',
      cron: '0 10 1 * *',
      enabled: true,
      paused: false,
      nextRunAt: '2026-12-01T10:00:00.000Z',
      lastRunAt: null,
    },
    { drill: 'weekly', cron: '0 9 * * 1', enabled: true, paused: null, nextRunAt: null, lastRunAt: null },
  ];
  const drills = {
    drills: [
      {
        id: 'monthly',
        chain: 'chat',
        share: 'full',
        durationMs: 300_000,
        schedule: '0 10 1 * *',
        enabled: true,
        lastRun: report(),
      },
      { id: 'adhoc', chain: 'chat', share: 25, durationMs: 60_000, enabled: false, lastRun: null },
    ],
    runs: [report()],
  };
  handler = (method, url) =>
    url === '/v1/drills/schedules'
      ? { status: 200, body: { schedules } }
      : url === '/v1/drills'
        ? { status: 200, body: drills }
        : { status: 404, body: { error: 'not found' } };
  const schedule = await run('drill', 'schedule');
  expect(schedule.code).toBe(0);
  expect(schedule.stdout).toBe(
    [
      'DRILL    CRON (UTC)  STATE                             NEXT RUN                  LAST RUN',
      'monthly  0 10 1 * *  active                            2026-12-01T10:00:00.000Z  -',
      'weekly   0 9 * * 1   not written yet (start a worker)  -                         -',
      '',
    ].join('\n'),
  );
  expect(JSON.parse((await run('drill', 'schedule', '--json')).stdout)).toEqual(schedules);

  const list = await run('drill', 'list');
  expect(list.code).toBe(0);
  expect(list.stdout).toBe(
    [
      'DRILL    CHAIN  SHARE  WINDOW   SCHEDULE    LAST RUN',
      'monthly  chat   full   300.0 s  0 10 1 * *  passed 2026-11-30T10:00:00Z',
      'adhoc    chat   25 %   60.0 s   disabled    never',
      '',
      'RUN                  CHAIN  STARTED               OUTCOME  FAILOVER  RESTORATION',
      'drill-chat-0a1b2c3d  chat   2026-11-30T10:00:00Z  passed   0.5 s     0.4 s',
      '',
    ].join('\n'),
  );
  expect(JSON.parse((await run('drill', 'list', '--json')).stdout)).toEqual(drills);
});
