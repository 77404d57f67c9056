// One pino logger for the service. Anything that looks like a credential is redacted before it is written.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export const REDACT_PATHS = [
  // Credentials by field name, at the top level and one level down (pino's wildcard is one level).
  ...[
    'apiKey',
    'api_key',
    'token',
    'botToken',
    'appToken',
    'signingSecret',
    'secret',
    'password',
    'pass',
    'routing_key',
    'routingKey',
    'authorization',
    'cookie',
  ].flatMap((k) => [k, `*.${k}`]),
  // Request and response headers, wherever a logged object carries them.
  ...[
    'headers',
    'req.headers',
    'request.headers',
    'config.headers',
    'response.config.headers',
    'err.config.headers',
    'err.response.config.headers',
  ].flatMap((h) =>
    [
      'authorization',
      'cookie',
      '["x-api-key"]',
      '["x-slack-signature"]',
      '["x-lifeline-signature"]',
      '["proxy-authorization"]',
    ].map((k) => `${h}${k.startsWith('[') ? k : `.${k}`}`),
  ),
  'auth.pass',
  '*.auth.pass',
  'smtp.auth.pass',
];

export function createLogger(
  opts: { level?: string; name?: string; destination?: pino.DestinationStream; pretty?: boolean } = {},
): Logger {
  const level = opts.level ?? process.env.LIFELINE_LOG_LEVEL ?? 'info';
  // People at a terminal read lines ("12:04:31 INFO stopped api in 12 ms"); machines get JSON.
  const destination =
    opts.destination ??
    (opts.pretty
      ? pretty({
          colorize: true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,name',
          singleLine: true,
          sync: true,
        })
      : undefined);
  return pino(
    { name: opts.name ?? 'lifeline', level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
}

/** Human log lines when stdout is a terminal, unless LIFELINE_LOG_FORMAT=json asks for JSON anyway. */
export const wantsPrettyLogs = (env: NodeJS.ProcessEnv = process.env) =>
  env.LIFELINE_LOG_FORMAT ? env.LIFELINE_LOG_FORMAT === 'pretty' : !!process.stdout.isTTY;
