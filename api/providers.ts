// /v1/providers: each provider's health and circuit breaker as its monitor holds them (the monitor
// workflow's monitorState query), for `lifeline status` and dashboards. A provider whose monitor is not
// running (or does not answer) is listed with `monitor: "not running"` rather than failing the request.
// Polled by the console: an ETag over the answer, and If-None-Match with it gets a bodiless 304.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/client';
import { monitorStateQuery, monitorWorkflowId } from '../workflows/messages';
import { scopeGuards, type ApiDeps } from './route-deps';
import { notModified } from './routes';

export function registerProviderRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/providers', scopeGuards(deps.tokens).read, async (req, reply) => {
    const body = {
      providers: await Promise.all(
        deps.config.providers.map(async (p) => {
          try {
            const s = await deps.client.workflow.getHandle(monitorWorkflowId(p.id)).query(monitorStateQuery);
            return {
              id: p.id,
              monitor: 'running',
              healthy: s.healthy,
              since: s.since,
              breaker: s.breaker
                ? { phase: s.breaker.phase, since: s.breaker.since, openedCount: s.breaker.openedCount }
                : null,
              lastReason: s.lastReason ?? null,
              incidentId: s.incidentId ?? null,
            };
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
            return {
              id: p.id,
              monitor: 'not running',
              healthy: null,
              since: null,
              breaker: null,
              lastReason: null,
              incidentId: null,
            };
          }
        }),
      ),
    };
    const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22)}"`;
    if (notModified(req, reply, etag)) return reply.code(304).send();
    return body;
  });
}
