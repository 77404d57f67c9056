// The Python route client (clients/python, installed by .ci/install-python-client into .venv-route-client):
// its pytest suite against a fake lifeline, then its live test against this stack (it follows an operator
// failover made through the API). A missing venv fails here; nothing is skipped.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, TOKENS, type Stack } from '../helpers/stack';

const ROOT = join(__dirname, '..', '..');
const PYTEST = join(ROOT, '.venv-route-client', 'bin', 'pytest');
const PKG = join(ROOT, 'clients', 'python');

let stack: Stack | undefined;
beforeAll(() => {
  // A fresh clone gets it from .ci/run; a developer's `npm test` gets it here (idempotent, pinned).
  execFileSync(join(ROOT, '.ci', 'install-python-client'), { stdio: 'inherit', timeout: 300_000 });
  if (!existsSync(PYTEST)) throw new Error(`${PYTEST} is missing after .ci/install-python-client`);
}, 320_000);
afterAll(async () => {
  await stack?.stop();
});

function pytest(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      PYTEST,
      ['-p', 'no:cacheprovider', '-q', ...args],
      { cwd: PKG, timeout: 240_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}\n${stderr}` }),
    );
  });
}

/** pytest's closing line: every test passed, none skipped or failed. */
function expectAllPassed(res: { code: number; out: string }, atLeast: number) {
  if (res.code !== 0) console.log(res.out.slice(-10_000));
  expect(res.code).toBe(0);
  const summary = /=* ?(\d+) passed(.*) in [\d.]+s/.exec(res.out);
  expect(summary).not.toBeNull();
  expect(Number(summary![1])).toBeGreaterThanOrEqual(atLeast);
  expect(summary![2]).not.toMatch(/skipped|failed|error|xfail/);
}

test('the pytest suite passes against the fake lifeline', async () => {
  expectAllPassed(await pytest(['tests']), 16);
});

test('the Python client follows an operator failover on the running service', async () => {
  stack = await startStack();
  const res = await pytest(['live/test_live.py'], {
    LIFELINE_URL: stack.apiUrl,
    LIFELINE_READ_TOKEN: TOKENS.reader,
    LIFELINE_INGEST_TOKEN: TOKENS.ingest,
    LIFELINE_OPERATOR_TOKEN: TOKENS.operator,
  });
  expectAllPassed(res, 1);
});
