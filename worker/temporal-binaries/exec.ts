/** Running child processes (pip, go, unzip, the binaries themselves) with capped output and a one-line summary. */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { errText } from './errors';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** One line for error messages. */
  summary: string;
}

const OUTPUT_CAP = 64 * 1024;

export function run(cmd: string, args: readonly string[], o: { env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd, args, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: null, stdout, stderr, summary: errText(err) });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.stdout?.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-OUTPUT_CAP)));
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-OUTPUT_CAP)));
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tail = lastLines(stderr || stdout, 3);
      const summary = spawnError
        ? errText(spawnError)
        : code === 0
          ? 'ok'
          : `${signal ? `killed by ${signal}` : `exit ${code}`}${tail ? `: ${tail}` : ''}`;
      resolve({ code: spawnError ? null : code, stdout, stderr, summary });
    });
  });
}

export function runToFile(cmd: string, args: readonly string[], file: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    let stderr = '';
    const out = createWriteStream(file);
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      out.destroy();
      resolve({ code: null, stdout: '', stderr, summary: errText(err) });
      return;
    }
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-OUTPUT_CAP)));
    child.stdout?.pipe(out);
    let exit: { code: number | null } | undefined;
    let flushed = false;
    const finish = () => {
      if (!exit || !flushed) return;
      resolve({
        code: spawnError ? null : exit.code,
        stdout: '',
        stderr,
        summary: spawnError ? errText(spawnError) : exit.code === 0 ? 'ok' : `exit ${exit.code}: ${lastLines(stderr, 3)}`,
      });
    };
    out.on('close', () => {
      flushed = true;
      finish();
    });
    child.on('close', (code) => {
      exit = { code };
      if (!child.stdout) out.end();
      finish();
    });
  });
}

function lastLines(text: string, n: number): string {
  return text.trim().split(/\r?\n/).slice(-n).join(' | ');
}
