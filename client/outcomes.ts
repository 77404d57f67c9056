// The per-minute outcome aggregates an incident report needs: the monitors of the incident's provider
// and of every provider sharing a chain with it (a request that failed over ends on another provider, so
// its final attempt — whether it was lost — is counted there), summed minute by minute.
import type { Client } from '@temporalio/client';
import { emptyCounts, mergeCounts } from '../domain/outcome-counts';
import type { MinuteCounts } from '../domain/outcome-window';
import { monitorWorkflowId, outcomeMinutesQuery } from '../workflows/messages';

const QUERY_DEADLINE_MS = 3_000;

/** The providers whose outcomes describe the users of `provider`'s chains (itself first). */
export function impactProviders(chains: { providers: string[] }[], provider: string): string[] {
  return [...new Set([provider, ...chains.filter((c) => c.providers.includes(provider)).flatMap((c) => c.providers)])];
}

/** Summed minutes, oldest first; undefined when no monitor could be asked (the report then says n/a). */
export async function outcomeMinutes(client: Client, providers: string[]): Promise<MinuteCounts[] | undefined> {
  // Bounded: a report (or an archive activity at shutdown) must not wait on a monitor no worker answers for.
  const deadline = Date.now() + QUERY_DEADLINE_MS;
  const answers = await Promise.all(
    providers.map((p) =>
      client
        .withDeadline(deadline, () => client.workflow.getHandle(monitorWorkflowId(p)).query(outcomeMinutesQuery))
        .catch(() => undefined),
    ),
  );
  if (answers.every((a) => a === undefined)) return undefined;
  const byMinute = new Map<string, MinuteCounts>();
  for (const m of answers.flatMap((a) => a ?? [])) {
    const had = byMinute.get(m.minute);
    byMinute.set(m.minute, { minute: m.minute, counts: mergeCounts(had?.counts ?? emptyCounts(), m.counts) });
  }
  return [...byMinute.values()].sort((a, b) => (a.minute < b.minute ? -1 : 1));
}
