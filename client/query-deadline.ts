// Every workflow query lifeline sends gives up before a dead worker's sticky queue would hand it on.
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
// test/integration/query-fallback.test.ts. Giving up before the sticky timeout ends means the server never
// hands our queries on: the caller retries (HTTP 503), and the retry is answered by the workflow task itself.
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';

const QUERY_METHOD = '/temporal.api.workflowservice.v1.WorkflowService/QueryWorkflow';

/** The query deadline for workers whose sticky queue times out after `stickyQueueTimeoutMs`: a second earlier. */
export function queryDeadlineMs(stickyQueueTimeoutMs: number): number {
  return Math.max(500, stickyQueueTimeoutMs - 1000);
}

/** A gRPC interceptor that bounds every QueryWorkflow call by `ms` (a shorter deadline the caller set stays). */
export function queryDeadlineInterceptor(ms: number): Interceptor {
  return (options, nextCall) => {
    if (options.method_definition.path !== QUERY_METHOD) return new InterceptingCall(nextCall(options));
    const callerDeadline = options.deadline === undefined ? Infinity : new Date(options.deadline).getTime();
    const deadline = Math.min(callerDeadline, Date.now() + ms);
    return new InterceptingCall(nextCall({ ...options, deadline }));
  };
}
