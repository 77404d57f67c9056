// /v1/incidents: list, declare, read, and the operator actions (Updates on the incident workflow).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { ZodType } from 'zod';
import { findIncident, listIncidents, recordAlertsForScope } from '../client/incidents';
import { archiveStoreFromConfig, type ArchiveStore } from '../client/archive-store';
import { fetchHistoryJson } from '../client/history';
import { routeChangesBetween } from '../client/routes';
import { buildReportModel } from '../domain/report';
import { impactProviders, outcomeMinutes } from '../client/outcomes';
import { renderTimelineSvg } from '../domain/timeline-svg';
import type { IncidentState } from '../domain/incident';
import type { HistoryJson } from '../domain/history';
import { renderReport } from '../render/report';
import { CONTENT_TYPES, reportFormatFor } from './report-format';
import { actionUpdateId, executeIdempotentUpdate } from '../client/idempotent-update';
import { idempotencyHeaders, idempotencyKeyOf } from './idempotency';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  escalateUpdate,
  incidentStateQuery,
  resolveUpdate,
} from '../workflows/messages';
import { scopeGuards, type ApiDeps } from './route-deps';
import { HttpError } from './errors';
import { incidentSloBudget } from '../client/slos';
import {
  actorBody,
  declareBody,
  escalateBody,
  incidentParams,
  listQuery,
  noteBody,
  publicUpdateBody,
  resolveBody,
} from './schemas';

