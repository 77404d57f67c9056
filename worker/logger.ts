// One pino logger for the service. Anything that looks like a credential is redacted before it is written.
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  // Credentials by field name, at the top level and one level down (pino's wildcard is one level).
  ...['apiKey', 'api_key', 'token', 'botToken', 'appToken', 'signingSecret', 'secret', 'password', 'pass', 'routing_key', 'routingKey', 'authorization', 'cookie']
    .flatMap((k) => [k, `*.${k}`]),
  // Request and response headers, wherever a logged object carries them.
  ...['headers', 'req.headers', 'request.headers', 'config.headers', 'response.config.headers', 'err.config.headers', 'err.response.config.headers'].flatMap((h) =>
    ['authorization', 'cookie', '["x-api-key"]', '["x-slack-signature"]', '["x-lifeline-signature"]', '["proxy-authorization"]'].map((k) => `${h}${k.startsWith('[') ? k : `.${k}`}`),
  ),
  'auth.pass', '*.auth.pass', 'smtp.auth.pass',
];

export function createLogger(opts: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const level = opts.level ?? process.env.LIFELINE_LOG_LEVEL ?? 'info';
  return pino({ name: opts.name ?? 'lifeline', level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, opts.destination);
}
