// The checks before a failover drill, and its input from config: a drill never runs while the chain has
// an open incident, a model rollout or a shift running or queued, or a route other than its configured
// one (a failover, or another drill, in effect). The API refuses with 409 on these; the drill workflow
// checks again for scheduled runs.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import type { Weights } from '../domain/failover';
import { sameWeights } from '../domain/shift';
import { compactWeights } from '../domain/failover';
import {
  incidentWorkflowId,
  rolloutWorkflowId,
  routingWorkflowId,
  shiftQueueQuery,
  type DrillInput,
} from '../workflows/messages';
import { getRoute } from './routes';

/** Reasons a drill on `chain` must not start now (empty: it may). */
export async function drillBlockers(client: Client, chain: string, configured: Weights): Promise<string[]> {
  let route;
  try {
    route = await getRoute(client, chain);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      return [`chain ${chain} has no routing entity yet (is a worker running?)`];
    throw err;
  }
  const blockers: string[] = [];
  const open = await Promise.all(
    route.providers.map(async (p) => {
      try {
        const d = await client.workflow.getHandle(incidentWorkflowId(p)).describe();
        return d.status.name === 'RUNNING' ? p : null;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      }
    }),
  );
  for (const p of open) if (p) blockers.push(`an incident is open on ${p}`);
  // A model rollout holds the chain between its steps too (its hold may sit on the configured weights).
  try {
    const r = await client.workflow.getHandle(rolloutWorkflowId(chain)).describe();
    if (r.status.name === 'RUNNING') blockers.push(`a model rollout is running on ${chain}`);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const q = await client.workflow.getHandle(routingWorkflowId(chain)).query(shiftQueueQuery);
  if (q.current) blockers.push(`a traffic shift is running on ${chain} (${q.current.ticket.request.reason})`);
  if (q.pending.length) blockers.push(`${q.pending.length} traffic shift(s) queued on ${chain}`);
  if (route.mode !== 'normal' || !sameWeights(route.weights, compactWeights(configured)))
    blockers.push(`${chain} is not on its configured route (mode ${route.mode}: ${route.reason ?? 'changed'})`);
  return blockers;
}

/** What a drill run needs from config: a configured drill by id, or an ad-hoc one on a chain. */
export function drillInputFor(
  config: LifelineConfig,
  target: { drill?: string; chain?: string; share?: number | 'full'; durationMs?: number; to?: string },
  by: string,
): DrillInput | { error: 'unknown' | 'disabled' | 'invalid'; message: string } {
  if (target.drill) {
    const d = config.drills.find((x) => x.id === target.drill);
    if (!d) return { error: 'unknown', message: `drill ${target.drill} not found` };
    if (!d.enabled) return { error: 'disabled', message: `drill ${d.id} is disabled (enabled: false)` };
    return {
      drill: d.id,
      chain: d.chain,
      share: target.share ?? d.share,
      to: target.to ?? d.to,
      durationMs: target.durationMs ?? d.durationMs,
      checkEveryMs: d.checkEveryMs,
      by,
    };
  }
  const chain = config.chains.find((c) => c.id === target.chain);
  if (!chain) return { error: 'unknown', message: `chain ${target.chain ?? '(none)'} not found` };
  if (chain.providers.length < 2)
    return { error: 'invalid', message: `chain ${chain.id} has one provider: there is nothing to fail over to` };
  if (target.to && !chain.providers.includes(target.to))
    return { error: 'invalid', message: `${target.to} is not in chain ${chain.id}` };
  const durationMs = target.durationMs ?? 60_000;
  return {
    chain: chain.id,
    share: target.share ?? 'full',
    to: target.to,
    durationMs,
    checkEveryMs: Math.min(5_000, Math.max(100, Math.floor(durationMs / 6))),
    by,
  };
}
