// The `drills:` config section: failover drills, each a real, bounded move of a chain's traffic off its
// primary (a share of it, or all of it), held for a window while the backup is validated, then rolled
// back. Scheduled drills become Temporal Schedules at worker start-up (worker/drill-schedules.ts).
import { z } from 'zod';

const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]*$/,
    'must start with a lower-case letter or digit, then letters, digits, "_", "." or "-"',
  );

// Five cron fields (minute hour day-of-month month day-of-week, UTC) or a shorthand Temporal accepts.
// Temporal parses the expression itself when the schedule is written; this catches typos at config check.
const CRON_FIELD = /^[0-9A-Za-z*?/,-]+$/;
const cron = z
  .string()
  .refine(
    (v) => /^@(yearly|annually|monthly|weekly|daily|hourly)$/.test(v.trim()) || isFiveFieldCron(v),
    'must be a cron expression with five fields (minute hour day month weekday, UTC), e.g. "0 10 1 * *", or @daily/@weekly/@monthly',
  );

function isFiveFieldCron(v: string): boolean {
  const fields = v.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
}

export const drillSchema = z.strictObject({
  id,
  chain: id,
  /** Percent of the primary's traffic moved to the backup (a canary), or `full` for all of it. */
  share: z.union([z.number().int().min(1).max(100), z.literal('full')]).default('full'),
  /** The backup to move traffic to (default: the next healthy provider in chain order). */
  to: id.optional(),
  /** How long the moved traffic stays on the backup before it is rolled back. */
  durationMs: z
    .number()
    .int()
    .min(1_000)
    .max(24 * 3_600_000)
    .default(300_000),
  /** How often the backup is validated (probe + breaker) during the window. */
  checkEveryMs: z.number().int().min(100).default(5_000),
  /** When to run it by itself (a Temporal Schedule); without it the drill runs only when asked. */
  schedule: cron.optional(),
  /** A disabled drill keeps its schedule paused and refuses manual runs by its id. */
  enabled: z.boolean().default(true),
});

export const drillsSchema = z.array(drillSchema).default([]);
export type DrillConfig = z.output<typeof drillSchema>;

interface Issue {
  path: (string | number)[];
  message: string;
}

/**
 * Cross-references of the drills (over untyped input, as config/cross-references.ts): duplicate ids, an
 * unknown chain, a chain with nothing to fail over to, a backup outside the chain.
 */
export function drillCrossReferenceIssues(cfg: Record<string, unknown>): Issue[] {
  const issues: Issue[] = [];
  const chains = new Map<string, string[]>();
  if (Array.isArray(cfg.chains))
    for (const c of cfg.chains as Record<string, unknown>[])
      if (c && typeof c.id === 'string')
        chains.set(
          c.id,
          Array.isArray(c.providers) ? c.providers.filter((p): p is string => typeof p === 'string') : [],
        );
  const seen = new Set<string>();
  const drills = Array.isArray(cfg.drills) ? (cfg.drills as Record<string, unknown>[]) : [];
  drills.forEach((d, i) => {
    if (!d || typeof d !== 'object') return;
    if (typeof d.id === 'string') {
      if (seen.has(d.id)) issues.push({ path: ['drills', i, 'id'], message: `duplicate drill id "${d.id}"` });
      seen.add(d.id);
    }
    if (typeof d.chain !== 'string') return;
    const members = chains.get(d.chain);
    if (!members) issues.push({ path: ['drills', i, 'chain'], message: `unknown chain "${d.chain}"` });
    else if (members.length < 2)
      issues.push({
        path: ['drills', i, 'chain'],
        message: `chain "${d.chain}" has one provider: there is nothing to fail over to`,
      });
    else if (typeof d.to === 'string' && !members.includes(d.to))
      issues.push({ path: ['drills', i, 'to'], message: `"${d.to}" is not in chain "${d.chain}"` });
  });
  return issues;
}
