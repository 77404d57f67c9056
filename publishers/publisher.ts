// The contract every external route target implements, and the definition a publisher file exports:
// its section under `publishers:`, the secrets it reads and how to build it. publishers/index.ts lists
// the definitions; the config schema and the durable publishing (one routePublisherWorkflow per chain
// and target) derive from that list.
import type { z } from 'zod';
import type { RouteState } from '../workflows/messages';

export interface RoutePublisher {
  name: string;
  /** One attempt; `signal` aborts it (the activity was cancelled or timed out). */
  publish(route: RouteState, signal?: AbortSignal): Promise<void>;
}

/** One HTTP request of a publication: at most 5 s, and aborted with the attempt. */
export function requestSignal(signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(5_000);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

export interface PublisherDefinition<K extends string = string, S extends z.ZodType = z.ZodType> {
  /** The target's name (`publish-<chain>-<name>` workflows) and its section under `publishers:`. */
  name: K;
  /** The section's schema, `.optional()`: absent means "not configured". */
  configSchema: S;
  /** Secrets it reads, as [config path, environment variable name]. */
  secretEnvs(cfg: z.output<S>): [string, string][];
  /** The publisher, or null when not configured. */
  create(cfg: z.output<S>, env?: NodeJS.ProcessEnv): RoutePublisher | null;
}

export function definePublisher<K extends string, S extends z.ZodType>(
  def: PublisherDefinition<K, S>,
): PublisherDefinition<K, S> {
  return def;
}
