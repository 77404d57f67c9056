// Replays histories on today's workflow code, the way a worker that lost its cache would (a killed worker's
// workflows continue elsewhere by replaying from the first event). A workflow that ran without a replay can
// still hold a history its own code cannot replay: this finds it before an outage does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietTemporalRuntime, workflowBundle } from './temporal';

export interface ReplayFailure {
  workflowId: string;
  runId: string;
  message: string;
  /** Where the failing history was written (JSON, as `temporal workflow show --output json` prints it). */
  savedTo?: string;
}

/**
 * Replays every history `query` lists (all of the namespace by default). Failing histories are written to
 * `saveDir` so a failure can be replayed again and turned into a committed fixture.
 */
export async function replayListed(client: Client, opts: { query?: string; saveDir?: string } = {}) {
  quietTemporalRuntime(); // the replay worker's INFO lines are noise in the test output
  const failures: ReplayFailure[] = [];
  let replayed = 0;
  const histories = client.workflow.list({ query: opts.query }).intoHistories();
  for await (const r of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) {
    replayed += 1;
    if (!r.error) continue;
    const failure: ReplayFailure = { workflowId: r.workflowId, runId: r.runId, message: r.error.message };
    if (opts.saveDir) {
      mkdirSync(opts.saveDir, { recursive: true });
      const history = await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory();
      failure.savedTo = join(opts.saveDir, `${r.workflowId.replace(/[^\w.-]/g, '_')}-${r.runId.slice(0, 8)}.json`);
      writeFileSync(failure.savedTo, historyToJSON(history));
    }
    failures.push(failure);
  }
  return { replayed, failures };
}
