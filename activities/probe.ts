// One probe of a provider: the cheap metadata call, or a 1-token inference call on one model, per
// provider kind (probe-requests.ts); timed per phase (probe-timing.ts), classified by the body-aware
// taxonomy in domain/, with the rate-limit headers kept. Keys are read from the environment here, at the
// edge, so they never enter workflow history.
import { request } from 'undici';
import type { FailureCategory, ProbeObservation } from '../domain/classify';
import { categoryOfCause, errorDetails, probeCause, type ProbeCause } from '../domain/causes';
import { parseRateLimitHeaders, type RateLimitInfo } from '../domain/ratelimit';
import type { ProviderConfig } from '../config/schema';
import { readSecret } from '../config/load';
import { probeRequest, type ProbeType } from './probe-requests';
import { markTotal, markTtfb, timedAgent, type PhaseTimings } from './probe-timing';

export interface ProbeResult extends ProbeObservation {
  category: FailureCategory | null;
  cause: ProbeCause;
  type: ProbeType;
  model?: string;
  /** Rate-limit and retry headers as sent (names lower-cased). */
  rateLimit?: Record<string, string>;
  rateLimitInfo?: RateLimitInfo;
  timings: PhaseTimings;
  at: string;
}

// Request headers carrying the key, per provider dialect (diagnostics reuse them).
export { authHeaders } from './probe-requests';

const RATE_LIMIT_HEADER = /^(x-ratelimit-|anthropic-ratelimit-|retry-after|x-request-id$|request-id$)/;
const MAX_BODY = 64 * 1024; // an error body is small; never buffer a huge one

export async function probeProvider(
  p: ProviderConfig,
  baseUrl: string,
  opts: { env?: NodeJS.ProcessEnv; useBackupKey?: boolean; signal?: AbortSignal; type?: ProbeType; model?: string } = {},
): Promise<ProbeResult> {
  const type = opts.type ?? 'metadata';
  const key = readSecret(opts.useBackupKey ? p.backupApiKeyEnv : p.apiKeyEnv, opts.env);
  const req = probeRequest(p, type, key, opts.model);
  const at = new Date().toISOString();
  const timeout = AbortSignal.timeout(p.probe.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const { agent, timings, started } = timedAgent(p.probe.timeoutMs);
  const base = { type, ...(opts.model ? { model: opts.model } : {}), at, timings };
  try {
    const res = await request(baseUrl.replace(/\/$/, '') + req.path, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      dispatcher: agent,
      headersTimeout: p.probe.timeoutMs,
      bodyTimeout: p.probe.timeoutMs,
    });
    markTtfb(timings, started);
    const text = await readCapped(res.body);
    markTotal(timings, started);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const rateLimit = Object.fromEntries(Object.entries(headers).filter(([k]) => RATE_LIMIT_HEADER.test(k)));
    const ok = res.statusCode < 400;
    const obs: ProbeObservation = { ok, status: res.statusCode, latencyMs: Math.round(timings.totalMs ?? 0), ...(ok ? {} : errorDetails(parseJson(text), headers)) };
    const cause = probeCause(obs, p.probe.timeoutMs);
    return { ...obs, ...base, cause, category: categoryOfCause(cause), rateLimit, rateLimitInfo: parseRateLimitHeaders(headers, Date.parse(at)) };
  } catch (err) {
    markTotal(timings, started);
    const e = err as { code?: unknown; name?: string; message?: string; cause?: { code?: unknown } };
    // AbortSignal.timeout rejects with a DOMException whose numeric `code` means nothing here.
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const aborted = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'ETIMEDOUT' : undefined;
    const errorCode = str(e.cause?.code) ?? aborted ?? str(e.code) ?? 'UNKNOWN';
    const obs: ProbeObservation = { ok: false, errorCode, message: e.message, latencyMs: Math.round(timings.totalMs ?? 0) };
    const cause = probeCause(obs);
    // An error we cannot name is still a failure to reach the provider.
    return { ...obs, ...base, cause, category: categoryOfCause(cause) === 'unknown' ? 'network' : categoryOfCause(cause) };
  } finally {
    agent.destroy().catch(() => undefined);
  }
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    if (size < MAX_BODY) chunks.push(c);
    size += c.length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
