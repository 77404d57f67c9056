/** The `temporal server start-dev` child process: output tail, early-death detection, stop, kill-on-exit. */
import { spawn, type ChildProcess } from 'node:child_process';
import { scrubbedEnv } from './run-cli';

const STOP_GRACE_MS = 10_000;
const STDERR_TAIL_LINES = 40;

/** Children still running, killed if the parent process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

export interface RunningServer {
  pid: number;
  child: ChildProcess;
  /** Resolves with a description once the process has exited. */
  exited: Promise<string>;
  hasExited(): boolean;
  tail(): string;
  stop(): Promise<void>;
}

export function spawnServer(cliPath: string, args: string[], log: (line: string) => void): RunningServer {
  // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and the server must not
  // die under a worker that is still draining (that is a screenful of poll errors); lifeline stops it last.
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: scrubbedEnv(), detached: true });
  const lines: string[] = [];
  let stopping: Promise<void> | undefined;
  const collect = (stream: NodeJS.ReadableStream | null, tag: string) => {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > STDERR_TAIL_LINES) lines.shift();
        // Once we asked it to stop, its shutdown chatter (dial errors, poll failures) is just noise.
        if (!stopping) log(`[temporal ${tag}] ${line}`);
      }
    });
  };
  collect(child.stdout, 'out');
  collect(child.stderr, 'err');

  let exitInfo: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      exitInfo = `failed to spawn: ${err.message}`;
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
      live.delete(child);
      resolve(exitInfo);
    });
  });
  trackChild(child);

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitInfo === undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(killer);
      }
      live.delete(child);
    })();
    return stopping;
  };
  return {
    pid: child.pid ?? -1,
    child,
    exited,
    hasExited: () => exitInfo !== undefined,
    tail: () => lines.join('\n'),
    stop,
  };
}

export function startError(server: RunningServer, what: string, cause?: unknown): Error {
  const tail = server.tail();
  return new Error(
    `Temporal dev server (pid ${server.pid}) ${what}` +
      (cause ? `: ${cause instanceof Error ? cause.message : String(cause)}` : '') +
      `\n--- last server output ---\n${tail || '(no output)'}`,
  );
}

/** Rejects as soon as the child exits; used to race every wait against an early death. */
export function diedPromise(server: RunningServer): Promise<never> {
  return server.exited.then((how) => {
    throw startError(server, how + ' during startup');
  });
}
