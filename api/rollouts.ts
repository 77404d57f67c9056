// /v1/rollouts: model rollouts through the shift engine. POST starts one (scope operate; 202, or 409 when
// another rollout or an incident holds the chain), GET lists and shows them (read; a report as JSON or
// Markdown by Accept), POST /:id/abort stops one (operate): it rolls back and its report names who.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { gateSchema, knownAnswerSchema } from '../config/rollouts';
import { parseTarget, percentsIssue, rolloutMarkdown, type RolloutReport } from '../domain/rollout';
import { ROLLOUT_ID, RolloutStore } from '../client/rollout-store';
import { abortRollout, getRollout, RolloutConflict, startRollout } from '../client/rollouts';
import { scopeGuards, type ApiDeps } from './route-deps';
import { HttpError } from './errors';
import { idempotencyHeaders, idempotencyKeyOf } from './idempotency';
import { reportFormatFor } from './report-format';

const rolloutId = z.string().regex(ROLLOUT_ID, 'must be 1–100 letters, digits, "_", "." or "-"');

export const rolloutBody = z.strictObject({
  chain: z.string().min(1).max(100),
  /** `<provider>` or `<provider>/<model>`. */
  to: z.string().min(1).max(300),
  /** The target's share at each step (default: rollouts.canary). Not with blueGreen. */
  canary: z.array(z.number().int()).min(1).max(20).optional(),
  blueGreen: z.boolean().optional(),
  holdMs: z.number().int().min(1).max(86_400_000).optional(),
  gates: gateSchema.partial().optional(),
  knownAnswer: knownAnswerSchema.optional(),
  /** The rollout's ID (default: the Idempotency-Key's digest, or a fresh one). */
  id: rolloutId.optional(),
  by: z.string().min(1).max(200).optional(),
});
const idParams = z.object({ id: z.string().min(1).max(200) });
const abortBody = z
  .strictObject({ by: z.string().min(1).max(200).optional(), reason: z.string().min(1).max(500).optional() })
  .default({});

const summary = (r: RolloutReport) => ({
  id: r.id,
  chain: r.chain,
  to: r.model ? `${r.provider}/${r.model}` : r.provider,
  strategy: r.strategy,
  outcome: r.outcome,
  result: r.result ?? null,
  step: r.steps.length,
  steps: r.percents.length,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt ?? null,
  by: r.by,
});

export function registerRolloutRoutes(app: FastifyInstance, deps: ApiDeps & { env?: NodeJS.ProcessEnv }): void {
  const { client, config } = deps;
  const store = RolloutStore.forConfig(config, deps.env);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { read, operate } = scopeGuards(deps.tokens);
  const badField = (path: string, message: string) => new HttpError(400, 'invalid body', [{ path, message }]);

  r.post(
    '/v1/rollouts',
    { ...operate, schema: { headers: idempotencyHeaders, body: rolloutBody } },
    async (req, reply) => {
      const b = req.body;
      const chain = config.chains.find((c) => c.id === b.chain);
      if (!chain)
        throw badField('body.chain', `no chain ${b.chain} (configured: ${config.chains.map((c) => c.id).join(', ')})`);
      const target = parseTarget(b.to);
      if (!target || !chain.providers.includes(target.provider))
        throw badField(
          'body.to',
          `must be <provider>[/<model>] with a provider of chain ${chain.id} (${chain.providers.join(', ')})`,
        );
      if (b.blueGreen && b.canary) throw badField('body.canary', 'not with blueGreen (one switch to 100 %)');
      const percents = b.canary ?? config.rollouts.canary;
      const issue = percentsIssue(percents);
      if (issue) throw badField('body.canary', issue);
      const key = idempotencyKeyOf(req);
      const id =
        b.id ??
        (key
          ? `r-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`
          : `${chain.id}-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(2).toString('hex')}`);
      const knownAnswer = b.knownAnswer ?? config.rollouts.knownAnswers[target.provider];
      try {
        const started = await startRollout(
          client,
          config.temporal.taskQueue,
          store,
          {
            id,
            chain: chain.id,
            ...target,
            strategy: b.blueGreen ? 'blue-green' : 'canary',
            percents: b.blueGreen ? [100] : percents,
            holdMs: b.holdMs ?? config.rollouts.holdMs,
            gates: { ...config.rollouts.gates, ...b.gates },
            ...(knownAnswer ? { knownAnswer } : {}),
            by: b.by ?? req.principal!.name,
          },
          chain.providers,
        );
        return reply.code(202).send(started);
      } catch (err) {
        if (err instanceof RolloutConflict) throw new HttpError(409, err.message);
        throw err;
      }
    },
  );

  r.get('/v1/rollouts', { ...read }, async () => ({ rollouts: (await store.list()).map(summary) }));

  r.get('/v1/rollouts/:id', { ...read, schema: { params: idParams } }, async (req, reply) => {
    const report = await getRollout(client, store, req.params.id);
    if (!report) throw new HttpError(404, `rollout ${req.params.id} not found`);
    if (reportFormatFor(req.headers.accept) === 'md')
      return reply.type('text/markdown; charset=utf-8').send(rolloutMarkdown(report));
    return report;
  });

  r.post('/v1/rollouts/:id/abort', { ...operate, schema: { params: idParams, body: abortBody } }, async (req) => {
    const current = await getRollout(client, store, req.params.id);
    if (!current) throw new HttpError(404, `rollout ${req.params.id} not found`);
    if (current.outcome !== 'running')
      throw new HttpError(409, `rollout ${current.id} already ended (${current.outcome})`);
    const by = req.body?.by ?? req.principal!.name;
    const report = await abortRollout(client, store, {
      id: current.id,
      by,
      ...(req.body?.reason ? { reason: req.body.reason } : {}),
    });
    return report ?? current;
  });
}
