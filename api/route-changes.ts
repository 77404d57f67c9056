// POST /v1/routes/:chain/{failover,weights,failback}: operator-triggered traffic shifts (scope operate,
// 202 once the shift is queued at the chain's routing entity; `shift.position` > 0 while others run), and
// GET /v1/routes/:chain/shift to follow one.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { validateWeights } from '../domain/failover';
import { getShift, startShift } from '../client/shifts';
import { emergencyRisk } from '../client/provider-health';
import type { ShiftRequest } from '../workflows/messages';
import { scopeGuards, type ApiDeps } from './route-deps';
import { HttpError } from './errors';
import { chainParams, failbackBody, failoverBody, weightsBody } from './schemas';
import { idempotencyHeaders, idempotencyKeyOf, operatorShiftId } from './idempotency';

export function registerRouteChangeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { client, config } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { read, operate } = scopeGuards(deps.tokens);

  const chainOf = (id: string) => {
    const chain = config.chains.find((c) => c.id === id);
    if (!chain) throw new HttpError(404, `chain ${id} not found`);
    return chain;
  };
  const badField = (path: string, message: string) => new HttpError(400, 'invalid body', [{ path, message }]);

  /** An Idempotency-Key becomes the shift's ID in the chain's queue: a repeat is the same shift, same answer. */
  async function start(req: ShiftRequest, idempotencyKey?: string) {
    const started = await startShift(
      client,
      config.temporal.taskQueue,
      req,
      idempotencyKey ? { id: operatorShiftId(idempotencyKey) } : {},
    );
    return { chain: req.chain, kind: req.kind, shift: started };
  }

  r.post(
    '/v1/routes/:chain/failover',
    { ...operate, schema: { params: chainParams, headers: idempotencyHeaders, body: failoverBody } },
    async (req, reply) => {
      const chain = chainOf(req.params.chain);
      const { from, to, mode, stepDelayMs } = req.body;
      if (!chain.providers.includes(from))
        throw badField('body.from', `provider is not in chain ${chain.id} (${chain.providers.join(', ')})`);
      if (to && (!chain.providers.includes(to) || to === from))
        throw badField('body.to', `must be another provider of chain ${chain.id}`);
      const by = req.body.by ?? req.principal!.name;
      const risk = req.body.force ? null : await emergencyRisk(client, chain.id, from, to);
      if (risk)
        throw new HttpError(
          409,
          `refused: ${risk}. Nothing was changed; repeat with "force": true (CLI: --force) to do it anyway.`,
        );
      const body = await start(
        {
          chain: chain.id,
          kind: mode,
          from,
          to,
          stepDelayMs: stepDelayMs ?? config.recovery.shiftStepMs,
          reason: `${mode} failover from ${from} requested by ${by}`,
          by,
        },
        idempotencyKeyOf(req),
      );
      return reply.code(202).send(body);
    },
  );

  r.post(
    '/v1/routes/:chain/weights',
    { ...operate, schema: { params: chainParams, headers: idempotencyHeaders, body: weightsBody } },
    async (req, reply) => {
      const chain = chainOf(req.params.chain);
      const issues = validateWeights(req.body.weights, chain.providers);
      if (issues.length)
        throw new HttpError(
          400,
          'invalid body',
          issues.map((i) => ({ path: `body.${i.path}`, message: i.message })),
        );
      const by = req.body.by ?? req.principal!.name;
      return reply
        .code(202)
        .send(
          await start(
            { chain: chain.id, kind: 'set', weights: req.body.weights, reason: `weights set by ${by}`, by },
            idempotencyKeyOf(req),
          ),
        );
    },
  );

  r.post(
    '/v1/routes/:chain/failback',
    { ...operate, schema: { params: chainParams, headers: idempotencyHeaders, body: failbackBody } },
    async (req, reply) => {
      const chain = chainOf(req.params.chain);
      const from = req.body?.from;
      if (from && !chain.providers.includes(from)) throw badField('body.from', `provider is not in chain ${chain.id}`);
      const by = req.body?.by ?? req.principal!.name;
      return reply.code(202).send(
        await start(
          {
            chain: chain.id,
            kind: 'failback',
            from,
            stepDelayMs: req.body?.stepDelayMs ?? config.recovery.shiftStepMs,
            healthyForMs: req.body?.healthyForMs ?? config.recovery.failbackHealthyForMs,
            healthCheckEveryMs: config.recovery.failbackCheckEveryMs,
            evidence: config.recovery.evidence,
            reason: `failback requested by ${by}`,
            by,
          },
          idempotencyKeyOf(req),
        ),
      );
    },
  );

  r.get('/v1/routes/:chain/shift', { ...read, schema: { params: chainParams } }, async (req) => {
    chainOf(req.params.chain);
    const shift = await getShift(client, req.params.chain);
    if (!shift) throw new HttpError(404, `no traffic shift of ${req.params.chain} yet`);
    return shift;
  });
}
