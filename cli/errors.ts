// The CLI's exit codes and the errors that carry them. Scripts branch on these, so they are a contract
// (README "CLI"): 0 ok, 2 usage or validation, 3 not found, 4 conflict, 5 lifeline unreachable, 1 else;
// 6: `lifeline doctor` found errors (CI gates on it).
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, conflict: 4, unreachable: 5, problems: 6 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** A next step for the person at the terminal, printed under the message. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** API fields whose CLI option has another name. */
const OPTION_FOR: Record<string, string> = {
  stepDelayMs: '--step-delay',
  healthyForMs: '--healthy-for',
  text: '<text>',
  title: '<title>',
  provider: '<provider>',
};

/** An API field path ("querystring.severity", "body.level", "params.id") in the words of the CLI. */
export function cliField(path: string): string {
  const [where, ...rest] = path.split('.');
  if (where === 'params') return `<${rest.join('.')}>`;
  const name = (where === 'body' || where === 'querystring' ? rest : [where, ...rest]).join('.');
  if (!name) return 'the request';
  if (OPTION_FOR[name]) return OPTION_FOR[name];
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** What an HTTP answer means to someone at a terminal. */
export function apiFailure(
  status: number,
  error: string,
  issues: { path: string; message: string }[],
  api: string,
): CliError {
  if (status === 400) {
    const lines = issues.length ? issues.map((i) => `${cliField(i.path)}: ${i.message}`) : [error];
    return new CliError(lines.join('\n'), EXIT.usage);
  }
  if (status === 401)
    return new CliError(
      'the API refused the token',
      EXIT.usage,
      'set LIFELINE_OPERATOR_TOKEN (or pass --token); `lifeline up` prints throwaway tokens of the demo config when it starts',
    );
  if (status === 403)
    return new CliError(
      `this token may not do that (${error})`,
      EXIT.usage,
      'use a token whose scopes include it (auth.tokens in the config)',
    );
  if (status === 404)
    return new CliError(error, EXIT.notFound, 'list what exists with `lifeline incidents list` or `lifeline routes`');
  if (status === 409) return new CliError(error, EXIT.conflict);
  if (status === 503)
    return new CliError(
      error,
      EXIT.unreachable,
      `lifeline at ${api} answered but cannot reach Temporal; check \`lifeline up\`'s output`,
    );
  return new CliError(`${status}: ${error}`, EXIT.failure);
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Connection-level failures: lifeline is not there. */
export function connectionFailure(err: unknown, api: string): CliError | null {
  const code =
    (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  if (!code || !UNREACHABLE.has(code)) return null;
  return new CliError(
    `cannot reach lifeline at ${api} (${code})`,
    EXIT.unreachable,
    'is lifeline running? start it with `npm start` (or `lifeline up`), or point --api / LIFELINE_API_URL at it',
  );
}
