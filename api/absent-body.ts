// A POST with no payload at all (no content-type, no bytes) is an absent body. Fastify validates an absent
// body as `null` (it cannot tell it from a JSON `null`), so the optional bodies (`resolveBody`, `actorBody`:
// `.default({})`) refused a bare `POST /v1/incidents/:id/resolve` with 400 "expected object, received null".
// Before validation, a route with a body schema gets `{}` for a missing payload; a JSON `null` is still refused.
import type { FastifyInstance } from 'fastify';

export function treatMissingPayloadAsEmpty(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && req.headers['content-type'] === undefined && req.routeOptions.schema?.body)
      req.body = {};
  });
}
