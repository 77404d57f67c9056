// promtool (built by .ci/install-promtool from the Go module proxy, cached under ~/.cache/lifeline) checks
// deploy/prometheus/: the rules parse and are valid PromQL (`check rules`), the Prometheus config too
// (`check config`), and the rules fire when they should (`test rules`, deploy/prometheus/lifeline.rules.test.yml).
// A missing promtool fails here, naming how to install it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const PROM = join(ROOT, 'deploy', 'prometheus');
/** The version .ci/install-promtool builds (one place says it). */
const VERSION = /^PROMETHEUS_MODULE_VERSION=(\S+)$/m.exec(
  readFileSync(join(ROOT, '.ci', 'install-promtool'), 'utf8'),
)![1];

function findPromtool(): string {
  const cached = join(
    process.env.LIFELINE_CACHE ?? join(homedir(), '.cache', 'lifeline'),
    `promtool-${VERSION}`,
    'promtool',
  );
  for (const candidate of [process.env.LIFELINE_PROMTOOL, cached])
    if (candidate && existsSync(candidate)) return candidate;
  const onPath = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  throw new Error(
    `promtool not found (LIFELINE_PROMTOOL, ${cached}, PATH): install it with \`bash .ci/install-promtool\` (Go module proxy, cached)`,
  );
}

const promtool = (...args: string[]) =>
  spawnSync(findPromtool(), args, { cwd: PROM, encoding: 'utf8', timeout: 60_000 });

test('promtool check rules: every rule parses and is valid PromQL', () => {
  const r = promtool('check', 'rules', 'lifeline.rules.yml');
  expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({
    status: 0,
    out: expect.stringMatching(/SUCCESS: \d+ rules found/),
  });
});

test('promtool check rules fails a broken rule (the check can fail)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-rules-'));
  try {
    writeFileSync(
      join(dir, 'bad.yml'),
      'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum by (provider (lifeline_provider_healthy)\n',
    );
    const r = spawnSync(findPromtool(), ['check', 'rules', join(dir, 'bad.yml')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/bad\.yml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('promtool test rules: failover failed, outage over 5 minutes and worker down fire when they should', () => {
  const r = promtool('test', 'rules', 'lifeline.rules.test.yml');
  expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({
    status: 0,
    out: expect.stringContaining('SUCCESS'),
  });
});

test('promtool check config: the compose Prometheus config (syntax; the rule file is mounted at run time)', () => {
  const out = execFileSync(findPromtool(), ['check', 'config', '--syntax-only', 'prometheus.yml'], {
    cwd: PROM,
    encoding: 'utf8',
  });
  expect(out).toMatch(/SUCCESS/);
});
