// /v1/drills: failover drills. GET lists the configured drills and recent reports (scope read); POST
// /v1/drills/runs starts one (scope operate) — 202 with its id, 409 while the chain has an open incident,
// a shift running or queued, or a route other than its configured one; GET /v1/drills/runs/:id is its
// report (or its progress while it runs); POST …/stop ends it early (traffic rolled back at once).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { drillBlockers, drillInputFor } from '../client/drills';
import { DrillReportStore } from '../client/drill-store';
import { getRoute } from '../client/routes';
import { drillProgressQuery, drillScheduleId, drillWorkflowId, stopDrillSignal } from '../workflows/messages';
import { scopeGuards, type ApiDeps } from './route-deps';
import { HttpError } from './errors';
import { idempotencyHeaders, idempotencyKeyOf } from './idempotency';

const slug = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be an id (lower-case letters, digits, "_", "." or "-")');

export const drillRunBody = z
  .strictObject({
    /** A configured drill by id… */
    drill: slug.max(200).optional(),
    /** …or an ad-hoc drill on a chain. */
    chain: slug.max(200).optional(),
    /** Percent of the primary's traffic; 100 moves all of it (the config's `full`). */
    share: z.number().int().min(1).max(100).optional(),
    to: slug.max(200).optional(),
    durationMs: z
      .number()
      .int()
      .min(1_000)
      .max(24 * 3_600_000)
      .optional(),
    by: z.string().min(1).max(200).optional(),
  })
  .refine((b) => !b.drill !== !b.chain, { message: 'give exactly one of drill and chain', path: ['drill'] });
const runParams = z.object({ id: z.string().min(1).max(300) });
const stopBody = z
  .strictObject({ by: z.string().min(1).max(200).optional(), reason: z.string().min(1).max(500).optional() })
  .default({});

export function registerDrillRoutes(app: FastifyInstance, deps: ApiDeps & { env?: NodeJS.ProcessEnv }): void {
  const { client, config } = deps;
  const reports = DrillReportStore.forConfig(config, deps.env);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { read, operate } = scopeGuards(deps.tokens);

  r.get('/v1/drills', read, async () => {
    const runs = await reports.list();
    return {
      drills: config.drills.map((d) => ({
        ...d,
        scheduleId: d.schedule ? drillScheduleId(d.id) : null,
        lastRun: runs.find((x) => x.drill === d.id) ?? null,
      })),
      runs: runs.slice(0, 50),
    };
  });

  r.get('/v1/drills/schedules', read, async () => {
    const schedules = await Promise.all(
      config.drills
        .filter((d) => d.schedule)
        .map(async (d) => {
          const id = drillScheduleId(d.id);
          try {
            const s = await client.schedule.getHandle(id).describe();
            return {
              drill: d.id,
              scheduleId: id,
              cron: d.schedule!,
              enabled: d.enabled,
              paused: s.state.paused,
              nextRunAt: s.info.nextActionTimes[0]?.toISOString() ?? null,
              lastRunAt: s.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
            };
          } catch {
            // Not written yet (no worker started since the drill was configured), or Temporal down.
            return {
              drill: d.id,
              scheduleId: id,
              cron: d.schedule!,
              enabled: d.enabled,
              paused: null,
              nextRunAt: null,
              lastRunAt: null,
            };
          }
        }),
    );
    return { schedules };
  });

  r.post(
    '/v1/drills/runs',
    { ...operate, schema: { headers: idempotencyHeaders, body: drillRunBody } },
    async (req, reply) => {
      const by = req.body.by ?? req.principal!.name;
      const input = drillInputFor(config, req.body, by);
      if ('error' in input) {
        if (input.error === 'unknown') throw new HttpError(404, input.message);
        if (input.error === 'disabled') throw new HttpError(409, input.message);
        throw new HttpError(400, 'invalid body', [
          { path: req.body.to ? 'body.to' : 'body.chain', message: input.message },
        ]);
      }
      // Throws WorkflowNotFoundError (404) when the chain's routing entity is not running.
      await getRoute(client, input.chain);
      const configured = config.chains.find((c) => c.id === input.chain)!.weights;
      const blockers = await drillBlockers(client, input.chain, configured);
      if (blockers.length)
        throw new HttpError(
          409,
          `refused: ${blockers.join('; ')}. Nothing was changed; run the drill when the chain is quiet.`,
        );
      // An Idempotency-Key names the run: a retry finds the drill it started instead of starting another.
      const key = idempotencyKeyOf(req);
      const suffix = key
        ? `k${createHash('sha256').update(key).digest('hex').slice(0, 12)}`
        : createHash('sha256').update(`${Date.now()}:${Math.random()}`).digest('hex').slice(0, 8);
      const id = drillWorkflowId(input.drill ?? input.chain, suffix);
      try {
        await client.workflow.start('drillWorkflow', {
          taskQueue: config.temporal.taskQueue,
          workflowId: id,
          args: [input],
        });
      } catch (err) {
        if (!(key && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return reply
        .code(202)
        .send({ id, drill: input.drill ?? null, chain: input.chain, share: input.share, durationMs: input.durationMs });
    },
  );

  r.get('/v1/drills/runs/:id', { ...read, schema: { params: runParams } }, async (req) => {
    const report = await reports.get(req.params.id);
    if (report) return { id: req.params.id, status: 'finished', report };
    try {
      const progress = await client.workflow.getHandle(req.params.id).query(drillProgressQuery);
      return { id: req.params.id, status: 'running', progress };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err as Error).name === 'QueryNotRegisteredError')
        throw new HttpError(404, `drill run ${req.params.id} not found`);
      throw err;
    }
  });

  r.post(
    '/v1/drills/runs/:id/stop',
    { ...operate, schema: { params: runParams, body: stopBody } },
    async (req, reply) => {
      if (!req.params.id.startsWith('drill-')) throw new HttpError(404, `drill run ${req.params.id} not found`);
      const by = req.body.by ?? req.principal!.name;
      await client.workflow
        .getHandle(req.params.id)
        .signal(stopDrillSignal, { by, reason: req.body.reason ?? 'stopped by an operator' });
      return reply.code(202).send({ id: req.params.id, stopping: true });
    },
  );
}
