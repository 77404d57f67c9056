// Authentication and the per-token rate limit of the ingestion endpoints. They run before the body is
// validated (onRequest, or preValidation when the credential is PagerDuty's routing_key inside the body),
// so a caller without a valid credential hears 401/403 whatever it sent, and a rejected request creates
// nothing.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, TokenTable } from './auth';
import type { RateLimiter } from './rate-limit';
import { guarding } from './route-table';

function deny(reply: FastifyReply, principal: Principal | null): FastifyReply | undefined {
  if (!principal)
    return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid bearer token' });
  if (!principal.scopes.includes('ingest') && !principal.scopes.includes('admin')) {
    return reply.code(403).send({ error: `token "${principal.name}" lacks the "ingest" scope` });
  }
  return undefined;
}

function limit(reply: FastifyReply, limiter: RateLimiter, principal: Principal): FastifyReply | undefined {
  const wait = limiter.take(principal.name);
  if (!wait) return undefined;
  return reply
    .code(429)
    .header('retry-after', String(wait))
    .send({ error: `rate limit for token "${principal.name}" exceeded; retry after ${wait} s` });
}

/** Bearer token with the ingest scope, then the token's budget. */
export function ingestGuard(tokens: TokenTable, limiter: RateLimiter) {
  return guarding('ingest', async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = tokens.authenticate(req.headers.authorization);
    if (deny(reply, principal)) return reply;
    req.principal = principal!;
    if (limit(reply, limiter, principal!)) return reply;
  });
}

/** PagerDuty senders authenticate with a bearer token or put an ingest token in `routing_key`. */
export function pagerDutyGuard(tokens: TokenTable, limiter: RateLimiter) {
  return guarding('ingest', async (req: FastifyRequest, reply: FastifyReply) => {
    let principal = req.headers.authorization ? tokens.authenticate(req.headers.authorization) : null;
    const body = req.body as { routing_key?: unknown } | undefined;
    if (!principal && typeof body?.routing_key === 'string' && /^\S+$/.test(body.routing_key)) {
      principal = tokens.authenticate(`Bearer ${body.routing_key}`);
    }
    if (deny(reply, principal)) return reply;
    req.principal = principal!;
    if (limit(reply, limiter, principal!)) return reply;
  });
}
