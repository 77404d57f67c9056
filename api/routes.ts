// /v1/routes: the live traffic distribution of every failover chain (the built-in route table).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { getRoute } from '../client/routes';
import type { RouteState } from '../workflows/messages';
import { requireScope, type TokenTable } from './auth';
import { HttpError } from './errors';
import { chainParams } from './schemas';

const publicRoute = (r: RouteState) => ({ id: r.id, weights: r.weights, mode: r.mode, version: r.version, updatedAt: r.updatedAt });

export function registerRouteRoutes(app: FastifyInstance, deps: { client: Client; config: LifelineConfig; tokens: TokenTable }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { preHandler: requireScope(deps.tokens, 'read') };
  r.get('/v1/routes', read, async () => ({
    routes: (await Promise.all(deps.config.chains.map((c) => getRoute(deps.client, c.id)))).map(publicRoute),
  }));
  r.get('/v1/routes/:chain', { ...read, schema: { params: chainParams } }, async (req) => {
    if (!deps.config.chains.some((c) => c.id === req.params.chain)) throw new HttpError(404, `chain ${req.params.chain} not found`);
    return publicRoute(await getRoute(deps.client, req.params.chain));
  });
}
