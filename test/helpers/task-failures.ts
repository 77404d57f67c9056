// No silent workflow task failures. Workflow code that throws (a TypeError, a non-determinism error) does
// not fail the workflow: the server records WORKFLOW_TASK_FAILED and retries the task, so a test can pass
// while the history shows the bug. Two cheap detectors feed one list, and test/setup/task-failures.ts
// fails every workflow and integration test whose run added to it, unless the test expects it and says so
// (`expectWorkflowTaskFailures`):
//  - the SDK core's own "Failing workflow task" warning, captured by the test Runtime logger
//    (test/helpers/temporal.ts) — every in-process worker, on either server;
//  - the histories behind every client registered with `watchHistories` (dev-server stacks, the crash
//    test's worker processes): visibility lists what ran since the last scan and each history is searched
//    for WORKFLOW_TASK_FAILED events — catches workers that run in another process.
// Worker-process logs can be fed through `scanWorkerLog`.
import { existsSync, readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';

export interface TaskFailure {
  /** Where it was seen: "runtime log", "history", or a worker log file. */
  source: string;
  workflowId?: string;
  runId?: string;
  message: string;
}

interface State {
  failures: TaskFailure[];
  reported: Set<string>;
  clients: Set<Client>;
  lastScan: Map<Client, number>;
  logs: Map<string, number>;
  expected: { reason: string; match: (f: TaskFailure) => boolean; seen: number }[];
}

const KEY = Symbol.for('lifeline.test.taskFailures');
const g = globalThis as unknown as Record<symbol, State | undefined>;
const state: State = (g[KEY] ??= {
  failures: [],
  reported: new Set(),
  clients: new Set(),
  lastScan: new Map(),
  logs: new Map(),
  expected: [],
});

function add(f: TaskFailure): void {
  const key = `${f.runId ?? f.workflowId ?? ''}|${f.message.slice(0, 200)}`;
  if (state.reported.has(key)) return;
  state.reported.add(key);
  state.failures.push(f);
}

/** Runtime logger hook: the core logs every workflow task it fails at WARN as "Failing workflow task". */
export function recordRuntimeLog(entry: { level: string; message: string; meta?: Record<string, unknown> }): void {
  if (!/Failing workflow task/i.test(entry.message)) return;
  const meta = entry.meta ?? {};
  const runId = String(meta.run_id ?? meta.runId ?? /run_id=(\S+)/.exec(entry.message)?.[1] ?? '') || undefined;
  const failure = meta.failure ? JSON.stringify(meta.failure).slice(0, 600) : entry.message.slice(0, 600);
  add({ source: 'runtime log', runId, message: failure });
}

/** A worker process's log (stdout + stderr): the core prints "Failing workflow task" there. */
export function scanWorkerLog(text: string, where: string): void {
  for (const line of text.split('\n')) {
    if (!/Failing workflow task/.test(line)) continue;
    add({ source: where, runId: /run_id\S*?=\S*?([0-9a-f-]{36})/.exec(line)?.[1], message: line.slice(0, 600) });
  }
}

/** A worker process's log file, read from where the last check stopped (`lifeline worker` output). */
export function watchWorkerLog(path: string): () => void {
  state.logs.set(path, 0);
  return () => void state.logs.delete(path);
}

function scanWorkerLogs(): void {
  for (const [path, offset] of state.logs) {
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    scanWorkerLog(text.slice(offset), path);
    state.logs.set(path, text.length);
  }
}

/** Scans the histories of workflows this client's namespace ran after each test (a dev server: visibility is needed). */
export function watchHistories(client: Client): () => void {
  state.clients.add(client);
  state.lastScan.set(client, 0);
  return () => {
    state.clients.delete(client);
    state.lastScan.delete(client);
  };
}

// Causes the server records for protocol races it resolves itself (a signal or update arriving while the
// task that would close the workflow completes, a sticky-queue reset after a worker restart, a terminate
// arriving while a task was in flight): no code failed.
const BENIGN_CAUSES = new Set([
  1 /* UNHANDLED_COMMAND */, 13 /* RESET_STICKY_TASK_QUEUE */, 17 /* FORCE_CLOSE_COMMAND */,
  18 /* FAILOVER_CLOSE_COMMAND */, 20 /* RESET_WORKFLOW */, 31 /* UNHANDLED_UPDATE */,
]);

/** Searches histories of workflows running or closed since the last scan of this client. */
export async function scanHistories(client: Client): Promise<void> {
  const since = state.lastScan.get(client) ?? 0;
  const startedAt = Date.now();
  const query = since ? `ExecutionStatus = "Running" OR CloseTime >= "${new Date(since - 5000).toISOString()}"` : '';
  for await (const wf of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    for (const e of history.events ?? []) {
      const a = e.workflowTaskFailedEventAttributes;
      if (!a || BENIGN_CAUSES.has(Number(a.cause ?? 0))) continue;
      const key = `${wf.runId}#${String(e.eventId)}`;
      if (state.reported.has(key)) continue;
      state.reported.add(key);
      add({
        source: 'history',
        workflowId: wf.workflowId,
        runId: wf.runId,
        message: `event ${String(e.eventId)} WORKFLOW_TASK_FAILED (cause ${String(a.cause)}): ${a.failure?.message ?? ''}`,
      });
    }
  }
  if (state.clients.has(client)) state.lastScan.set(client, startedAt);
}

/**
 * Declares, inside a test, that it expects workflow task failures (`match` picks which) and why. Failures
 * that match are consumed; the test fails if none was seen (an expectation that is never met is a test of nothing).
 */
export function expectWorkflowTaskFailures(reason: string, match: (f: TaskFailure) => boolean = () => true): void {
  state.expected.push({ reason, match, seen: 0 });
}

/** The afterEach check: scans watched histories, then throws on any failure no test expected. */
export async function assertNoUnexpectedTaskFailures(): Promise<void> {
  for (const client of [...state.clients]) {
    let lastErr: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await scanHistories(client);
        lastErr = undefined;
        break;
      } catch (err) {
        lastErr = err; // a server restarted by the test may still be coming up
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (lastErr)
      throw new Error(`could not scan workflow histories for WORKFLOW_TASK_FAILED: ${(lastErr as Error).message}`);
  }
  scanWorkerLogs();
  const found = state.failures.splice(0);
  const expected = state.expected.splice(0);
  const unexpected = found.filter((f) => {
    const e = expected.find((x) => x.match(f));
    if (e) e.seen += 1;
    return !e;
  });
  const unmet = expected.filter((e) => e.seen === 0);
  const problems = [
    ...unexpected.map(
      (f) =>
        `workflow task failed (${f.source}${f.workflowId ? `, ${f.workflowId}` : ''}${f.runId ? ` run ${f.runId}` : ''}): ${f.message}`,
    ),
    ...unmet.map((e) => `expected a workflow task failure (${e.reason}) and saw none`),
  ];
  if (problems.length) throw new Error(problems.join('\n'));
}
