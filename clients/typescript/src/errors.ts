import type { Route } from './types';

/** The route is in emergency mode (no healthy provider), or every provider is down: serve from cache/static. */
export class RouteEmergencyError extends Error {
  constructor(readonly route: Route | null) {
    super(
      route
        ? `chain ${route.id} is in emergency mode: use the cache/static tier`
        : 'no route known: use the cache/static tier',
    );
    this.name = 'RouteEmergencyError';
  }
}

export interface AttemptRecord {
  provider: string;
  trial: boolean;
  ok: boolean;
  status?: number;
  errorType?: string;
  latencyMs: number;
  error?: unknown;
}

/** Every attempt of one call failed (bounded by maxAttempts and the providers available). */
export class AllAttemptsFailedError extends Error {
  constructor(
    readonly attempts: AttemptRecord[],
    readonly lastError: unknown,
  ) {
    super(
      `all ${attempts.length} attempt(s) failed: ${attempts.map((a) => `${a.provider} ${a.status ?? a.errorType}`).join(', ')}`,
    );
    this.name = 'AllAttemptsFailedError';
  }
}
