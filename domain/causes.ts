// The fine-grained cause of one probe outcome, per PROVIDERS.md: what exactly failed (rate limit vs
// exhausted quota vs billing, 529 overload vs throttling, DNS vs TCP vs TLS vs timeout, ...). The coarser
// FailureCategory (domain/classify.ts) used by diagnosis and alerts is derived from it.
import type { FailureCategory, ProbeObservation } from './classify';

export const PROBE_CAUSES = [
  'ok',
  'slow',
  'dns',
  'tcp',
  'tls',
  'connection_reset',
  'timeout',
  'auth',
  'permission',
  'rate_limit',
  'throttling',
  'quota',
  'billing',
  'overloaded',
  'server_error',
  'model_missing',
  'bad_request',
  'unknown',
] as const;
export type ProbeCause = (typeof PROBE_CAUSES)[number];

/** What a probe saw (the same observation the failure categories are read from). */
export type CauseInput = ProbeObservation;

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME']);
const TCP = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR',
]);
const isTls = (code: string) => /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code);

// Order matters: billing before quota (Anthropic's 402 says "credit balance"), quota before rate limit
// (Gemini's quota 429 also says RESOURCE_EXHAUSTED).
const BILLING = ['billing_error', 'credit_balance', 'payment'];
const QUOTA = [
  'insufficient_quota',
  'spend_limit',
  'exceeded your current quota',
  'servicequotaexceeded',
  'quota exceeded',
  'perday',
];
const OVERLOAD = ['overloaded', 'modelnotready'];
// AWS answers 403 both for credentials it does not accept (authentication) and for an IAM policy that
// denies the call (AccessDeniedException: permission); these types are the former.
const AWS_AUTH = [
  'unrecognizedclientexception',
  'invalidsignatureexception',
  'signaturedoesnotmatch',
  'expiredtokenexception',
  'incompletesignatureexception',
  'missingauthenticationtokenexception',
  'invalidclienttokenid',
];
const THROTTLE = ['throttlingexception', 'throttled', 'too many requests'];
const MODEL = [
  'model_not_found',
  'not_found_error',
  'resourcenotfound',
  'deploymentnotfound',
  'not_found',
  'does not exist',
];

export function probeCause(o: CauseInput, slowMs = 3000): ProbeCause {
  if (o.ok) return o.latencyMs > slowMs ? 'slow' : 'ok';
  if (o.errorCode) {
    const c = o.errorCode;
    if (DNS.has(c)) return 'dns';
    if (TCP.has(c)) return 'tcp';
    if (isTls(c)) return 'tls';
    if (TIMEOUT.has(c)) return 'timeout';
    if (RESET.has(c)) return 'connection_reset';
    return 'unknown';
  }
  const text = `${o.errorType ?? ''} ${o.message ?? ''}`.toLowerCase();
  const has = (words: string[]) => words.some((w) => text.includes(w));
  const status = o.status ?? 0;
  if (status === 402 || has(BILLING)) return 'billing';
  if (has(QUOTA)) return 'quota';
  if (status === 401 || text.includes('unauthenticated') || text.includes('authentication_error') || has(AWS_AUTH))
    return 'auth';
  if (status === 403) return 'permission';
  if (status === 529 || has(OVERLOAD)) return 'overloaded';
  if (status === 404 || has(MODEL)) return 'model_missing';
  if (has(THROTTLE)) return 'throttling';
  if (status === 429) return 'rate_limit';
  if (status === 408 || status === 504 || text.includes('deadline_exceeded') || text.includes('timeout'))
    return 'timeout';
  // Bedrock's 424 ModelErrorException is the model failing server-side.
  if (status >= 500 || status === 424) return 'server_error';
  if (status >= 400) return 'bad_request';
  return 'unknown';
}

const CATEGORY: Record<ProbeCause, FailureCategory | null> = {
  ok: null,
  slow: 'latency',
  dns: 'network',
  tcp: 'network',
  tls: 'network',
  connection_reset: 'network',
  timeout: 'latency',
  auth: 'authentication',
  permission: 'authentication',
  rate_limit: 'rate_limit',
  throttling: 'rate_limit',
  quota: 'quota_exceeded',
  billing: 'quota_exceeded',
  overloaded: 'overloaded',
  server_error: 'provider_outage',
  model_missing: 'model_unavailable',
  bad_request: 'unknown',
  unknown: 'unknown',
};

export function categoryOfCause(c: ProbeCause): FailureCategory | null {
  return CATEGORY[c];
}

/** Whether retrying soon can help (rate limits and overload clear; quota, billing and auth do not). */
export function isRetryable(c: ProbeCause): boolean {
  return [
    'slow',
    'dns',
    'tcp',
    'connection_reset',
    'timeout',
    'rate_limit',
    'throttling',
    'overloaded',
    'server_error',
  ].includes(c);
}

/**
 * The provider's error type/code/status and message from a response, whatever its dialect: OpenAI and
 * Azure `{error:{type,code,message}}`, Anthropic `{type:"error",error:{type,message}}`, google.rpc
 * `{error:{code,status,message,details}}` (with ErrorInfo reasons and quota metadata), Bedrock
 * `{message}` with the type in `x-amzn-errortype` (or `__type`).
 */
export function errorDetails(
  body: unknown,
  headers: Record<string, string> = {},
): { errorType?: string; message?: string } {
  const parts: string[] = [];
  let message: string | undefined;
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const err = b.error && typeof b.error === 'object' ? (b.error as Record<string, unknown>) : undefined;
  if (err) {
    for (const k of ['type', 'code', 'status']) if (typeof err[k] === 'string') parts.push(err[k] as string);
    if (typeof err.message === 'string') message = err.message;
    if (Array.isArray(err.details)) {
      for (const d of err.details) {
        const det = d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
        if (typeof det.reason === 'string') parts.push(det.reason);
        const meta = det.metadata && typeof det.metadata === 'object' ? (det.metadata as Record<string, unknown>) : {};
        if (typeof meta.quota_limit === 'string') parts.push(meta.quota_limit);
      }
    }
  } else if (typeof b.error === 'string') {
    message = b.error;
  }
  const amzn = headers['x-amzn-errortype'] ?? (typeof b.__type === 'string' ? b.__type : undefined);
  if (amzn) parts.push(amzn.split(':')[0].split('#').pop()!);
  if (!message && typeof b.message === 'string') message = b.message;
  if (!message && typeof b.Message === 'string') message = b.Message;
  return { ...(parts.length ? { errorType: parts.join('/').toLowerCase() } : {}), ...(message ? { message } : {}) };
}
