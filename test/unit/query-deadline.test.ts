// Workflow queries are made of attempts that each give up a second before the workers' sticky queue timeout,
// retried while the caller's deadline (or the budget) lasts (client/query-deadline.ts). Driven here through
// the real interceptor chain with a fake transport that answers each attempt as told.
import { Metadata, status, type Interceptor } from '@grpc/grpc-js';
import { queryDeadlineMs, temporalClientInterceptors } from '../../client/query-deadline';

const QUERY = '/temporal.api.workflowservice.v1.WorkflowService/QueryWorkflow';
const SIGNAL = '/temporal.api.workflowservice.v1.WorkflowService/SignalWorkflowExecution';
type Outcome = 'ok' | 'timeout' | 'unavailable';
type Call = ReturnType<Parameters<Interceptor>[1]>;

/** Sends one call through `interceptor`; each attempt ends as `outcomes` says (then 'ok'). */
function send(interceptor: Interceptor, path: string, outcomes: Outcome[], callerDeadline?: number) {
  const deadlines: (number | undefined)[] = [];
  const nextCall = (opts: { deadline?: Date | number }): Call => {
    const outcome = outcomes[deadlines.length] ?? 'ok';
    deadlines.push(opts.deadline === undefined ? undefined : new Date(opts.deadline).getTime());
    let listener: { onReceiveMessage(m: unknown): void; onReceiveStatus(s: unknown): void };
    return {
      start: (_md: Metadata, l: typeof listener) => void (listener = l),
      sendMessageWithContext: () => undefined,
      sendMessage: () => undefined,
      startRead: () => undefined,
      // A timed-out attempt ends at its deadline, as on the wire; the others at once.
      halfClose: () =>
        setTimeout(
          () => {
            // As grpc-js does for a unary call: a null message before a status that came without one.
            listener.onReceiveMessage(outcome === 'ok' ? 'answer' : null);
            const code = { ok: status.OK, timeout: status.DEADLINE_EXCEEDED, unavailable: status.UNAVAILABLE }[outcome];
            listener.onReceiveStatus({ code, details: outcome, metadata: new Metadata() });
          },
          outcome === 'timeout' ? Math.max(0, (deadlines[deadlines.length - 1] ?? Date.now()) - Date.now()) : 0,
        ),
      cancelWithStatus: () => undefined,
      getPeer: () => 'fake',
      getAuthContext: () => null,
    } as unknown as Call;
  };
  const options = {
    method_definition: { path },
    ...(callerDeadline !== undefined ? { deadline: callerDeadline } : {}),
  };
  const call = interceptor(options as never, nextCall as never);
  return new Promise<{ code: number; message?: unknown; deadlines: (number | undefined)[] }>((resolve) => {
    let message: unknown;
    call.start(new Metadata(), {
      onReceiveMetadata: () => undefined,
      onReceiveMessage: (m: unknown) => void (message = m),
      onReceiveStatus: (s: { code: number }) => resolve({ code: s.code, message, deadlines }),
    });
    call.sendMessage('request');
    call.halfClose();
  });
}

test('a query attempt that runs out of time is sent again, each attempt bounded, until one is answered', async () => {
  const [interceptor] = temporalClientInterceptors(100);
  const before = Date.now();
  const r = await send(interceptor, QUERY, ['timeout', 'timeout'], Date.now() + 5000);
  expect(r).toMatchObject({ code: status.OK, message: 'answer' });
  expect(r.deadlines).toHaveLength(3);
  // Each attempt gets its own 100 ms from when it is sent, one after the other.
  expect(r.deadlines[0]! - before).toBeGreaterThanOrEqual(100);
  expect(r.deadlines[1]! - r.deadlines[0]!).toBeGreaterThanOrEqual(100);
  expect(r.deadlines[2]! - r.deadlines[1]!).toBeGreaterThanOrEqual(100);
});

test('without a caller deadline a query is one bounded attempt', async () => {
  const [interceptor] = temporalClientInterceptors(100);
  const before = Date.now();
  const r = await send(interceptor, QUERY, ['timeout', 'timeout']);
  expect(r.code).toBe(status.DEADLINE_EXCEEDED);
  expect(r.deadlines).toHaveLength(1);
  expect(r.deadlines[0]! - before).toBeGreaterThanOrEqual(100);
});

test("no attempt outlives the caller's deadline, and the query stops there", async () => {
  const [interceptor] = temporalClientInterceptors(2000);
  const soon = Date.now() + 300;
  const r = await send(interceptor, QUERY, Array(50).fill('timeout'), soon);
  expect(r.code).toBe(status.DEADLINE_EXCEEDED);
  expect(r.deadlines).toEqual([soon]);
});

test('other calls keep the SDK retry policy: retried when unavailable, never on their own deadline', async () => {
  const [interceptor] = temporalClientInterceptors(2000);
  const later = Date.now() + 60_000;
  const unavailable = await send(interceptor, SIGNAL, ['unavailable'], later);
  expect(unavailable.code).toBe(status.OK);
  expect(unavailable.deadlines).toEqual([later, later]);
  const soon = Date.now() + 200;
  const timedOut = await send(interceptor, SIGNAL, ['timeout'], soon);
  expect(timedOut.code).toBe(status.DEADLINE_EXCEEDED);
  expect(timedOut.deadlines).toEqual([soon]);
});

test('the attempt deadline is a second under the sticky queue timeout, never under half a second', () => {
  expect(queryDeadlineMs(3000)).toBe(2000);
  expect(queryDeadlineMs(10_000)).toBe(9000);
  expect(queryDeadlineMs(1000)).toBe(500);
});
