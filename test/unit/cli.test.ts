// The CLI as scripts and people use it, against a small stand-in for the HTTP API: exit codes
// (0 ok, 2 usage, 3 not found, 4 conflict, 5 unreachable), --json on read verbs, aligned tables,
// errors in CLI terms with hints, --version and completion.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../cli/index';
import { cliField } from '../../cli/errors';
import { newIncidentState } from '../../domain/incident';

type Handler = (req: IncomingMessage, body: string) => { status: number; body: unknown };
let server: Server;
let api: string;
let handler: Handler;
const seen: { method: string; url: string; body: string; auth?: string }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, auth: req.headers.authorization });
      const r = handler(req, body);
      res.writeHead(r.status, { 'content-type': typeof r.body === 'string' ? 'text/markdown' : 'application/json' });
      res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
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

const open = {
  id: 'openai-0a1b2c3d',
  provider: 'openai',
  title: 'OpenAI errors',
  severity: 'SEV2',
  phase: 'monitoring',
  status: 'open',
  startedAt: '2026-11-20T10:00:00.000Z',
  resolvedAt: null,
};
const long = {
  ...open,
  id: 'anthropic-99887766',
  provider: 'anthropic',
  title: 'Claude slow',
  severity: 'SEV4',
  phase: 'diagnosing',
};

test('list: an aligned table with headers; --json prints the data; enums in any case', async () => {
  handler = () => ({ status: 200, body: { incidents: [open, long] } });
  const table = await run('incidents', 'list', '--severity', 'sev2', '--status', 'OPEN');
  expect(table.code).toBe(0);
  const lines = table.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^ID\s+STATUS\s+SEV\s+PHASE\s+STARTED\s+TITLE$/);
  // Columns line up: each row's STATUS starts where the header's does.
  const col = lines[0].indexOf('STATUS');
  expect(lines.slice(1).every((l) => l.slice(col).startsWith('open'))).toBe(true);
  expect(seen[0].url).toBe('/v1/incidents?status=open&severity=SEV2');
  const asJson = await run('incidents', 'list', '--json');
  expect(JSON.parse(asJson.stdout)).toEqual([open, long]);
});

test('usage and validation errors exit 2 and speak CLI, not HTTP', async () => {
  const bad = await run('incidents', 'list', '--severity', 'high');
  expect(bad).toMatchObject({ code: 2 });
  expect(bad.stderr).toContain('--severity must be one of SEV1, SEV2, SEV3, SEV4');
  expect(seen).toHaveLength(0); // refused before any request
  handler = () => ({
    status: 400,
    body: { error: 'invalid body', issues: [{ path: 'body.stepDelayMs', message: 'must be at most 3600000' }] },
  });
  const api400 = await run('failover', 'chat', '--from', 'openai', '--step-delay', '99999999');
  expect(api400.code).toBe(2);
  expect(api400.stderr).toContain('--step-delay: must be at most 3600000');
  expect(api400.stderr).not.toContain('body.');
  expect((await run('no-such-verb')).code).toBe(2);
  expect(cliField('querystring.severity')).toBe('--severity');
  expect(cliField('params.id')).toBe('<id>');
});

test('not found 3, conflict 4, unreachable 5, missing token 2 — each with a hint', async () => {
  handler = () => ({ status: 404, body: { error: 'incident openai-00000000 not found' } });
  const missing = await run('incidents', 'show', 'openai-00000000');
  expect(missing.code).toBe(3);
  expect(missing.stderr).toContain('hint: list what exists');
  handler = () => ({ status: 409, body: { error: 'refused: every other provider of chat is unhealthy (anthropic)' } });
  const conflict = await run('failover', 'chat', '--from', 'openai');
  expect(conflict.code).toBe(4);
  expect(conflict.stderr).toContain('every other provider of chat is unhealthy');
  handler = () => ({ status: 401, body: { error: 'missing or invalid bearer token' } });
  const noToken = await run('routes');
  expect(noToken.code).toBe(2);
  expect(noToken.stderr).toContain('LIFELINE_OPERATOR_TOKEN');
  const stdout: string[] = [];
  const spy = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => (stdout.push(String(c)), true));
  let code: number;
  try {
    code = await main(['node', 'lifeline', '--api', 'http://127.0.0.1:9', 'routes']);
  } finally {
    spy.mockRestore();
  }
  expect(code).toBe(5);
  expect(stdout.join('')).toMatch(/cannot reach lifeline at http:\/\/127\.0\.0\.1:9[\s\S]*is lifeline running\?/);
});

