// Status-page email subscriptions: public sign-up with double opt-in, confirm and unsubscribe links,
// and an admin listing. The sign-up also takes a plain HTML form post (no JavaScript needed): a
// browser's form gets a page back, an API client JSON.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LifelineConfig } from '../config/schema';
import { componentsFromConfig } from '../status/components';
import type { StatusMailer } from '../status/mailer';
import type { SubscriberStore } from '../status/subscribers';
import type { TokenTable } from './auth';
import { scopeGuards } from './route-deps';

const subscribeBody = z.strictObject({
  email: z.email().max(254),
  components: z.array(z.string().min(1).max(100)).max(100).default([]),
});
const tokenQuery = z.object({ token: z.string().min(10).max(200) });
const FORM = 'application/x-www-form-urlencoded';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (reply: FastifyReply, code: number, title: string, text: string) =>
  reply
    .code(code)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><main style="font:16px system-ui;max-width:32rem;margin:3rem auto;padding:0 1rem"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p><a href="/status">Back to the status page</a></p></main>`,
    );

/** A browser's form post: answer with a page, not JSON. */
const fromForm = (req: FastifyRequest) => (req.headers['content-type'] ?? '').toLowerCase().startsWith(FORM);

export function registerSubscriberRoutes(
  app: FastifyInstance,
  deps: { config: LifelineConfig; tokens: TokenTable; store: SubscriberStore; mailer: StatusMailer | null },
): void {
  const known = new Set(componentsFromConfig(deps.config).map((c) => c.id));

  // Form bodies are accepted on this one route only (an encapsulated context); every other route keeps
  // answering 415 to anything but JSON.
  void app.register(async (scope) => {
    scope.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      const form = new URLSearchParams(body as string);
      const components = form.getAll('components');
      done(null, { email: form.get('email') ?? '', ...(components.length ? { components } : {}) });
    });
    const r = scope.withTypeProvider<ZodTypeProvider>();
    r.post(
      '/v1/subscribers',
      {
        schema: { body: subscribeBody },
        // A form post with a bad address hears it as a page, in words (never a JSON error in a browser tab).
        errorHandler: (err, req, reply) => {
          if (fromForm(req) && (err as { validation?: unknown }).validation)
            return page(
              reply,
              400,
              'Check the address',
              'That does not look like an email address. Go back and try again.',
            );
          throw err;
        },
      },
      async (req, reply) => {
        const html = fromForm(req);
        // Switched off is not a transient failure (no 503): the resource simply does not exist here. The
        // wording is for the public: no configuration detail.
        if (!deps.mailer)
          return html
            ? page(reply, 404, 'Email updates unavailable', 'This status page does not send email updates.')
            : reply.code(404).send({ error: 'email updates are not available on this status page' });
        const unknown = req.body.components.map((c, i) => ({ c, i })).filter(({ c }) => !known.has(c));
        if (unknown.length) {
          return reply.code(400).send({
            error: 'invalid body',
            issues: unknown.map(({ c, i }) => ({
              path: `body.components.${i}`,
              message: `unknown component "${c}"`,
            })),
          });
        }
        const { subscriber, tokens } = await deps.store.subscribe(req.body.email, req.body.components);
        if (tokens) {
          try {
            await deps.mailer.sendConfirmation(
              subscriber.email,
              tokens.confirm,
              await deps.store.unsubscribeToken(subscriber),
            );
          } catch (err) {
            // The mail server is down: the subscription stays pending and a retry sends a fresh link.
            req.log.warn({ err: (err as Error).message }, 'confirmation email not sent');
            reply.header('retry-after', '60');
            return html
              ? page(
                  reply,
                  503,
                  'Please try again',
                  'We could not send the confirmation email just now. Please try again in a minute.',
                )
              : reply.code(503).send({ error: 'the confirmation email could not be sent; retry later' });
          }
        }
        // The same answer whether or not the address was known: no way to probe who subscribed.
        if (html)
          return page(
            reply,
            202,
            'Check your inbox',
            'If this address can receive mail, a confirmation link is on its way. Follow it to start receiving updates.',
          );
        return reply.code(202).send({
          status: 'pending_confirmation',
          message: 'If this address can receive mail, a confirmation link is on its way.',
        });
      },
    );
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/v1/subscribers/confirm', { schema: { querystring: tokenQuery, hide: true } }, async (req, reply) => {
    const s = await deps.store.confirm(req.query.token);
    return s
      ? page(reply, 200, 'Subscribed', 'You will receive status updates by email. Every email has an unsubscribe link.')
      : page(reply, 404, 'Link not valid', 'This confirmation link is unknown or was replaced by a newer one.');
  });

  r.get('/v1/subscribers/unsubscribe', { schema: { querystring: tokenQuery, hide: true } }, async (req, reply) => {
    const s = await deps.store.unsubscribe(req.query.token);
    return s
      ? page(reply, 200, 'Unsubscribed', 'You will not receive any more status emails.')
      : page(reply, 404, 'Link not valid', 'This unsubscribe link is unknown, or you were already unsubscribed.');
  });

  r.get('/v1/subscribers', scopeGuards(deps.tokens).admin, async () => ({
    subscribers: (await deps.store.all()).map(({ id, email, components, status, createdAt, confirmedAt }) => ({
      id,
      email,
      components,
      status,
      createdAt,
      confirmedAt: confirmedAt ?? null,
    })),
  }));
}
