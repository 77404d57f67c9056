// Every Temporal client call an activity makes (signal-with-start, route updates, history fetches) follows
// that activity's cancellation. Without this an activity blocked in `executeUpdate` on the routing workflow
// cannot finish while its own worker shuts down (the update needs a workflow task that worker no longer
// polls for), so the worker never drains. One interceptor instead of a signal threaded through each call.
import type { Client } from '@temporalio/client';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export function clientCallsFollowCancellation(client: Client): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      execute: (input, next) => client.withAbortSignal(ctx.cancellationSignal, () => next(input)),
    },
  });
}
