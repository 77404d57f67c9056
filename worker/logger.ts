// One pino logger for the service. Anything that looks like a credential is redacted before it is written.
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'apiKey', '*.apiKey', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization',
  'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-slack-signature"]', 'password', '*.password', 'secret', '*.secret',
];

export function createLogger(opts: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const level = opts.level ?? process.env.LIFELINE_LOG_LEVEL ?? 'info';
  return pino({ name: opts.name ?? 'lifeline', level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, opts.destination);
}
