/** One-shot `temporal operator …` commands against the local dev server. */
import { spawn } from 'node:child_process';

/** The CLI reads TEMPORAL_ADDRESS, TEMPORAL_TLS_*, TEMPORAL_API_KEY etc.; our local commands must not pick those up. */
export function scrubbedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TEMPORAL_')) env[k] = v;
  return env;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  output: string;
}

export function runCli(cliPath: string, args: string[], deadline: number): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: scrubbedEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(5000, deadline - Date.now()));
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, output: err.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const output = `${signal ? `killed by ${signal}` : `exit ${code}`}: ${(stderr || stdout).trim().slice(-2000)}`;
      resolve({ code, stdout, output });
    });
  });
}
