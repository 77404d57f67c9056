// POST /v2/enqueue: PagerDuty Events API v2, so anything that can page PagerDuty can open a lifeline
// incident. Dedup semantics are PagerDuty's (domain/dedup.ts, applied inside the incident workflow):
// the same dedup_key is the same alert while open; acknowledge/resolve act on an open alert and are
// dropped otherwise; a trigger after resolve opens a new one; no dedup_key → one is generated.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IngestDeps } from './alerts';
import { pagerDutyGuard } from './ingest-auth';
import { fromPagerDuty, pagerDutyProvider } from './ingest-mapping';
import { pagerDutyEvent } from './ingest-schemas';

/** dedup_key → provider for acknowledge/resolve events without a payload (bounded, insertion order). */
class KeyIndex {
  private map = new Map<string, string>();
  constructor(private readonly cap = 100_000) {}
  set(key: string, provider: string): void {
    this.map.delete(key);
    this.map.set(key, provider);
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value!);
  }
  get(key: string): string | undefined {
    return this.map.get(key);
  }
}

export function registerPagerDutyRoute(app: FastifyInstance, deps: IngestDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const providers = new Set(deps.config.providers.map((p) => p.id));
  const index = new KeyIndex();
  r.post(
    '/v2/enqueue',
    { preValidation: pagerDutyGuard(deps.tokens, deps.limiter), schema: { body: pagerDutyEvent } },
    async (req, reply) => {
      const e = req.body;
      const now = new Date().toISOString();
      const dedupKey = e.dedup_key ?? randomUUID().replace(/-/g, '');
      const named = pagerDutyProvider(e, providers);
      if (e.event_action === 'trigger') {
        if (!named) {
          return reply.code(400).send({
            error: 'invalid body',
            issues: [
              {
                path: 'body.payload.component',
                message:
                  'name a configured provider in payload.component, payload.group, payload.source or payload.custom_details.provider',
              },
            ],
          });
        }
        index.set(dedupKey, named);
        await deps.ingest.record([fromPagerDuty(e, named, dedupKey, now)]);
      } else {
        // Without a payload the event names only its dedup_key: send it to the provider that key was
        // triggered on, or (key seen by another API process, or before a restart) to every open incident;
        // the incidents not holding that key drop it, as PagerDuty would.
        const targets = named ? [named] : index.get(dedupKey) ? [index.get(dedupKey)!] : [...providers];
        await deps.ingest.record(targets.map((p) => fromPagerDuty(e, p, dedupKey, now)));
      }
      return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
    },
  );
}
