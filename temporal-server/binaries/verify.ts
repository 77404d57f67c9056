/** Sanity checks on a fetched binary before it may enter the cache. */
import { promises as fsp } from 'node:fs';
import { StepFailed } from './errors';
import { run } from './exec';
import type { BinarySpec } from './versions';

export async function verifyBinary(spec: BinarySpec, file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const st = await fsp.stat(file);
  if (!st.isFile() || st.size < 1024) throw new StepFailed(`${file} does not look like a binary (${st.size} bytes)`);
  await fsp.chmod(file, 0o755);
  if (spec.kind === 'cli') {
    const v = await cliVersion(file, env);
    if (!v) throw new StepFailed(`${file} --version failed`);
    if (!v.includes(spec.version)) throw new StepFailed(`${file} reports "${v}", expected ${spec.version}`);
  }
}

export async function cliVersion(file: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await run(file, ['--version'], { env, timeoutMs: 60_000 });
  return r.code === 0 ? r.stdout.trim() : undefined;
}
