/** The `temporal server start-dev` child process (execa): output tail, early-death detection, stop, kill-on-exit. */
import type { ExecaChildProcess } from 'execa';
import execa from 'execa';
import { exitHow } from '../binaries/exec';

/** The CLI reads TEMPORAL_ADDRESS, TEMPORAL_TLS_*, TEMPORAL_API_KEY etc.; the local server must not pick those up. */
function scrubbedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
}

const STOP_GRACE_MS = 10_000;
const OUTPUT_TAIL_LINES = 40;

/**
 * Children still running, killed if the parent exits without stopping them. execa's own `cleanup` does not apply to a
 * detached child, and the server must be detached (below).
 */
const live = new Set<ExecaChildProcess>();
process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));

export interface RunningServer {
  pid: number;
  /** Resolves with a description once the process has exited. */
  exited: Promise<string>;
  hasExited(): boolean;
  tail(): string;
  stop(): Promise<void>;
}

export function spawnServer(cliPath: string, args: string[], log: (line: string) => void): RunningServer {
  // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and the server must not
  // die under a worker that is still draining (that is a screenful of poll errors); lifeline stops it last.
  const child = execa(cliPath, args, {
    env: scrubbedEnv(),
    extendEnv: false,
    detached: true,
    reject: false,
    buffer: false,
    all: true,
    stdin: 'ignore',
  });
  live.add(child);
  const lines: string[] = [];
  let stopping: Promise<void> | undefined;
  let exitInfo: string | undefined;
  let partial = '';
  child.all?.setEncoding('utf8');
  child.all?.on('data', (d: string) => {
    const parts = (partial + d).split(/\r?\n/);
    partial = parts.pop() ?? '';
    for (const line of parts.filter((l) => l.trim())) {
      lines.push(line);
      if (lines.length > OUTPUT_TAIL_LINES) lines.shift();
      // Once we asked it to stop, its shutdown chatter (dial errors, poll failures) is just noise.
      if (!stopping) log(`[temporal] ${line}`);
    }
  });
  const exited = child.then((r) => {
    live.delete(child);
    exitInfo =
      r.exitCode === undefined
        ? `failed to spawn: ${exitHow(r)}`
        : r.signal
          ? `killed by ${r.signal}`
          : `exited with code ${r.exitCode}`;
    return exitInfo;
  });
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (exitInfo === undefined) child.kill('SIGTERM', { forceKillAfterTimeout: STOP_GRACE_MS });
      await exited;
    })());
  return { pid: child.pid ?? -1, exited, hasExited: () => exitInfo !== undefined, tail: () => lines.join('\n'), stop };
}

export function startError(server: RunningServer, what: string, cause?: unknown): Error {
  return new Error(
    `Temporal dev server (pid ${server.pid}) ${what}` +
      (cause ? `: ${cause instanceof Error ? cause.message : String(cause)}` : '') +
      `\n--- last server output ---\n${server.tail() || '(no output)'}`,
  );
}

/** Rejects as soon as the child exits; used to race every wait against an early death. */
export function diedPromise(server: RunningServer): Promise<never> {
  return server.exited.then((how) => {
    throw startError(server, how + ' during startup');
  });
}
