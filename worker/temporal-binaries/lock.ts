/** The per-binary fetch lock, so only one process (or jest worker) downloads a binary at a time. */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ctx } from './context';
import { secs } from './errors';

export interface Lock {
  release(): Promise<void>;
}

const LOCK_STALE_MS = 60_000;
const LOCK_HEARTBEAT_MS = 5_000;

/**
 * Exclusive-create lock file with a heartbeat (mtime). A lock is broken when its mtime is older than 60 s or its
 * owner pid (same host) is gone. While waiting, `isDone()` is polled so a waiter can return as soon as the holder has
 * published the binary.
 */
export async function acquireLock(
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
