// `lifeline api` and `lifeline worker` as their own OS processes (dist/: `npm run build` first), the way
// a cluster deployment runs them: each can be stopped (SIGTERM, drains) or killed -9.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';

export interface LifelineProcess {
  kind: 'api' | 'worker';
  pid: number;
  /** The API's base URL (api only). */
  url?: string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

const BIN = resolve(__dirname, '..', '..', 'bin', 'lifeline.js');
const READY = { api: /api: listening on (http:\/\/\S+)/, worker: /worker: polling task queue/ };

export async function startLifeline(
  kind: 'api' | 'worker',
  configFile: string,
  env: Record<string, string>,
  logFile: string,
  timeoutMs = 120_000,
): Promise<LifelineProcess> {
  const child = spawn(process.execPath, [BIN, '--config', configFile, kind], {
    env: { ...process.env, LIFELINE_LOG_LEVEL: process.env.LIFELINE_TEST_LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string | undefined>((ready, fail) => {
    let out = '';
    const timer = setTimeout(
      () => fail(new Error(`${kind} not ready within ${timeoutMs} ms; output: ${out.slice(-2000)}`)),
      timeoutMs,
    );
    child.stdout.on('data', (d: Buffer) => {
      log.write(d);
      out += d.toString('utf8');
      const m = READY[kind].exec(out);
      if (m) {
        clearTimeout(timer);
        ready(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${kind} exited (${code}) before it was ready; output: ${out.slice(-2000)}`));
    });
  });
  return {
    kind,
    pid: child.pid!,
    url,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
