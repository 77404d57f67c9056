// `lifeline worker` as its own OS process (runs dist/: `npm run build` first), so a test can kill -9 it.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';

export interface WorkerProcess {
  pid: number;
  /** Not yet exited. */
  alive(): boolean;
  /** SIGKILL: no drain, no shutdown hooks — a crashed host. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

const BIN = resolve(__dirname, '..', '..', 'bin', 'lifeline.js');

/** Starts `lifeline worker --config <file>`; resolves once it polls the task queue. Output goes to logFile. */
export async function startWorkerProcess(
  configFile: string,
  env: Record<string, string>,
  logFile: string,
  timeoutMs = 120_000,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, '--config', configFile, 'worker'], {
    env: { ...process.env, LIFELINE_LOG_LEVEL: process.env.LIFELINE_TEST_LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((ready, fail) => {
    let out = '';
    const timer = setTimeout(
      () => fail(new Error(`worker not ready within ${timeoutMs} ms; output: ${out.slice(-2000)}`)),
      timeoutMs,
    );
    child.stdout.on('data', (d: Buffer) => {
      log.write(d);
      out += d.toString('utf8');
      if (/worker: polling task queue/.test(out)) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`worker exited (${code}) before it was ready; output: ${out.slice(-2000)}`));
    });
  });
  const pid = child.pid!;
  return {
    pid,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
