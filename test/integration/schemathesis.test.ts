// schemathesis (PyPI, installed by .ci/install-schemathesis into .venv-schemathesis) fuzzes the real stack
// from the API's own /openapi.json: schema-derived valid and invalid parameters and bodies for every
// documented operation. No answer may be a 5xx, invalid input must be rejected, answers must be ones the
// document lists, with the content type it lists; and afterwards no incident exists.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, TOKENS, type Stack } from '../helpers/stack';

const ROOT = join(__dirname, '..', '..');
const ST = join(ROOT, '.venv-schemathesis', 'bin', 'st');
const SCHEMATHESIS_VERSION = /^VERSION=(\S+)$/m.exec(
  readFileSync(join(ROOT, '.ci', 'install-schemathesis'), 'utf8'),
)![1];
/** Fixed, so a failure reproduces; change it (or set LIFELINE_FUZZ_SEED) to explore further. */
const SEED = process.env.LIFELINE_FUZZ_SEED ?? '20260101';
const CHECKS = [
  'not_a_server_error',
  'negative_data_rejection',
  'status_code_conformance',
  'content_type_conformance',
  'unsupported_method',
  'ignored_auth',
];

let stack: Stack;
let reports: string;
beforeAll(async () => {
  // A fresh clone gets it from .ci/run; a developer's `npm test` gets it here (idempotent, pinned).
  execFileSync(join(ROOT, '.ci', 'install-schemathesis'), { stdio: 'inherit', timeout: 300_000 });
  reports = mkdtempSync(join(tmpdir(), 'lifeline-st-'));
  stack = await startStack();
}, 400_000);
afterAll(async () => {
  await stack?.stop();
  if (process.env.LIFELINE_KEEP_REPORTS) console.log(`[schemathesis] reports kept in ${reports}`);
  else rmSync(reports, { recursive: true, force: true });
});

function st(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      ST,
      args,
      {
        cwd: reports,
        timeout: 420_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' },
      },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}\n${stderr}` });
      },
    );
  });
}

test('schemathesis finds no 5xx and no undocumented answer on any operation, and creates no incident', async () => {
  const started = Date.now();
  const res = await st([
    'run',
    `${stack.apiUrl}/openapi.json`,
    '--header',
    `Authorization: Bearer ${TOKENS.admin}`,
    '--checks',
    CHECKS.join(','),
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    '30',
    '--seed',
    SEED,
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--report',
    'ndjson',
    '--report-ndjson-path',
    join(reports, 'events.ndjson'),
  ]);
  const ms = Date.now() - started;
  // Every request and answer is in the NDJSON report: count them, and the 5xx among them independently of
  // schemathesis's own verdict.
  const statuses: number[] = [];
  const failedChecks: string[] = [];
  for (const line of readFileSync(join(reports, 'events.ndjson'), 'utf8').split('\n').filter(Boolean)) {
    type Recorder = {
      label: string;
      interactions?: Record<string, { response?: { status_code: number } }>;
      checks?: Record<string, { name: string; status: string }[]>;
    };
    const finished = (JSON.parse(line) as { ScenarioFinished?: { recorder?: Recorder } }).ScenarioFinished;
    for (const i of Object.values(finished?.recorder?.interactions ?? {}))
      if (i.response) statuses.push(i.response.status_code);
    for (const c of Object.values(finished?.recorder?.checks ?? {}).flat())
      if (c.status === 'failure') failedChecks.push(`${finished!.recorder!.label}: ${c.name}`);
  }
  const serverErrors = statuses.filter((s) => s >= 500).length;
  console.log(
    `[figures] schemathesis ${SCHEMATHESIS_VERSION}: ${statuses.length} requests, ${serverErrors} × 5xx, exit ${res.code}, seed ${SEED}, ${(ms / 1000).toFixed(1)} s`,
  );
  if (res.code !== 0) console.log(res.out.slice(-20_000));
  expect(failedChecks).toEqual([]);
  expect(serverErrors).toBe(0);
  expect(statuses.length).toBeGreaterThan(1000);
  // Exit 1 with no failed check is schemathesis itself erroring while generating a case (seen once under
  // load: CPython 3.11's "AST constructor recursion depth mismatch" compiling zod's long date-time pattern
  // in a worker thread). That is not the API's fault; anything else is.
  if (res.code !== 0) {
    expect(res.out).toMatch(/Runtime Error: \d+/);
    expect(res.out).toMatch(/recursion depth mismatch/);
    console.log('[schemathesis] the run hit a schemathesis runtime error (CPython AST recursion bug); no check failed');
  }

  const listed = await stack.http('GET', '/v1/incidents?status=all', { token: TOKENS.operator });
  expect(listed.status).toBe(200);
  expect(listed.body.incidents).toEqual([]);
});
