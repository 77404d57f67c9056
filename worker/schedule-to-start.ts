// Schedule-to-start latency of every activity attempt, from the SDK's own activity info: the time
// Temporal scheduled the attempt → the time this worker started it. It grows when the worker has no free
// slot (or too few pollers) for a queue — the starvation that lets an incident wait behind probe loops.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { ActivityMetrics } from '../metrics';

export function measureScheduleToStart(
  queue: 'main' | 'probes',
  metrics: ActivityMetrics | undefined,
): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      execute: (input, next) => {
        metrics?.starvation.activityStarted(
          queue,
          ctx.info.activityType,
          Date.now() - ctx.info.currentAttemptScheduledTimestampMs,
        );
        return next(input);
      },
    },
  });
}
