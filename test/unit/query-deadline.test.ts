// Workflow queries give up a second before the workers' sticky queue timeout (client/query-deadline.ts).
import type { Interceptor } from '@grpc/grpc-js';
import { queryDeadlineInterceptor, queryDeadlineMs } from '../../client/query-deadline';

const QUERY = '/temporal.api.workflowservice.v1.WorkflowService/QueryWorkflow';
const SIGNAL = '/temporal.api.workflowservice.v1.WorkflowService/SignalWorkflowExecution';

/** The deadline the next interceptor (and so the wire) sees for a call to `path`. */
function deadlineSent(interceptor: Interceptor, path: string, callerDeadline?: number): number | undefined {
  let seen: unknown = 'not called';
  const options = {
    method_definition: { path },
    ...(callerDeadline !== undefined ? { deadline: callerDeadline } : {}),
  };
  interceptor(options as never, (o) => {
    seen = o.deadline;
    return {} as ReturnType<Parameters<Interceptor>[1]>;
  });
  return seen === undefined ? undefined : new Date(seen as number).getTime();
}

test('a query gets the deadline; a shorter one the caller set stays; other calls are untouched', () => {
  const before = Date.now();
  const sent = deadlineSent(queryDeadlineInterceptor(2000), QUERY)!;
  expect(sent).toBeGreaterThanOrEqual(before + 2000);
  expect(sent).toBeLessThanOrEqual(Date.now() + 2000);
  const soon = Date.now() + 300;
  expect(deadlineSent(queryDeadlineInterceptor(2000), QUERY, soon)).toBe(soon);
  const later = Date.now() + 60_000;
  expect(deadlineSent(queryDeadlineInterceptor(2000), QUERY, later)).toBeLessThan(later);
  expect(deadlineSent(queryDeadlineInterceptor(2000), SIGNAL)).toBeUndefined();
  expect(deadlineSent(queryDeadlineInterceptor(2000), SIGNAL, later)).toBe(later);
});

test('the deadline is a second under the sticky queue timeout, never under half a second', () => {
  expect(queryDeadlineMs(3000)).toBe(2000);
  expect(queryDeadlineMs(10_000)).toBe(9000);
  expect(queryDeadlineMs(1000)).toBe(500);
});
