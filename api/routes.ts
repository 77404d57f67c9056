// /v1/routes: the live traffic distribution of every failover chain (the built-in route table).
// Apps poll it: every answer carries an ETag derived from the route versions, and If-None-Match with
// the current tag gets a bodiless 304. With `?wait=<s>` as well, the request is held until the route
// changes (200) or the wait ends (304): a long-poll fed by the same watcher as the event stream.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { cachedBreakers, readBreaker, readRouteView } from '../client/route-view';
import { routesEtag } from '../domain/route-view';
import { scopeGuards, type ApiDeps } from './route-deps';
import { HttpError } from './errors';
import { registerRouteStream, waitOr503 } from './route-stream';
import { RouteWatcher } from './route-watcher';
import { chainParams, routeWaitQuery } from './schemas';

export { routesEtag } from '../domain/route-view';

/** Sets the ETag; true when the request's If-None-Match already names it (answer 304). */
export function notModified(req: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag).header('cache-control', 'no-cache');
  const given = req.headers['if-none-match'];
  if (!given) return false;
  return given.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
}

export function registerRouteRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { read } = scopeGuards(deps.tokens);
  const providersOf = (chain: string) => deps.config.chains.find((c) => c.id === chain)?.providers ?? [];
  const readView = (chain: string) => readRouteView(deps.client, chain, providersOf(chain));
  const watchedBreakers = cachedBreakers(readBreaker(deps.client), 200);
  const watcher = new RouteWatcher((chain) => readRouteView(deps.client, chain, providersOf(chain), watchedBreakers), {
    intervalMs: 50,
    maxSubscribers: deps.config.server.maxRouteSubscribers,
    onError: (chain, err) => app.log.debug({ err, chain }, 'route watcher: read failed; retrying'),
  });
  // Before the listener closes: open streams and held long-polls end now rather than holding it up.
  app.addHook('preClose', async () => watcher.close());
  const knownChain = (chain: string) => deps.config.chains.some((c) => c.id === chain);

  r.get('/v1/routes', read, async (req, reply) => {
    const routes = await Promise.all(deps.config.chains.map((c) => readView(c.id)));
    if (notModified(req, reply, routesEtag(routes))) return reply.code(304).send();
    return { routes };
  });
  r.get(
    '/v1/routes/:chain',
    { ...read, schema: { params: chainParams, querystring: routeWaitQuery } },
    async (req, reply) => {
      const { chain } = req.params;
      if (!knownChain(chain)) throw new HttpError(404, `chain ${chain} not found`);
      const wait = req.query.wait;
      // A long-poll reads through the watcher (a fresh view it holds costs no query); a plain GET reads now.
      const route = wait ? await watcher.current(chain) : await readView(chain);
      const etag = routesEtag([route]);
      if (!notModified(req, reply, etag)) return route;
      if (!wait) return reply.code(304).send();
      // Held until a change or the end of the wait; a client that hangs up frees its place at once.
      const gone = new AbortController();
      const hangUp = () => gone.abort();
      req.raw.socket.once('close', hangUp);
      const changed = await waitOr503(reply, () =>
        watcher.waitForChange(chain, route, (v) => routesEtag([v]) !== etag, wait * 1000, gone.signal),
      ).finally(() => req.raw.socket.off('close', hangUp));
      if (!changed) return reply.code(304).send();
      reply.header('etag', routesEtag([changed]));
      return changed;
    },
  );
  registerRouteStream(app, { watcher, knownChain, read });
}
