// What an attempt's result or error means: ok, a failure worth the next provider (connection error, 429,
// 5xx, timeout), or the caller's own problem (4xx, an unknown exception), which no other provider fixes.
import type { ErrorType } from './types';

export interface Verdict {
  ok: boolean;
  retryable: boolean;
  status?: number;
  errorType?: ErrorType;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

export function byStatus(status: number): Verdict {
  if (status === 429) return { ok: false, retryable: true, status, errorType: 'rate_limit' };
  if (status >= 500) return { ok: false, retryable: true, status, errorType: 'server_error' };
  if (status >= 400) return { ok: false, retryable: false, status, errorType: 'client_error' };
  return { ok: true, retryable: false, status };
}

/** A resolved value: a fetch Response (or anything with a numeric `status`) is judged by it. */
export function classifyResult(result: unknown): Verdict {
  const status = (result as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 100 && status < 600
    ? byStatus(status)
    : { ok: true, retryable: false };
}

type ErrorLike = {
  name?: string;
  code?: unknown;
  status?: unknown;
  statusCode?: unknown;
  cause?: unknown;
  message?: string;
};

export function classifyError(err: unknown, timedOut: boolean): Verdict {
  if (timedOut) return { ok: false, retryable: true, errorType: 'timeout' };
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined && status >= 400) return byStatus(status);
  const cause = (e.cause ?? {}) as ErrorLike;
  if (CONNECTION_CODES.has(String(e.code)) || CONNECTION_CODES.has(String(cause.code)))
    return { ok: false, retryable: true, errorType: 'connection' };
  // fetch's network failure, and SDKs' connection errors (e.g. openai's APIConnectionError).
  if ((e.name === 'TypeError' && e.message === 'fetch failed') || /Connection/.test(e.name ?? ''))
    return { ok: false, retryable: true, errorType: /Timeout/.test(e.name ?? '') ? 'timeout' : 'connection' };
  if (e.name === 'TimeoutError' || /Timeout/.test(e.name ?? ''))
    return { ok: false, retryable: true, errorType: 'timeout' };
  return { ok: false, retryable: false, errorType: 'other' };
}