test('show is a readable summary (JSON with --json); resolve prints the resolved state', async () => {
  const s = newIncidentState({
    id: 'openai-0a1b2c3d',
    scope: 'openai',
    provider: 'openai',
    title: 'OpenAI errors',
    now: '2026-11-20T10:00:00.000Z',
    severity: 'SEV2',
  });
  s.phase = 'monitoring';
  s.timeline.push({ at: '2026-11-20T10:00:01.000Z', phase: 'detected', type: 'phase', message: 'incident opened' });
  handler = () => ({ status: 200, body: s });
  const shown = await run('incidents', 'show', s.id);
  expect(shown.stdout).toContain('openai-0a1b2c3d  SEV2  open · monitoring');
  expect(shown.stdout).toContain('Next: lifeline ack openai-0a1b2c3d');
  expect(shown.stdout.split('\n').length).toBeLessThan(30);
  expect(JSON.parse((await run('incidents', 'show', s.id, '--json')).stdout)).toEqual(s);

  // The resolve update answers before the workflow finished closing: the CLI waits and shows the end state.
  let gets = 0;
  handler = (req) => {
    if (req.method === 'POST') return { status: 200, body: { ...s, phase: 'monitoring', status: 'open' } };
    gets += 1;
    return { status: 200, body: gets < 2 ? { ...s, status: 'open' } : { ...s, phase: 'resolved', status: 'resolved' } };
  };
  const resolved = await run('resolve', s.id, '--note', 'provider fixed it');
  expect(resolved).toMatchObject({ code: 0, stdout: 'openai-0a1b2c3d: resolved\n' });
  expect(JSON.parse(seen.find((x) => x.method === 'POST')!.body)).toEqual({ note: 'provider fixed it' });
});

test('declare, note --public and failover --force send what they say', async () => {
  handler = (req) => ({
    status: req.url === '/v1/incidents' ? 201 : 202,
    body:
      req.url === '/v1/incidents'
        ? { id: 'openai-11112222', deduplicated: false }
        : { ...open, id: 'openai-11112222', chain: 'chat', kind: 'immediate', shift: { workflowId: 'shift-chat' } },
  });
  expect((await run('declare', 'openai', 'Answers', 'look', 'wrong', '--severity', 'sev3')).stdout).toContain(
    'openai-11112222: declared on openai',
  );
  expect(JSON.parse(seen[0].body)).toEqual({ provider: 'openai', title: 'Answers look wrong', severity: 'SEV3' });
  expect((await run('note', 'openai-11112222', 'Fix', 'deployed', '--public')).stdout).toContain(
    'published on the status page',
  );
  expect(JSON.parse(seen[1].body)).toEqual({ text: 'Fix deployed', public: true });
  await run('failover', 'chat', '--from', 'anthropic', '--force');
  expect(JSON.parse(seen[2].body)).toMatchObject({ from: 'anthropic', force: true });
});

test('--version and shell completion', async () => {
  const v = await run('--version');
  expect(v).toMatchObject({ code: 0 });
  expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  const bash = await run('completion', 'bash');
  expect(bash.stdout).toContain('complete -o default -F _lifeline lifeline');
  expect(bash.stdout).toMatch(/"incidents"\) words="list show report/);
  expect((await run('completion', 'fish')).stdout).toContain(
    "complete -c lifeline -n '__fish_use_subcommand' -a failover",
  );
  expect((await run('completion', 'tcsh')).code).toBe(2);
});

