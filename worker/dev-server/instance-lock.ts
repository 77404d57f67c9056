/**
 * One lifeline per data directory: the embedded server's SQLite file must have a single owner, and a second
 * `lifeline up` must say so at once instead of joining (or fighting) the first one. The lock is a file holding the
 * owner's pid, created exclusively; a lock whose pid is gone (a crash, kill -9) is taken over.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

export const LOCK_FILENAME = 'lifeline.pid';

export class InstanceLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `another lifeline is already running on the data directory ${dataDir} (pid ${pid}); stop it first (Ctrl-C in its terminal, or kill ${pid}) or give this one another dataDir`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

export interface InstanceLock {
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string, pid = process.pid): Promise<InstanceLock> {
  await fsp.mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILENAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fsp.writeFile(file, `${pid}\n`, { flag: 'wx' });
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          // Only our own lock: a takeover after a (wrongly) presumed death must not be undone by us.
          const owner = Number((await fsp.readFile(file, 'utf8').catch(() => '')).trim());
          if (owner === pid) await fsp.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await fsp.readFile(file, 'utf8').catch(() => '')).trim());
      if (owner && owner !== pid && alive(owner)) throw new InstanceLockedError(dataDir, owner);
      await fsp.rm(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
