// Messages of routePublisherWorkflow (re-exported by messages.ts, the door into workflows/).
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RouteState } from './messages';

/** One durable publisher per chain and external target (webhook, litellm): the latest route wins. */
export const routePublisherWorkflowId = (chain: string, target: string) => `publish-${chain}-${target}`;

export interface RoutePublisherInput {
  chain: string;
  target: string;
  /** Retry of a refused publication (publishers.retry). */
  retry: { initialIntervalMs: number; maximumIntervalMs: number; attemptTimeoutMs: number };
  /** Carried over continue-as-new: the newest route seen, and the version the target has. */
  latest?: RouteState;
  publishedVersion?: number;
  publishedAt?: string;
  /** History events before continuing as new (default 2,000; tests lower it). */
  historyLimit?: number;
}

export interface RoutePublisherState {
  chain: string;
  target: string;
  /** Newest route version handed to this publisher. */
  latestVersion: number | null;
  /** Version the target last accepted (0: none yet in this publisher's memory). */
  publishedVersion: number;
  publishedAt: string | null;
  /** Versions dropped because a newer one arrived before they were delivered. */
  superseded: number;
  /** Versions that failed for good (non-retryable); the next version is tried again. */
  failed: number;
  lastError: string | null;
}

export const publishRouteSignal = defineSignal<[RouteState]>('publishRoute');
export const routePublisherStateQuery = defineQuery<RoutePublisherState>('routePublisherState');
