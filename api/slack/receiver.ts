// Bolt on our Fastify server (HTTP mode): POST /slack/events verifies Slack's signature over the raw
// body (5-minute timestamp window, Bolt's own verifySlackRequest), then hands the event to Bolt.
// Modelled on Bolt's custom-receiver example; Bolt's HTTPReceiver would need its own port.
import type { FastifyInstance } from 'fastify';
import { verifySlackRequest, type App, type Receiver } from '@slack/bolt';
import type { Logger } from 'pino';

/** Slack gives up after 3 s; answer before then even if a handler forgot to ack. */
const ACK_DEADLINE_MS = 2500;

export class FastifySlackReceiver implements Receiver {
  private bolt?: App;

  constructor(
    private readonly signingSecret: string,
    private readonly logger: Logger,
  ) {}

  init(app: App): void {
    this.bolt = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  register(app: FastifyInstance): void {
    // An encapsulated scope, so only this route sees raw string bodies.
    void app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        ['application/x-www-form-urlencoded', 'application/json'],
        { parseAs: 'string' },
        (_req, body, done) => done(null, body),
      );
      scope.post('/slack/events', { schema: { hide: true } }, async (req, reply) => {
        const raw = typeof req.body === 'string' ? req.body : '';
        try {
          verifySlackRequest({
            signingSecret: this.signingSecret,
            body: raw,
            headers: {
              'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
              'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp'] ?? 0),
            },
          });
        } catch (err) {
          return reply.code(401).send({ error: `invalid Slack request: ${(err as Error).message}` });
        }
        let body: Record<string, unknown>;
        try {
          body = parseSlackBody(raw, String(req.headers['content-type'] ?? ''));
        } catch {
          return reply.code(400).send({ error: 'body: not a Slack payload' });
        }
        if (body.type === 'url_verification') return reply.send({ challenge: body.challenge });
        if (!this.bolt) return reply.code(503).send({ error: 'Slack app not initialised' });

        let settle!: (response: unknown) => void;
        const acked = new Promise<unknown>((resolve) => (settle = resolve));
        let done = false;
        const ack = async (response?: unknown) => {
          if (done) return;
          done = true;
          settle(response);
        };
        this.bolt
          .processEvent({
            body,
            ack,
            retryNum: Number(req.headers['x-slack-retry-num'] ?? 0) || undefined,
            retryReason: req.headers['x-slack-retry-reason'] as string | undefined,
          })
          .catch((err: unknown) => this.logger.error({ err }, 'Slack handler failed'));
        const timer = setTimeout(() => void ack(undefined), ACK_DEADLINE_MS);
        const response = await acked;
        clearTimeout(timer);
        if (response === undefined || response === '') return reply.code(200).send('');
        return typeof response === 'string' ? reply.type('text/plain').send(response) : reply.send(response);
      });
    });
  }
}

/**
 * The Slack payload, or an error for anything Slack does not send: a slash command (form with `command`),
 * an interaction (form with a JSON object in `payload`) or an Events API object with a `type`. Bolt only
 * acks what it has a listener for, so junk must stop here or it would hold the request until the ack
 * deadline.
 */
function parseSlackBody(raw: string, contentType: string): Record<string, unknown> {
  const object = (v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v) || typeof (v as { type?: unknown }).type !== 'string')
      throw new Error('not a Slack payload');
    return v as Record<string, unknown>;
  };
  if (contentType.includes('application/json')) return object(JSON.parse(raw));
  const form = new URLSearchParams(raw);
  if (form.has('payload')) return object(JSON.parse(form.get('payload')!)); // interactions (buttons)
  if (form.get('command')) return Object.fromEntries(form);
  throw new Error('not a Slack payload');
}
