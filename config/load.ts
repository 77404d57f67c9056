// Loading and checking lifeline.config.yaml. Every problem is reported as `path: message`, all at once.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, crossReferenceIssues, type ConfigIssue, type LifelineConfig } from './schema';
import { moveMailServer } from './smtp';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${file}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatIssues(issues: (z.core.$ZodIssue | ConfigIssue)[]): string[] {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

export function parseConfig(text: string, file = '<inline>'): LifelineConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `(yaml) line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  // Deprecated keys are moved to their new place first; the warnings go with the parsed config.
  const { raw, warnings, issues } = moveMailServer(doc.toJS() ?? {});
  const result = configSchema.safeParse(raw);
  const problems = [
    ...formatIssues(issues),
    ...(result.success ? [] : formatIssues(result.error.issues)),
    ...formatIssues(crossReferenceIssues(raw)),
  ];
  // Shape errors (e.g. a weight that is not a number) can also surface as cross-reference noise: list each once.
  if (problems.length) throw new ConfigError(file, [...new Set(problems)]);
  DEPRECATIONS.set(result.data!, warnings);
  return result.data!;
}

const DEPRECATIONS = new WeakMap<LifelineConfig, string[]>();

/** Deprecated keys the config used (accepted, moved): `lifeline config check` and start-up print them. */
export function configDeprecations(config: LifelineConfig): string[] {
  return DEPRECATIONS.get(config) ?? [];
}

/** Where the config comes from: --config, then LIFELINE_CONFIG, then ./lifeline.config.yaml, else the demo. */
export function findConfigPath(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): { path: string; demo: boolean } {
  if (explicit) return { path: resolve(explicit), demo: false };
  if (env.LIFELINE_CONFIG) return { path: resolve(env.LIFELINE_CONFIG), demo: false };
  const local = resolve('lifeline.config.yaml');
  if (existsSync(local)) return { path: local, demo: false };
  return { path: demoConfigPath(), demo: true };
}

export function demoConfigPath(): string {
  // Works from the sources (config/load.ts) and from the build (dist/config/load.js).
  const fromSource = resolve(__dirname, 'demo.yaml');
  return existsSync(fromSource) ? fromSource : resolve(__dirname, '..', '..', 'config', 'demo.yaml');
}

export function loadConfig(path: string): LifelineConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`(file): cannot read: ${(err as Error).message}`]);
  }
  return parseConfig(text, path);
}

export { readSecret } from './env-name';
