// POST /v1/outcomes: applications (route clients) report each attempt of their requests. Validated as a
// whole before anything is counted (a bad item → 400 naming it, nothing recorded), then added to this
// process's per-provider buckets (api/outcome-buckets.ts) → 202 { accepted }.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LifelineConfig } from '../config/schema';
import { OUTCOME_ERROR_TYPES } from '../domain/outcome-counts';
import type { TokenTable } from './auth';
import { ingestGuard } from './ingest-auth';
import type { RateLimiter } from './rate-limit';
import type { OutcomeBuckets } from './outcome-buckets';
import { providerId } from './schemas';

export const MAX_OUTCOMES = 1000;

// Items are plain objects, not strict ones: a newer client may add optional fields (the contract extends
// only that way), and an older server must still count what it understands.
const outcome = z.object({
  requestId: z.string().min(1).max(200),
  chain: z.string().min(1).max(100).optional(),
  provider: providerId,
  at: z.iso.datetime({ offset: true }),
  latencyMs: z.number().min(0).max(3_600_000),
  ok: z.boolean(),
  status: z.number().int().min(100).max(599).optional(),
  errorType: z.enum(OUTCOME_ERROR_TYPES).optional(),
  final: z.boolean(),
  trial: z.boolean().optional(),
});
/** One attempt of one application request, as the contract of POST /v1/outcomes has it. */
export type RequestOutcome = z.infer<typeof outcome>;

export const outcomesBody = z.object({
  app: z.string().min(1).max(200).optional(),
  outcomes: z.array(outcome).min(1).max(MAX_OUTCOMES),
});

export interface OutcomeRouteDeps {
  config: LifelineConfig;
  tokens: TokenTable;
  limiter: RateLimiter;
  outcomes: OutcomeBuckets;
}

export function registerOutcomeRoutes(app: FastifyInstance, deps: OutcomeRouteDeps): void {
  const known = new Set(deps.config.providers.map((p) => p.id));
  app
    .withTypeProvider<ZodTypeProvider>()
    .post(
      '/v1/outcomes',
      { onRequest: ingestGuard(deps.tokens, deps.limiter), schema: { body: outcomesBody } },
      async (req, reply) => {
        const { outcomes } = req.body;
        const unknown = outcomes.flatMap((o, i) =>
          known.has(o.provider)
            ? []
            : [{ path: `body.outcomes.${i}.provider`, message: `unknown provider "${o.provider}"` }],
        );
        if (unknown.length) return reply.code(400).send({ error: 'invalid body', issues: unknown.slice(0, 20) });
        deps.outcomes.add(outcomes);
        return reply.code(202).send({ accepted: outcomes.length });
      },
    );
}
