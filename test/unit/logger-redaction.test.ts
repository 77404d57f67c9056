// pino redaction: credentials under the field names and header names they travel in never reach the log.
import { Writable } from 'node:stream';
import { createLogger } from '../../worker/logger';

function capture() {
  const out: string[] = [];
  const destination = new Writable({ write: (c: Buffer, _e, done) => (out.push(c.toString('utf8')), done()) });
  return { logger: createLogger({ level: 'debug', destination }), out };
}

test.each([
  ['a bearer header', { req: { headers: { authorization: 'Bearer SECRET-1' } } }],
  [
    'a header object',
    {
      headers: {
        authorization: 'Bearer SECRET-1',
        'x-api-key': 'SECRET-1',
        'x-slack-signature': 'v0=SECRET-1',
        cookie: 'sid=SECRET-1',
      },
    },
  ],
  [
    'an axios-style error (Slack Web API)',
    {
      err: { config: { headers: { authorization: 'Bearer SECRET-1' } } },
      response: { config: { headers: { authorization: 'Bearer SECRET-1' } } },
    },
  ],
  ['provider keys', { apiKey: 'SECRET-1', provider: { apiKey: 'SECRET-1', api_key: 'SECRET-1' } }],
  ['Slack settings', { settings: { botToken: 'SECRET-1', signingSecret: 'SECRET-1', appToken: 'SECRET-1' } }],
  [
    'SMTP auth (nodemailer options)',
    { auth: { user: 'u', pass: 'SECRET-1' }, smtp: { auth: { pass: 'SECRET-1' }, password: 'SECRET-1' } },
  ],
  ['a PagerDuty event', { event: { routing_key: 'SECRET-1', event_action: 'trigger' }, routingKey: 'SECRET-1' }],
  ['a webhook secret', { webhook: { secret: 'SECRET-1', url: 'http://x' }, token: 'SECRET-1' }],
])('%s is redacted', (_name, obj) => {
  const { logger, out } = capture();
  logger.info(obj, 'event');
  expect(out.join('')).toContain('[redacted]');
  expect(out.join('')).not.toContain('SECRET-1');
});

test('everything else is logged as is', () => {
  const { logger, out } = capture();
  logger.info({ provider: 'openai', incidentId: 'openai-0a1b2c3d', auth: { user: 'lifeline' } }, 'event');
  expect(JSON.parse(out[0])).toMatchObject({
    provider: 'openai',
    incidentId: 'openai-0a1b2c3d',
    auth: { user: 'lifeline' },
  });
});
