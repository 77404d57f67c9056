// One probe of a provider: the cheap metadata call (GET /v1/models), timed and classified.
// Keys are read from the environment here, at the edge, so they never enter workflow history.
import { request } from 'undici';
import { classifyObservation, errorTypeFromBody, type FailureCategory, type ProbeObservation } from '../domain/classify';
import type { ProviderConfig } from '../config/schema';
import { readSecret } from '../config/load';

export interface ProbeResult extends ProbeObservation {
  category: FailureCategory | null;
  rateLimit?: Record<string, string>;
  at: string;
}

export function authHeaders(p: ProviderConfig, key: string | undefined): Record<string, string> {
  if (!key) return {};
  if (p.kind === 'anthropic') return { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
  if (p.kind === 'azure-openai') return { 'api-key': key };
  return { authorization: `Bearer ${key}` };
}

function probePath(p: ProviderConfig): string {
  // Bedrock and Vertex probes (ListFoundationModels / countTokens) need signed requests: not yet built,
  // so those kinds are probed for reachability of their base URL only.
  return p.kind === 'bedrock' || p.kind === 'vertex' ? '/' : '/v1/models';
}

const RATE_LIMIT_HEADER = /^(x-ratelimit-|anthropic-ratelimit-|retry-after)/;

export async function probeProvider(
  p: ProviderConfig,
  baseUrl: string,
  opts: { env?: NodeJS.ProcessEnv; useBackupKey?: boolean; signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  const key = readSecret(opts.useBackupKey ? p.backupApiKeyEnv : p.apiKeyEnv, opts.env);
  const started = performance.now();
  const at = new Date().toISOString();
  const timeout = AbortSignal.timeout(p.probe.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    const res = await request(baseUrl.replace(/\/$/, '') + probePath(p), {
      method: 'GET',
      headers: { accept: 'application/json', ...authHeaders(p, key) },
      signal,
      headersTimeout: p.probe.timeoutMs,
      bodyTimeout: p.probe.timeoutMs,
    });
    const text = await res.body.text();
    const latencyMs = Math.round(performance.now() - started);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const rateLimit: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (RATE_LIMIT_HEADER.test(k) && typeof v === 'string') rateLimit[k] = v;
    }
    const ok = res.statusCode < 400 && !(probePath(p) === '/' && res.statusCode >= 500);
    const obs: ProbeObservation = { ok, status: res.statusCode, latencyMs, ...(ok ? {} : errorTypeFromBody(body)) };
    return { ...obs, category: classifyObservation(obs, p.probe.timeoutMs), rateLimit, at };
  } catch (err) {
    const latencyMs = Math.round(performance.now() - started);
    const e = err as { code?: unknown; name?: string; message?: string; cause?: { code?: unknown } };
    // An AbortSignal.timeout() abort is a DOMException whose numeric `code` (23) is no error code.
    const named = (c: unknown) => (typeof c === 'string' ? c : undefined);
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    const errorCode = (timedOut ? 'ETIMEDOUT' : undefined) ?? named(e.code) ?? named(e.cause?.code) ?? 'UNKNOWN';
    const obs: ProbeObservation = { ok: false, errorCode, message: e.message, latencyMs };
    return { ...obs, category: classifyObservation(obs), at };
  }
}
