/** The per-binary fetch lock (proper-lockfile), so only one process (or jest worker) downloads a binary at a time. */
import lockfile from 'proper-lockfile';
import type { Ctx } from './context';
import { secs } from './errors';

/**
 * Waits for the lock; the caller re-checks the cache once it holds it, so a waiter whose holder published the binary
 * returns at once. A holder that died stops refreshing the lock's mtime and loses it after `stale`.
 */
export async function acquireLock(
  lockPath: string,
  ctx: Ctx,
  log: (msg: string) => void,
): Promise<() => Promise<void>> {
  const take = (retries: lockfile.LockOptions['retries']) =>
    lockfile.lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: 20_000,
      retries,
      onCompromised: (err) => log(`lock ${lockPath} compromised (${err.message}); the cache write stays atomic`),
    });
  try {
    return await take(0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
  }
  log(`waiting for another process that is fetching it (lock ${lockPath}) …`);
  try {
    return await take({
      retries: 1e6,
      factor: 1.2,
      minTimeout: 100,
      maxTimeout: 1000,
      maxRetryTime: ctx.lockTimeoutMs,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    throw new Error(
      `timed out after ${secs(ctx.lockTimeoutMs)} waiting for lock ${lockPath}; delete it if no fetch is running`,
    );
  }
}
