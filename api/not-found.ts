// Requests that match no route, in the API's error shape: 405 with an Allow header when the path exists
// under other methods (before any body is parsed), else 404.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { servedRoutes } from './route-table';

const pathOf = (url: string) => url.split('?')[0];

function methodsFor(app: FastifyInstance, path: string): string[] {
  const methods = new Set<string>();
  for (const r of servedRoutes(app)) {
    const pattern = new RegExp(`^${r.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`);
    if (pattern.test(path)) methods.add(r.method);
  }
  return [...methods].sort();
}

export function installNotFound(app: FastifyInstance): void {
  // onRequest runs before the body is read, so an unknown method with a body (TRACE, QUERY…) hears 405 too.
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.is404) return;
    const allowed = methodsFor(app, pathOf(req.url));
    if (allowed.length)
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({ error: `${req.method} is not allowed here; use ${allowed.join(', ')}` });
  });
  app.setNotFoundHandler(async (req, reply) =>
    reply.code(404).send({ error: `no route ${req.method} ${pathOf(req.url)}` }),
  );
}
