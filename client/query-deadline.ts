// Every workflow query lifeline sends is made of attempts that each give up before a dead worker's sticky
// queue would hand the query on.
//
// Why: a query sent while no workflow task is pending goes to the sticky queue of the worker that last ran
// the workflow. If that worker died (kill -9, OOM, lost host), the server waits the sticky schedule-to-start
// timeout, clears the stickiness and, if the caller is still waiting, sends the query to another worker with
// the history *as it is then*. Events that arrived in between (a signal, an activity result) are still
// waiting for their own workflow task on the dead worker's queue, but that worker applies them to answer the
// query and keeps the result in its cache. An update sent on the strength of that answer rides the next
// workflow task, whose commands then come out in an order no replay reproduces: the history is recorded fine,
// and the first replay (another worker, a query after an eviction) fails with "[TMPRL1100] Nondeterminism
// error: Update machine does not handle this event", and the workflow stops for good. Seen in the cluster
// kill test (an operator's resolve sent right after a worker crash); reproduced by
// test/integration/query-fallback.test.ts.
//
// An attempt that gives up before the sticky timeout ends is never handed on (the server checks the
// caller's deadline first). The next attempt finds the stickiness cleared: with a workflow task pending it
// is answered by that task, in history order; with none pending there are no unprocessed events to apply.
// So a query with a caller's deadline is retried on DEADLINE_EXCEEDED, each attempt bounded, until that
// deadline (at most QUERY_BUDGET_MS): a busy workflow still gets its answer, only never from uncommitted
// events. A query without one is a single bounded attempt.
import { status, type Interceptor } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type GrpcRetryOptions } from '@temporalio/client';

const QUERY_METHOD = '/temporal.api.workflowservice.v1.WorkflowService/QueryWorkflow';
/** The longest a query's attempts go on, whatever deadline its caller set. */
export const QUERY_BUDGET_MS = 30_000;

/** The query attempt deadline for workers whose sticky queue times out after `stickyQueueTimeoutMs`: a second earlier. */
export function queryDeadlineMs(stickyQueueTimeoutMs: number): number {
  return Math.max(500, stickyQueueTimeoutMs - 1000);
}

/** The retry policy of one query: the SDK's, plus "an attempt ran out of time" while the budget lasts. */
export function queryRetryOptions(budgetEnd: number, now: () => number = Date.now): GrpcRetryOptions {
  const base = defaultGrpcRetryOptions();
  return {
    delayFunction: (attempt, s) => (s.code === status.DEADLINE_EXCEEDED ? 0 : base.delayFunction(attempt, s)),
    retryableDecider: (attempt, s) =>
      s.code === status.DEADLINE_EXCEEDED ? now() < budgetEnd - 50 : base.retryableDecider(attempt, s),
  };
}

/**
 * The client's gRPC interceptors: the SDK's retry interceptor for every call, and for QueryWorkflow one
 * that also retries an attempt that ran out of time, each attempt bounded by `attemptMs`.
 */
export function temporalClientInterceptors(attemptMs: number, budgetMs = QUERY_BUDGET_MS): Interceptor[] {
  const plain = makeGrpcRetryInterceptor(defaultGrpcRetryOptions());
  return [
    (options, nextCall) => {
      if (options.method_definition.path !== QUERY_METHOD) return plain(options, nextCall);
      // Attempts are re-sent only within a deadline the caller set: a retried attempt is a new call that the
      // caller's cancellation (an activity being cancelled at worker shutdown) does not reach, so without
      // one the query is a single bounded attempt.
      const callerDeadline = options.deadline === undefined ? undefined : new Date(options.deadline).getTime();
      const budgetEnd =
        callerDeadline === undefined ? Date.now() + attemptMs : Math.min(callerDeadline, Date.now() + budgetMs);
      const attempts = makeGrpcRetryInterceptor(queryRetryOptions(budgetEnd));
      return attempts(options, (o) => nextCall({ ...o, deadline: Math.min(budgetEnd, Date.now() + attemptMs) }));
    },
  ];
}
