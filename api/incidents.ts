// /v1/incidents: list, declare, read, and the operator actions (Updates on the incident workflow).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { findIncident, listIncidents, recordAlertsForScope } from '../client/incidents';
import { buildReportModel } from '../domain/report';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  escalateUpdate,
  incidentStateQuery,
  resolveUpdate,
} from '../workflows/messages';
import type { TokenTable } from './auth';
import { requireScope } from './auth';
import { HttpError } from './errors';
import { actorBody, declareBody, escalateBody, incidentParams, listQuery, noteBody, resolveBody } from './schemas';

export function registerIncidentRoutes(app: FastifyInstance, deps: { client: Client; config: LifelineConfig; tokens: TokenTable }): void {
  const { client, config, tokens } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { preHandler: requireScope(tokens, 'read') };
  const operate = { preHandler: requireScope(tokens, 'operate') };

  async function handleFor(id: string): Promise<WorkflowHandle> {
    const h = await findIncident(client, id);
    if (!h) throw new HttpError(404, `incident ${id} not found`);
    return h;
  }

  /** An Update on a closed incident reaches no running workflow: that is a 409, not a 404. */
  async function act<T>(id: string, fn: (h: WorkflowHandle) => Promise<T>): Promise<T> {
    const h = await handleFor(id);
    try {
      return await fn(h);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, `incident ${id} is closed`);
      throw err;
    }
  }

  r.get('/v1/incidents', { ...read, schema: { querystring: listQuery } }, async (req) => ({
    incidents: await listIncidents(client, { status: req.query.status, provider: req.query.provider }),
  }));

  r.post('/v1/incidents', { ...operate, schema: { body: declareBody } }, async (req, reply) => {
    const { provider, title, severity } = req.body;
    if (!config.providers.some((p) => p.id === provider)) {
      return reply.code(400).send({ error: 'invalid body', issues: [{ path: 'body.provider', message: `unknown provider "${provider}"` }] });
    }
    const by = req.body.by ?? req.principal!.name;
    const rec = await recordAlertsForScope(
      client,
      config.temporal.taskQueue,
      provider,
      [{ provider, kind: 'other', summary: title, source: `declared by ${by}`, severity: 'critical', observedAt: new Date().toISOString() }],
      { title, severity, declaredBy: by },
    );
    return reply.code(201).send({ id: rec.incidentId, deduplicated: rec.deduplicated });
  });

  r.get('/v1/incidents/:id', { ...read, schema: { params: incidentParams } }, async (req) => {
    return (await handleFor(req.params.id)).query(incidentStateQuery);
  });

  r.get('/v1/incidents/:id/report', { ...read, schema: { params: incidentParams } }, async (req, reply) => {
    const state = await (await handleFor(req.params.id)).query(incidentStateQuery);
    const accept = req.headers.accept ?? '';
    if (accept.includes('text/markdown')) {
      if (!state.report) throw new HttpError(409, `the report for ${state.id} is written when the incident resolves (phase: ${state.phase})`);
      return reply.type('text/markdown; charset=utf-8').send(state.report);
    }
    return buildReportModel(state);
  });

  r.post('/v1/incidents/:id/acknowledge', { ...operate, schema: { params: incidentParams, body: actorBody } }, async (req) => {
    return act(req.params.id, (h) => h.executeUpdate(acknowledgeUpdate, { args: [{ by: req.body?.by ?? req.principal!.name }] }));
  });
  r.post('/v1/incidents/:id/escalate', { ...operate, schema: { params: incidentParams, body: escalateBody } }, async (req) => {
    return act(req.params.id, (h) => h.executeUpdate(escalateUpdate, { args: [{ by: req.body?.by ?? req.principal!.name, level: req.body?.level }] }));
  });
  r.post('/v1/incidents/:id/resolve', { ...operate, schema: { params: incidentParams, body: resolveBody } }, async (req) => {
    return act(req.params.id, (h) => h.executeUpdate(resolveUpdate, { args: [{ by: req.body?.by ?? req.principal!.name, note: req.body?.note }] }));
  });
  r.post('/v1/incidents/:id/notes', { ...operate, schema: { params: incidentParams, body: noteBody } }, async (req) => {
    return act(req.params.id, (h) => h.executeUpdate(addNoteUpdate, { args: [{ by: req.body.by ?? req.principal!.name, text: req.body.text }] }));
  });
}
