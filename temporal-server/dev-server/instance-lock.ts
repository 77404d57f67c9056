/**
 * One lifeline per data directory: the embedded server's SQLite file must have a single owner, and a second
 * `lifeline up` must say so at once instead of joining (or fighting) the first one. The lock is a file holding the
 * owner's pid, created exclusively; a lock whose pid is gone (a crash, kill -9) is taken over.
 *
 * The lock also names the dev server the owner started (`server <pid>` on a second line). The server runs in its
 * own process group (temporal-server/dev-server/process.ts), so a kill -9 of lifeline leaves it running on the SQLite file;
 * the next owner stops that orphan before taking over — after checking it still is a `temporal … start-dev` on
 * this data directory's database, so a recycled pid is never killed.
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
  /** Records the dev server this owner started, for the next owner to stop if this one dies with it running. */
  recordServer(serverPid: number): Promise<void>;
  release(): Promise<void>;
}

/** Is `pid` a Temporal dev server on this data directory's database (from /proc: Linux; elsewhere unknown → no)? */
async function isOurServer(pid: number, dataDir: string): Promise<boolean> {
  const cmdline = await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const args = cmdline.split('\0');
  return args.includes('start-dev') && args.some((a) => a.startsWith(path.resolve(dataDir)));
}

/** Stops an orphaned dev server left by a dead owner: SIGTERM, then SIGKILL after `graceMs`. */
async function stopOrphan(pid: number, dataDir: string, graceMs = 5000): Promise<boolean> {
  if (!alive(pid) || !(await isOurServer(pid, dataDir))) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
  return true;
}

/** The lock file: `<owner pid>` and optionally `server <pid>`. */
function parseLock(text: string): { owner: number; server?: number } {
  const [first, ...rest] = text.split('\n');
  const server = rest.map((l) => /^server (\d+)$/.exec(l.trim())).find(Boolean);
  return { owner: Number(first.trim()), ...(server ? { server: Number(server[1]) } : {}) };
}

export async function lockDataDir(
  dataDir: string,
  pid = process.pid,
  log: (line: string) => void = () => undefined,
): Promise<InstanceLock> {
  await fsp.mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILENAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fsp.writeFile(file, `${pid}\n`, { flag: 'wx' });
      let released = false;
      return {
        async recordServer(serverPid: number) {
          await fsp.writeFile(file, `${pid}\nserver ${serverPid}\n`);
        },
        async release() {
          if (released) return;
          released = true;
          // Only our own lock: a takeover after a (wrongly) presumed death must not be undone by us.
          const { owner } = parseLock(await fsp.readFile(file, 'utf8').catch(() => ''));
          if (owner === pid) await fsp.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const { owner, server } = parseLock(await fsp.readFile(file, 'utf8').catch(() => ''));
      if (owner && owner !== pid && alive(owner)) throw new InstanceLockedError(dataDir, owner);
      // Stale: its owner is gone. Its dev server may not be (see above).
      if (server && (await stopOrphan(server, dataDir)))
        log(
          `dev-server: stopped the server (pid ${server}) a previous lifeline (pid ${owner}) left running on ${dataDir}`,
        );
      await fsp.rm(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
