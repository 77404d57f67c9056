// Status-page email subscriptions: public sign-up with double opt-in, confirm and unsubscribe links,
// and an admin listing.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LifelineConfig } from '../config/schema';
import { componentsFromConfig } from '../status/components';
import type { StatusMailer } from '../status/mailer';
import type { SubscriberStore } from '../status/subscribers';
import { requireScope, type TokenTable } from './auth';

const subscribeBody = z.strictObject({
  email: z.email().max(254),
  components: z.array(z.string().min(1).max(100)).max(100).default([]),
});
const tokenQuery = z.object({ token: z.string().min(10).max(200) });

const page = (reply: FastifyReply, code: number, title: string, text: string) =>
  reply
    .code(code)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><main style="font:16px system-ui;max-width:32rem;margin:3rem auto;padding:0 1rem"><h1>${title}</h1><p>${text}</p><p><a href="/status">Back to the status page</a></p></main>`);

export function registerSubscriberRoutes(
  app: FastifyInstance,
  deps: { config: LifelineConfig; tokens: TokenTable; store: SubscriberStore; mailer: StatusMailer | null },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const known = new Set(componentsFromConfig(deps.config).map((c) => c.id));

  r.post('/v1/subscribers', { schema: { body: subscribeBody } }, async (req, reply) => {
    // Switched off is not a transient failure (no 503): the resource simply does not exist here.
    if (!deps.mailer) return reply.code(404).send({ error: 'email subscriptions are not enabled (no smtp section in the config)' });
    const unknown = req.body.components.map((c, i) => ({ c, i })).filter(({ c }) => !known.has(c));
    if (unknown.length) {
      return reply.code(400).send({ error: 'invalid body', issues: unknown.map(({ c, i }) => ({ path: `body.components.${i}`, message: `unknown component "${c}"` })) });
    }
    const { subscriber, tokens } = await deps.store.subscribe(req.body.email, req.body.components);
    if (tokens) {
      try {
        await deps.mailer.sendConfirmation(subscriber.email, tokens.confirm, await deps.store.unsubscribeToken(subscriber));
      } catch (err) {
        // The mail server is down: the subscription stays pending and a retry sends a fresh link.
        req.log.warn({ err: (err as Error).message }, 'confirmation email not sent');
        return reply.code(503).header('retry-after', '60').send({ error: 'the confirmation email could not be sent; retry later' });
      }
    }
    // The same answer whether or not the address was known: no way to probe who subscribed.
    return reply.code(202).send({ status: 'pending_confirmation', message: 'If this address can receive mail, a confirmation link is on its way.' });
  });

  r.get('/v1/subscribers/confirm', { schema: { querystring: tokenQuery, hide: true } }, async (req, reply) => {
    const s = await deps.store.confirm(req.query.token);
    return s ? page(reply, 200, 'Subscribed', 'You will receive status updates by email. Every email has an unsubscribe link.') : page(reply, 404, 'Link not valid', 'This confirmation link is unknown or was replaced by a newer one.');
  });

  r.get('/v1/subscribers/unsubscribe', { schema: { querystring: tokenQuery, hide: true } }, async (req, reply) => {
    const s = await deps.store.unsubscribe(req.query.token);
    return s ? page(reply, 200, 'Unsubscribed', 'You will not receive any more status emails.') : page(reply, 404, 'Link not valid', 'This unsubscribe link is unknown, or you were already unsubscribed.');
  });

  r.get('/v1/subscribers', { onRequest: requireScope(deps.tokens, 'admin') }, async () => ({
    subscribers: (await deps.store.all()).map(({ id, email, components, status, createdAt, confirmedAt }) => ({ id, email, components, status, createdAt, confirmedAt: confirmedAt ?? null })),
  }));
}
