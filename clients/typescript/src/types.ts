// The wire shapes of lifeline's HTTP contract (route JSON, outcomes), kept here so the package depends on
// nothing of the service. Unknown fields are tolerated; `providers` and `down` may be missing (older server).

export type RouteMode = 'normal' | 'degraded' | 'emergency';

export interface Route {
  id: string;
  /** Chain order, primary first. Older servers omit it: the weights' keys stand in. */
  providers?: string[];
  /** provider → share of traffic, 0-100. */
  weights: Record<string, number>;
  /** `emergency`: no healthy provider; the app should serve from its cache/static tier. */
  mode: RouteMode;
  version: number;
  updatedAt?: string;
  /** provider → recovery actions lifeline suggests (e.g. use_backup_key, throttle). */
  hints?: Record<string, string[]>;
  /** Providers whose breaker lifeline holds open now. */
  down?: string[];
}

export type ErrorType = 'timeout' | 'connection' | 'rate_limit' | 'server_error' | 'client_error' | 'other';

/** One per attempt; a request is lost when its final attempt has ok=false. */
export interface Outcome {
  requestId: string;
  chain?: string;
  provider: string;
  at: string;
  latencyMs: number;
  ok: boolean;
  status?: number;
  errorType?: ErrorType;
  final: boolean;
  trial?: boolean;
}
