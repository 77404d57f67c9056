// Config pieces shared by the schema and the channel/publisher files that declare their own sections,
// and how a named secret is read.
import { z } from 'zod';

/** Secrets are named, never inlined: the name of the environment variable that holds one. */
export const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)');
export const timeoutMs = z.number().int().positive().max(120_000);

/** Secrets are read from the environment by name at the moment they are needed, never copied into config. */
export function readSecret(envVar: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!envVar) return undefined;
  const v = env[envVar];
  return v && v.length > 0 ? v : undefined;
}
