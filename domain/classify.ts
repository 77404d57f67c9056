// Body-aware classification of a provider response or client-side error into a root-cause category.
// The HTTP status alone cannot tell a rate limit from an exhausted quota (both 429): read the body.

export type FailureCategory =
  | 'network'
  | 'authentication'
  | 'rate_limit'
  | 'quota_exceeded'
  | 'provider_outage'
  | 'overloaded'
  | 'latency'
  | 'model_unavailable'
  | 'unknown';

export interface ProbeObservation {
  ok: boolean;
  status?: number;
  /** Client-side error code (undici/Node), e.g. ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT. */
  errorCode?: string;
  /** Provider error type/code/status strings pulled from the body, lower-cased. */
  errorType?: string;
  message?: string;
  latencyMs: number;
}

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UND_ERR_SOCKET',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR',
]);
const QUOTA_MARKERS = [
  'insufficient_quota',
  'credit_balance',
  'spend_limit',
  'billing',
  'exceeded your current quota',
  'servicequotaexceeded',
];
const OVERLOAD_MARKERS = ['overloaded', 'modelnotready'];

/** Pulls the provider's error type/code out of OpenAI, Anthropic or google.rpc bodies. */
export function errorTypeFromBody(body: unknown): { errorType?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const err = (body as { error?: unknown }).error;
  if (!err || typeof err !== 'object') return {};
  const e = err as Record<string, unknown>;
  const parts = [e.type, e.code, e.status].filter((v): v is string => typeof v === 'string');
  return {
    errorType: parts.length ? parts.join('/').toLowerCase() : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
  };
}

export function classifyObservation(o: ProbeObservation, latencyThresholdMs = 3000): FailureCategory | null {
  if (o.ok) return o.latencyMs > latencyThresholdMs ? 'latency' : null;
  if (o.errorCode) {
    if (TIMEOUT_CODES.has(o.errorCode)) return 'latency';
    if (NETWORK_CODES.has(o.errorCode)) return 'network';
    return 'network';
  }
  const text = `${o.errorType ?? ''} ${o.message ?? ''}`.toLowerCase();
  const status = o.status ?? 0;
  if (QUOTA_MARKERS.some((m) => text.includes(m)) || status === 402) return 'quota_exceeded';
  if (status === 401 || status === 403) return 'authentication';
  if (status === 404) return 'model_unavailable';
  if (status === 529 || OVERLOAD_MARKERS.some((m) => text.includes(m))) return 'overloaded';
  if (status === 429) return 'rate_limit';
  if (status === 408 || status === 504) return 'latency';
  if (status >= 500) return 'provider_outage';
  return 'unknown';
}

/** Human-facing recommendations per root cause (the runbook's diagnostic checklist, reworded). */
export const RECOMMENDATIONS: Record<FailureCategory, string[]> = {
  network: [
    'Check DNS resolution and firewall rules towards the provider',
    'Try the backup endpoint',
    'Fail over while connectivity is restored',
  ],
  authentication: ['Rotate or restore the API key', 'Check the key permissions and region', 'Switch to the backup key'],
  rate_limit: [
    'Throttle or queue requests',
    'Use an additional API key or raise the limit',
    'Shift load to another provider',
  ],
  quota_exceeded: [
    'Top up credits or raise the spend limit',
    'Move to a cheaper model',
    'Fail over until quota resets',
  ],
  provider_outage: [
    'Follow the provider status page',
    'Keep traffic on the failover chain until recovery is confirmed',
  ],
  overloaded: ['Retry with backoff', 'Shift load to another provider until capacity returns'],
  latency: ['Check provider latency and timeouts', 'Shift latency-sensitive traffic to a faster provider'],
  model_unavailable: ['Check the model name and deployment', 'Route to an alternative model'],
  unknown: ['Inspect recent error samples', 'Fail over while investigating'],
};

/** The alert kind a probe failure of this category is reported as. */
export function alertKindFor(
  category: FailureCategory | null,
): 'outage' | 'rate_limit' | 'quota' | 'auth' | 'latency' | 'model' {
  switch (category) {
    case 'rate_limit':
      return 'rate_limit';
    case 'quota_exceeded':
      return 'quota';
    case 'authentication':
      return 'auth';
    case 'latency':
      return 'latency';
    case 'model_unavailable':
      return 'model';
    default:
      return 'outage';
  }
}