describe('status', () => {
  const providers = {
    providers: [
      {
        id: 'openai',
        monitor: 'running',
        healthy: false,
        since: '2026-11-20T10:00:00.000Z',
        breaker: { phase: 'open', since: '2026-11-20T10:00:01.000Z', openedCount: 2 },
        lastReason: '3 failures',
        incidentId: 'openai-0a1b2c3d',
      },
      {
        id: 'anthropic',
        monitor: 'running',
        healthy: true,
        since: '2026-11-19T08:00:00.000Z',
        breaker: { phase: 'closed', since: '2026-11-19T08:00:00.000Z', openedCount: 0 },
        lastReason: null,
        incidentId: null,
      },
    ],
  };
  const routes = {
    routes: [
      {
        id: 'chat',
        weights: { anthropic: 100 },
        mode: 'degraded',
        version: 3,
        updatedAt: '2026-11-20T10:00:02.000Z',
        hints: {},
      },
    ],
  };
  let version = 3;
  beforeEach(() => {
    version = 3;
    handler = (req) => {
      if (req.url === '/v1/providers') return { status: 200, body: providers };
      if (req.url === '/v1/routes')
        return { status: 200, body: { routes: [{ ...routes.routes[0], version: version++ }] } };
      if (req.url === '/v1/incidents?status=open') return { status: 200, body: { incidents: [open] } };
      return { status: 404, body: { error: 'not found' } };
    };
  });

  test('one snapshot: providers with breakers, routes, open incidents; --json', async () => {
    const r = await run('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Providers\nPROVIDER\s+HEALTH\s+BREAKER\s+SINCE\s+INCIDENT\nopenai\s+DOWN\s+open \(opened 2×\)\s+2026-11-20T10:00:01Z\s+openai-0a1b2c3d\nanthropic\s+healthy\s+closed\s+2026-11-19T08:00:00Z\s+-$/m,
    );
    expect(r.stdout).toMatch(/^chat\s+degraded\s+v3\s+2026-11-20T10:00:02Z\s+anthropic 100%$/m);
    expect(r.stdout).toMatch(
      /^Open incidents \(1\)\nID\s+SEV\s+PHASE\s+STARTED\s+TITLE\nopenai-0a1b2c3d\s+SEV2\s+monitoring\s+2026-11-20T10:00:00Z\s+OpenAI errors$/m,
    );
    expect(JSON.parse((await run('status', '--json')).stdout)).toMatchObject({
      providers: providers.providers,
      incidents: [open],
    });
  });

  test('--watch when stdout is not a terminal: one plain block per refresh, no escape codes', async () => {
    const tty = process.stdout.isTTY;
    Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
    try {
      const r = await run('status', '--watch', '--refresh', '0.05', '--count', '2');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/\x1b/);
      const blocks = r.stdout.split(/^lifeline status · /m).filter(Boolean);
      expect(blocks).toHaveLength(2);
      // Each block is a fresh read: the route's version moved between the two refreshes.
      expect(blocks[0]).toMatch(/every 0\.05 s/);
      expect(blocks[0]).toMatch(/^chat\s+degraded\s+v3\s/m);
      expect(blocks[1]).toMatch(/^chat\s+degraded\s+v4\s/m);
      expect(seen.filter((s) => s.url === '/v1/providers')).toHaveLength(2);
    } finally {
      Object.defineProperty(process.stdout, 'isTTY', { value: tty, configurable: true });
    }
  });

  test('--watch on a terminal redraws in place; a failed refresh is shown and retried', async () => {
    const { watchStatus } = await import('../../cli/status');
    const writes: string[] = [];
    let calls = 0;
    handler = (req) => {
      if (req.url === '/v1/providers' && calls++ === 0) return { status: 503, body: { error: 'temporal unavailable' } };
      return req.url === '/v1/providers'
        ? { status: 200, body: providers }
        : req.url === '/v1/routes'
          ? { status: 200, body: routes }
          : { status: 200, body: { incidents: [] } };
    };
    const last = await watchStatus(
      { url: api, token: 'tok' },
      { refreshS: 0.05, count: 2 },
      { write: (t) => void writes.push(t), isTTY: true, signal: new AbortController().signal },
    );
    expect(last).toBeNull(); // the second refresh succeeded
    expect(writes).toHaveLength(2);
    expect(writes.every((w) => w.startsWith('\x1b[H\x1b[2J'))).toBe(true);
    expect(writes[0]).toMatch(/temporal unavailable.*retrying in 0\.05 s/);
    expect(writes[1]).toMatch(/Open incidents \(0\)\nnone/);
  });

  test('--watch --count ending on a failed refresh exits non-zero (a script sees the view ended stale)', async () => {
    handler = (req) =>
      req.url === '/v1/providers'
        ? { status: 503, body: { error: 'temporal unavailable' } }
        : { status: 200, body: req.url === '/v1/routes' ? routes : { incidents: [] } };
    const r = await run('status', '--watch', '--refresh', '0.05', '--count', '1');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/temporal unavailable/);
  });

  test('bad --refresh / --count, and --json with --watch, are usage errors', async () => {
    expect((await run('status', '--watch', '--refresh', 'soon')).code).toBe(2);
    expect((await run('status', '--watch', '--count', '0')).code).toBe(2);
    expect((await run('status', '--watch', '--json', '--count', '1')).code).toBe(2);
  });
});
