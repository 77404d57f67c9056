// The fault model of the simulated providers.
//
// A fault is a per-provider switch that the demo and tests flip to make one simulated provider
// misbehave the way real providers do (see /work/shared/PROVIDERS.md). It is deliberately small:
// one failure mode at a time plus an optional added latency, so a scenario reads as a sequence of
// `setFault` calls rather than a configuration language.
import { z } from 'zod';

/**
 * Every failure mode the simulator can reproduce. Order matters only for documentation.
 * - healthy: normal answers (with rate-limit headers showing headroom).
 * - outage: the provider's servers fail (OpenAI 503 service_unavailable, Anthropic 500 api_error).
 * - overloaded: capacity shedding (OpenAI 503, Anthropic 529 overloaded_error).
 * - rate_limit: a retryable 429 with retry-after and exhausted rate-limit headers.
 * - quota: a non-retryable 429 (OpenAI insufficient_quota, Anthropic enforced_spend_limit_reached).
 * - billing: 402 (credit balance exhausted).
 * - auth: 401 as if the key were revoked.
 * - hang: the request is accepted and never answered (a silent hang, the slowest failure to detect).
 */
export const SIM_FAULT_MODES = [
  'healthy',
  'outage',
  'overloaded',
  'rate_limit',
  'quota',
  'billing',
  'auth',
  'hang',
] as const;

export type SimFaultMode = (typeof SIM_FAULT_MODES)[number];

export type SimFault = {
  mode: SimFaultMode;
  /** Added delay, in ms, before every response of the provider (including error responses). */
  latencyMs?: number;
};

/** Upper bound for latencyMs: ten minutes is longer than any sane client timeout. */
export const MAX_SIM_LATENCY_MS = 600_000;

/**
 * Validates a fault arriving over HTTP or from untyped callers. Strict so that a typo such as
 * `latencyMS` is rejected instead of silently ignored (a silently ignored latency makes a test pass
 * for the wrong reason).
 */
export const simFaultSchema = z.strictObject({
  mode: z.enum(SIM_FAULT_MODES),
  latencyMs: z.number().int().min(0).max(MAX_SIM_LATENCY_MS).optional(),
});

// Compile-time guard: the hand-written type and the schema must describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesType: Same<z.infer<typeof simFaultSchema>, SimFault> = true;
void schemaMatchesType;

export const HEALTHY: Readonly<SimFault> = Object.freeze({ mode: 'healthy' });

/** Returns a validated copy; throws a ZodError naming the bad field otherwise. */
export function parseSimFault(input: unknown): SimFault {
  const parsed = simFaultSchema.parse(input);
  return parsed.latencyMs === undefined ? { mode: parsed.mode } : { mode: parsed.mode, latencyMs: parsed.latencyMs };
}
