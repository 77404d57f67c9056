// A run's Temporal history in its JSON form (what `temporal workflow show -o json` prints, what the
// archive stores and what Worker.runReplayHistories reads back through historyFromJSON).
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { HistoryJson } from '../domain/history';

export async function fetchHistoryJson(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<{ json: string; parsed: HistoryJson }> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const json = historyToJSON(history);
  return { json, parsed: JSON.parse(json) as HistoryJson };
}
