// routePublisherWorkflow: one per chain and external route target (`publish-<chain>-<target>`), so a target
// that is down never holds up routing and still receives the current route when it comes back.
// The publishRoute activity signal-with-starts it with every new route version. It publishes the newest
// version through an activity that Temporal retries without limit (each attempt bounded); a newer version
// arriving meanwhile cancels the attempt and replaces it (latest wins). Cancellation waits for a running
// attempt to settle, so at most one publication per target is ever in flight and a target never receives
// an older version after a newer one.
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RoutePublishActivities } from '../activities/types';
import { isNewerRoute } from '../domain/route-order';
import {
  publishRouteSignal,
  routePublisherStateQuery,
  type RoutePublisherInput,
  type RoutePublisherState,
  type RouteState,
} from './messages';

/** History events before continuing as new (a publication costs about ten). */
const HISTORY_LIMIT = 2_000;

export async function routePublisherWorkflow(input: RoutePublisherInput): Promise<void> {
  const { chain, target, retry } = input;
  const { publishRouteToTarget } = proxyActivities<RoutePublishActivities>({
    startToCloseTimeout: retry.attemptTimeoutMs,
    // No maximumAttempts and no schedule-to-close: a target is retried until it takes the route or a newer
    // version replaces this one.
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maximumIntervalMs,
    },
    // Cancelling (superseded) waits for a running attempt to finish, so two versions never race to the target.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });

  let latest: RouteState | undefined = input.latest;
  const state: RoutePublisherState = {
    chain,
    target,
    latestVersion: latest?.version ?? null,
    publishedVersion: input.publishedVersion ?? 0,
    publishedAt: input.publishedAt ?? null,
    superseded: 0,
    failed: 0,
    lastError: null,
  };
  /** The version whose fate is settled (delivered, or failed for good): nothing to do until a newer one. */
  let settled: RouteState | undefined =
    input.publishedVersion && latest?.version === input.publishedVersion ? latest : undefined;

  setHandler(publishRouteSignal, (route) => {
    if (route.id !== chain || !isNewerRoute(route, latest)) return; // a late copy of an older change
    latest = route;
    state.latestVersion = route.version;
  });
  setHandler(routePublisherStateQuery, () => ({ ...state }));

  const pending = () => latest !== undefined && latest !== settled;
  const historyFull = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (input.historyLimit ?? HISTORY_LIMIT);

  for (;;) {
    await condition(() => pending() || historyFull());
    if (!pending()) break; // idle and history long: roll over below
    const route = latest!;
    const attempt = new CancellationScope();
    const watch = new CancellationScope();
    // A newer version cancels this publication; the watcher itself is cancelled once the attempt settles.
    void watch
      .run(() => condition(() => latest !== route))
      .then(
        () => attempt.cancel(),
        () => undefined,
      );
    try {
      await attempt.run(() => publishRouteToTarget({ chain, target, route }));
      state.publishedVersion = route.version;
      state.publishedAt = route.updatedAt;
      state.lastError = null;
      settled = route;
    } catch (err) {
      if (isCancellation(err) && latest !== route) {
        state.superseded += 1; // the newer version is published next
      } else if (isCancellation(err)) {
        throw err; // the workflow itself is being cancelled
      } else {
        // Only a non-retryable failure gets here (retries are unlimited): wait for the next version.
        state.failed += 1;
        const cause = (err as Error).cause;
        state.lastError = cause instanceof Error ? cause.message : (err as Error).message;
        log.warn('route publication failed for good', {
          chain,
          target,
          version: route.version,
          error: state.lastError,
        });
        settled = route;
      }
    } finally {
      watch.cancel();
    }
    if (historyFull()) break;
  }
  await continueAsNew<typeof routePublisherWorkflow>({
    chain,
    target,
    retry,
    ...(input.historyLimit ? { historyLimit: input.historyLimit } : {}),
    ...(latest ? { latest } : {}),
    publishedVersion: state.publishedVersion,
    ...(state.publishedAt ? { publishedAt: state.publishedAt } : {}),
  });
}
