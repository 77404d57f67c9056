/** Running pip, go and the binaries themselves (execa: timeout, capped output) with a one-line summary for errors. */
import execa from 'execa';

export interface RunResult {
  code: number | null;
  stdout: string;
  /** One line for error messages: `ok`, `exit N: <last stderr lines>`, `killed by SIGKILL`, or why it did not start. */
  summary: string;
}

export async function run(
  cmd: string,
  args: readonly string[],
  o: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  // extendEnv false: tests (and callers) pass the exact environment, e.g. a PATH without the real tools.
  const r = await execa(cmd, args, {
    env: o.env,
    extendEnv: false,
    timeout: o.timeoutMs,
    reject: false,
    stdin: 'ignore',
    maxBuffer: 16 << 20,
  });
  if (r.exitCode === 0) return { code: 0, stdout: r.stdout, summary: 'ok' };
  const tail = (r.stderr || r.stdout).trim().split(/\r?\n/).slice(-3).join(' | ');
  const how = exitHow(r);
  return {
    code: r.exitCode ?? null,
    stdout: r.stdout,
    summary: tail && r.exitCode !== undefined ? `${how}: ${tail}` : how,
  };
}

/** `exit N`, `killed by SIGTERM` (execa's timeout too), or why it never ran (ENOENT …). */
export function exitHow(r: execa.ExecaReturnBase<string>): string {
  if (r.exitCode === undefined) return 'shortMessage' in r ? String(r.shortMessage).split('\n')[0] : 'did not start';
  return r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
}
