// What every bench shares: awaiting a condition, percentiles, an embedded lifeline stack in a temporary
// data directory, and the entry point that reports a failure with a non-zero exit code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config/load';
import type { LifelineConfig } from '../config/schema';
import { startServices } from '../cli/runtime';
import { createLogger } from '../worker/logger';
import { waitFor } from '../test/helpers/wait';

export { pct } from './stats';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Polls `probe` until `done` holds (a failing probe counts as not yet); throws after `timeoutMs`. The tests' waitFor,
 * with the benches' longer deadline and tighter polling (a bench times what it waits for).
 */
export const until = <T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  what: string,
  timeoutMs = 120_000,
  everyMs = 25,
) => waitFor(probe, done, what, timeoutMs, everyMs);

/** `lifeline up` in this process (worker, no API) on the embedded dev server; `yaml` gets the data directory. */
export async function embeddedStack(yaml: (dataDir: string) => string, logLevel: 'silent' | 'warn' = 'silent') {
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-bench-'));
  const config: LifelineConfig = parseConfig(yaml(dataDir));
  const logger = createLogger({ level: logLevel });
  const services = await startServices({ config, logger, worker: true, api: false, progress: () => undefined });
  const stop = async () => {
    await services.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { config, logger, services, stop };
}

/** Runs a bench's main; a failure is printed and sets a non-zero exit code. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().catch((err) => {
    process.stderr.write(`${name}: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
