// What the CLI's verbs share: output lines, enum options, URL paths and the API they talk to.
import type { Command } from 'commander';
import { callApi, type ApiTarget } from './http';
import { CliError, EXIT } from './errors';

// Resolved at call time, so tests (and `lifeline … | head`) see what is written.
export const out = (line: string): void => void process.stdout.write(line + '\n');
export const json = (v: unknown): void => out(JSON.stringify(v, null, 2));

/** Enum options are case-insensitive; a wrong value is named in CLI terms and exits 2. */
export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  upper = false,
): T | undefined {
  if (value === undefined) return undefined;
  const v = (upper ? value.toUpperCase() : value.toLowerCase()) as T;
  if (!allowed.includes(v))
    throw new CliError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`, EXIT.usage);
  return v;
}
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

export function apiTarget(cmd: Command): ApiTarget {
  const o = cmd.optsWithGlobals<{ api?: string; token?: string }>();
  return {
    url: o.api ?? process.env.LIFELINE_API_URL ?? 'http://127.0.0.1:8080',
    token: o.token ?? process.env.LIFELINE_OPERATOR_TOKEN,
  };
}

/**
 * A verb that reads one API path and prints it: with --json as the API answers (or the part `jsonOf` picks),
 * else by `print`.
 */
export function readVerb<T>(
  parent: Command,
  name: string,
  description: string,
  apiPath: string,
  print: (res: T) => void,
  jsonOf: (res: T) => unknown = (res) => res,
): void {
  parent
    .command(name)
    .description(description)
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const res = (await callApi(apiTarget(cmd), 'GET', apiPath)) as T;
      if (o.json) return json(jsonOf(res));
      print(res);
    });
}
