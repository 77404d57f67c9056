// /v1/routes: the live traffic distribution of every failover chain (the built-in route table).
// Apps poll it: every answer carries an ETag derived from the route versions, and If-None-Match with
// the current tag gets a bodiless 304.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { getRoute } from '../client/routes';
import type { RouteState } from '../workflows/messages';
import { requireScope, type TokenTable } from './auth';
import { HttpError } from './errors';
import { chainParams } from './schemas';

const publicRoute = (r: RouteState) => ({
  id: r.id,
  weights: r.weights,
  mode: r.mode,
  version: r.version,
  updatedAt: r.updatedAt,
  hints: r.hints ?? {},
});

/** Version (carried across continue-as-new) plus change time, so a re-created route never reuses a tag. */
export const routesEtag = (routes: RouteState[]) =>
  `"${routes.map((r) => `${r.id}.${r.version}.${Date.parse(r.updatedAt).toString(36)}`).join('-')}"`;

/** Sets the ETag; true when the request's If-None-Match already names it (answer 304). */
export function notModified(req: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag).header('cache-control', 'no-cache');
  const given = req.headers['if-none-match'];
  if (!given) return false;
  return given.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
}

export function registerRouteRoutes(
  app: FastifyInstance,
  deps: { client: Client; config: LifelineConfig; tokens: TokenTable },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { onRequest: requireScope(deps.tokens, 'read') };
  r.get('/v1/routes', read, async (req, reply) => {
    const routes = await Promise.all(deps.config.chains.map((c) => getRoute(deps.client, c.id)));
    if (notModified(req, reply, routesEtag(routes))) return reply.code(304).send();
    return { routes: routes.map(publicRoute) };
  });
  r.get('/v1/routes/:chain', { ...read, schema: { params: chainParams } }, async (req, reply) => {
    if (!deps.config.chains.some((c) => c.id === req.params.chain))
      throw new HttpError(404, `chain ${req.params.chain} not found`);
    const route = await getRoute(deps.client, req.params.chain);
    if (notModified(req, reply, routesEtag([route]))) return reply.code(304).send();
    return publicRoute(route);
  });
}
