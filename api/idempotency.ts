// The Idempotency-Key request header of operator actions: a retried request carrying the key of an earlier
// one is answered with the first answer and changes nothing again. The key becomes (part of) the Temporal
// update ID (client/idempotent-update.ts); for traffic shifts it is the shift's ID in the chain's queue.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Stripe's limit; the update ID it becomes stays far below Temporal's 1,000-character ID limit. */
export const IDEMPOTENCY_KEY_MAX = 255;
const CHARS = `[A-Za-z0-9._:~+/=-]{1,${IDEMPOTENCY_KEY_MAX}}`;
/** Bare or quoted; a plain pattern (no transform), so the published OpenAPI schema states the rule exactly. */
const KEY = new RegExp(`^(?:${CHARS}|"${CHARS}")$`);
const RULE = `1–${IDEMPOTENCY_KEY_MAX} characters of A–Z a–z 0–9 . _ : ~ + / = - (a UUID is a good key)`;

/**
 * Route schema part for `headers`. Loose, so every other header stays as sent. The IETF draft
 * (draft-ietf-httpapi-idempotency-key-header) makes the value a structured-field string, i.e. quoted:
 * both `"abc"` and `abc` are accepted and mean the same key.
 */
export const idempotencyHeaders = z.looseObject({
  [IDEMPOTENCY_HEADER]: z
    .string()
    .regex(KEY, `Idempotency-Key must be ${RULE}, bare or in double quotes`)
    .optional()
    .meta({
      description:
        'Makes the action safe to retry: a request repeating the key of an earlier one on the same incident or chain changes nothing again ' +
        `and gets the first answer. ${RULE}; quoted (RFC 8941 string) or bare.`,
    }),
});

/**
 * The ID of an operator's shift in the chain's queue, from its Idempotency-Key: a digest, so the shift's
 * workflow ID (`shift-<chain>-op-<16 hex>`) stays short and plain whatever the key (Slack's IDs included).
 */
export const operatorShiftId = (key: string) => `op-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;

/** The validated key of a request whose schema includes idempotencyHeaders, if it sent one. */
export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const v = req.headers[IDEMPOTENCY_HEADER];
  if (typeof v !== 'string' || !v.length) return undefined;
  return v.startsWith('"') ? v.slice(1, -1) : v;
}