export function registerIncidentRoutes(app: FastifyInstance, deps: ApiDeps & { archive?: ArchiveStore }): void {
  const { client, config, tokens } = deps;
  const archive = deps.archive ?? archiveStoreFromConfig(config);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { read, operate } = scopeGuards(tokens);

  async function handleFor(id: string): Promise<WorkflowHandle> {
    const h = await findIncident(client, id);
    if (!h) throw new HttpError(404, `incident ${id} not found`);
    return h;
  }

  /**
   * An operator action as an Update on the incident's run. With an Idempotency-Key the update ID is
   * `<action>:<key>`: a retry (even one arriving after the incident closed or continued-as-new) gets the
   * first answer and changes nothing. An Update on a closed incident reaches no running workflow: 409.
   */
  async function act<Ret, Args extends [unknown, ...unknown[]]>(
    req: FastifyRequest,
    id: string,
    action: string,
    def: UpdateDefinition<Ret, Args>,
    args: Args,
  ): Promise<Ret> {
    const h = await handleFor(id);
    const key = idempotencyKeyOf(req);
    try {
      const runId = key ? (await h.describe()).runId : undefined;
      return await executeIdempotentUpdate(client, h, def, args, {
        ...(key ? { updateId: actionUpdateId(action, key), runId } : {}),
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, `incident ${id} is closed`);
      throw err;
    }
  }

  /** The live run and its record, or null when Temporal no longer has it. */
  async function live(id: string): Promise<{ handle: WorkflowHandle; state: IncidentState } | null> {
    const handle = await findIncident(client, id);
    if (!handle) return null;
    try {
      return { handle, state: await handle.query(incidentStateQuery) };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  /** The run's history so far; the report is still complete from the record if this fails. */
  async function historyOf(handle: WorkflowHandle): Promise<HistoryJson | undefined> {
    try {
      return (await fetchHistoryJson(client, handle.workflowId, (await handle.describe()).runId)).parsed;
    } catch (err) {
      app.log.warn({ err: (err as Error).message, workflowId: handle.workflowId }, 'report without history enrichment');
      return undefined;
    }
  }

  r.get('/v1/incidents', { ...read, schema: { querystring: listQuery } }, async (req) => ({
    incidents: await listIncidents(client, req.query, archive),
  }));

  r.post('/v1/incidents', { ...operate, schema: { body: declareBody } }, async (req, reply) => {
    const { provider, title, severity } = req.body;
    if (!config.providers.some((p) => p.id === provider)) {
      return reply.code(400).send({
        error: 'invalid body',
        issues: [{ path: 'body.provider', message: `unknown provider "${provider}"` }],
      });
    }
    const by = req.body.by ?? req.principal!.name;
    const rec = await recordAlertsForScope(
      client,
      config.temporal.taskQueue,
      provider,
      [
        {
          provider,
          kind: 'other',
          summary: title,
          source: `declared by ${by}`,
          severity: 'critical',
          observedAt: new Date().toISOString(),
        },
      ],
      { title, severity, declaredBy: by },
    );
    return reply.code(201).send({ id: rec.incidentId, deduplicated: rec.deduplicated });
  });

  // Past Temporal's retention the archive answers (closed incidents only).
  r.get('/v1/incidents/:id', { ...read, schema: { params: incidentParams } }, async (req) => {
    const l = await live(req.params.id);
    if (l) return l.state;
    const archived = await archive.get(req.params.id);
    if (!archived) throw new HttpError(404, `incident ${req.params.id} not found`);
    return archived.state;
  });

  /** Every route change of the provider's chains in the incident's window (the routing entities' log). */
  const routeChangesOf = (state: IncidentState) =>
    routeChangesBetween(
      client,
      config.chains.filter((c) => c.providers.includes(state.provider)).map((c) => c.id),
      state.startedAt,
      state.resolvedAt,
    );

  // The timeline chart as SVG: live from the record (a draft while open), else the archived drawing, else
  // drawn from the archived record (entries archived before charts existed).
  r.get('/v1/incidents/:id/timeline.svg', { ...read, schema: { params: incidentParams } }, async (req, reply) => {
    let svg: string | null;
    const l = await live(req.params.id);
    if (l)
      svg = renderTimelineSvg(
        buildReportModel(l.state, undefined, { routeChanges: await routeChangesOf(l.state) }).chart,
      );
    else {
      svg = await archive.report(req.params.id, 'svg');
      if (svg === null) {
        const archived = await archive.get(req.params.id);
        if (!archived) throw new HttpError(404, `incident ${req.params.id} not found`);
        svg = renderTimelineSvg(buildReportModel(archived.state).chart);
      }
    }
    // Served as an image: no script may run in it even if opened directly (it has none; defence in depth).
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff')
      .send(svg);
  });

  r.get('/v1/incidents/:id/report', { ...read, schema: { params: incidentParams } }, async (req, reply) => {
    const format = reportFormatFor(req.headers.accept);
    reply.type(CONTENT_TYPES[format]);
    const l = await live(req.params.id);
    if (l) {
      // Open incidents get a draft from what has happened so far; closed ones the full postmortem.
      const routeChanges = await routeChangesOf(l.state);
      const outcomes = await outcomeMinutes(client, impactProviders(config.chains, l.state.provider));
      const model = buildReportModel(l.state, await historyOf(l.handle), {
        routeChanges,
        outcomeMinutes: outcomes,
        now: new Date().toISOString(),
        sloBudget: await incidentSloBudget(deps.client, l.state),
      });
      return format === 'json' ? model : reply.send(await renderReport(model, format));
    }
    const stored = await archive.report(req.params.id, format);
    if (stored === null) throw new HttpError(404, `incident ${req.params.id} not found`);
    return reply.send(format === 'json' ? JSON.parse(stored) : stored);
  });

  const action = <B extends ZodType>(body: B) => ({
    ...operate,
    schema: { params: incidentParams, headers: idempotencyHeaders, body },
  });
  r.post('/v1/incidents/:id/acknowledge', action(actorBody), async (req) =>
    act(req, req.params.id, 'acknowledge', acknowledgeUpdate, [{ by: req.body?.by ?? req.principal!.name }]),
  );
  r.post('/v1/incidents/:id/escalate', action(escalateBody), async (req) =>
    act(req, req.params.id, 'escalate', escalateUpdate, [
      { by: req.body?.by ?? req.principal!.name, level: req.body?.level },
    ]),
  );
  r.post('/v1/incidents/:id/resolve', action(resolveBody), async (req) =>
    act(req, req.params.id, 'resolve', resolveUpdate, [
      { by: req.body?.by ?? req.principal!.name, note: req.body?.note },
    ]),
  );
  r.post('/v1/incidents/:id/notes', action(noteBody), async (req) =>
    act(req, req.params.id, 'addNote', addNoteUpdate, [
      { by: req.body.by ?? req.principal!.name, text: req.body.text, public: req.body.public },
    ]),
  );
  // A public update: word for word on the status page and to subscribers (notes are internal otherwise).
  r.post('/v1/incidents/:id/updates', action(publicUpdateBody), async (req) =>
    act(req, req.params.id, 'addNote', addNoteUpdate, [
      { by: req.body.by ?? req.principal!.name, text: req.body.text, public: true },
    ]),
  );
}
