// Replays histories on today's workflow code, the way a worker that lost its cache would (a killed worker's
// workflows continue elsewhere by replaying from the first event). A workflow that ran without a replay can
// still hold a history its own code cannot replay: this finds it before an outage does.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { quietTemporalRuntime, workflowBundle } from './temporal';

export interface ReplayFailure {
  workflowId: string;
  runId: string;
  message: string;
  /** Where the failing history was written (JSON, as `temporal workflow show --output json` prints it). */
  savedTo: string;
  /** The events around the one the replay stopped at. */
  around: string[];
}

/**
 * Replays every history `query` lists (all of the namespace by default). Each failure names the events
 * around the one the replay stopped at (CI keeps only the test output) and its whole history is written
 * under the system's temp directory, kept after the test, to replay again or study.
 */
export async function replayListed(client: Client, opts: { query?: string } = {}) {
  quietTemporalRuntime(); // the replay worker's INFO lines are noise in the test output
  const failures: ReplayFailure[] = [];
  let replayed = 0;
  const histories = client.workflow.list({ query: opts.query }).intoHistories();
  for await (const r of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) {
    replayed += 1;
    if (!r.error) continue;
    const message = r.error.message;
    const history = await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory();
    const dir = mkdtempSync(join(tmpdir(), 'lifeline-replay-failure-'));
    const savedTo = join(dir, `${r.workflowId.replace(/[^\w.-]/g, '_')}-${r.runId.slice(0, 8)}.json`);
    writeFileSync(savedTo, historyToJSON(history));
    const at = Number(/HistoryEvent\(id: (\d+)/.exec(message)?.[1] ?? 0);
    failures.push({ workflowId: r.workflowId, runId: r.runId, message, savedTo, around: eventsAround(history, at) });
  }
  return { replayed, failures };
}

/** "id TYPE detail" for the events from 12 before `at` to 6 after it (the whole history when `at` is unknown, up to 60). */
function eventsAround(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>, at: number): string[] {
  const events = history.events ?? [];
  const shown = at
    ? events.filter((e) => Math.abs(Number(e.eventId) - at) <= 12 && Number(e.eventId) <= at + 6)
    : events.slice(0, 60);
  return shown.map((e) => {
    const type = temporal.api.enums.v1.EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? String(e.eventType);
    const detail =
      e.activityTaskScheduledEventAttributes?.activityType?.name ??
      e.workflowExecutionSignaledEventAttributes?.signalName ??
      e.timerStartedEventAttributes?.timerId ??
      e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ??
      e.workflowTaskCompletedEventAttributes?.identity ??
      e.workflowTaskStartedEventAttributes?.identity ??
      '';
    return `${String(e.eventId)} ${type} ${detail}`.trim();
  });
}
