// `rollouts:` — defaults for model rollouts (`lifeline rollout start`, POST /v1/rollouts): the canary
// steps, how long each step holds before its gate, the gate's thresholds, and known-answer probes per
// provider (a fixed prompt and a substring its answer must contain). A rollout's request may override each.
import { z } from 'zod';
import { percentsIssue } from '../domain/rollout';

export const knownAnswerSchema = z.strictObject({
  prompt: z.string().min(1).max(2000),
  /** A substring of the answer (case ignored). */
  expect: z.string().min(1).max(200),
});

export const gateSchema = z.strictObject({
  /** Failed share of the target's samples that still passes. */
  maxErrorShare: z.number().min(0).max(1).default(0.05),
  maxP95Ms: z.number().int().positive().default(3000),
  /** The monitor's probes since the step, topped up by the gate's own probes to at least this many. */
  minSamples: z.number().int().min(1).max(100).default(5),
});

export const rolloutsSchema = z
  .strictObject({
    canary: z
      .array(z.number())
      .default([5, 25, 50, 100])
      .superRefine((p, ctx) => {
        const issue = percentsIssue(p);
        if (issue) ctx.addIssue({ code: 'custom', message: issue });
      }),
    holdMs: z.number().int().positive().default(120_000),
    gates: gateSchema.prefault({}),
    /** provider ID → its known-answer probe, used by every rollout to that provider unless the request gives one. */
    knownAnswers: z.record(z.string(), knownAnswerSchema).default({}),
  })
  .prefault({});
