// One probe of a provider: the cheap metadata call, or a 1-token inference call on one model, per
// provider kind (probe-requests.ts); timed per phase (probe-timing.ts), classified by the body-aware
// taxonomy in domain/, with the rate-limit headers kept. Credentials (keys, SigV4, OAuth tokens) are read
// from the environment here, at the edge, so they never enter workflow history; credentials that cannot
// be used (unset, unreadable, refused by Google's token endpoint) are an `auth` failure of the probe.
import { request, type Dispatcher } from 'undici';
import type { FailureCategory, ProbeObservation } from '../domain/classify';
import { categoryOfCause, errorDetails, probeCause, type ProbeCause } from '../domain/causes';
import { parseRateLimitHeaders, type RateLimitInfo } from '../domain/ratelimit';
import type { ProviderConfig } from '../config/schema';
import { authorizeRequest, CredentialError } from './cloud-auth/authorize';
import type { GoogleTokenCache } from './cloud-auth/google-token';
import { endpointBaseUrl, probeRequest, type ProbeType } from './probe-requests';
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
  opts: {
    env?: NodeJS.ProcessEnv;
    useBackupKey?: boolean;
    signal?: AbortSignal;
    type?: ProbeType;
    model?: string;
    googleTokens?: GoogleTokenCache;
    /** The probe loop's shared, bounded pool (probe-agents.ts); without it a one-shot agent times every phase. */
    dispatcher?: Dispatcher;
  } = {},
): Promise<ProbeResult> {
  const type = opts.type ?? 'metadata';
  const req = probeRequest(p, type, opts.model);
  const url = endpointBaseUrl(p, baseUrl, req.endpoint).replace(/\/$/, '') + req.path;
  const at = new Date().toISOString();
  const base = { type, ...(opts.model ? { model: opts.model } : {}), at };
  // Authenticate before the clock starts: a (cached, rarely needed) token mint is not provider latency.
  let headers: Record<string, string>;
  try {
    headers = await authorizeRequest(p, { method: req.method, url, headers: req.headers, body: req.body }, opts);
  } catch (err) {
    // A probe never throws (the monitor loop fires probes without awaiting them): a signer that fails
    // for any reason is still credentials lifeline cannot use.
    const e =
      err instanceof CredentialError
        ? err
        : new CredentialError('credentials_unusable', `cannot authenticate: ${(err as Error).message}`);
    return credentialFailure(e, { ...base, timings: {} });
  }
  const timeout = AbortSignal.timeout(p.probe.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  // A pooled probe may reuse a warm socket: it reports time to first byte and total, not connect phases.
  const { agent, timings, started } = opts.dispatcher
    ? { agent: undefined, timings: {} as PhaseTimings, started: performance.now() }
    : timedAgent(p.probe.timeoutMs);
  try {
    const res = await request(url, {
      method: req.method,
      headers,
      body: req.body,
      signal,
      dispatcher: agent ?? opts.dispatcher,
      headersTimeout: p.probe.timeoutMs,
      bodyTimeout: p.probe.timeoutMs,
    });
    markTtfb(timings, started);
    const text = await readCapped(res.body);
    markTotal(timings, started);
    const resHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') resHeaders[k.toLowerCase()] = v;
    const rateLimit = Object.fromEntries(Object.entries(resHeaders).filter(([k]) => RATE_LIMIT_HEADER.test(k)));
    const ok = res.statusCode < 400;
    const obs: ProbeObservation = {
      ok,
      status: res.statusCode,
      latencyMs: Math.round(timings.totalMs ?? 0),
      ...(ok ? {} : errorDetails(parseJson(text), resHeaders)),
    };
    const cause = probeCause(obs, p.probe.timeoutMs);
    return {
      ...obs,
      ...base,
      timings,
      cause,
      category: categoryOfCause(cause),
      rateLimit,
      rateLimitInfo: parseRateLimitHeaders(resHeaders, Date.parse(at)),
    };
  } catch (err) {
    markTotal(timings, started);
    const e = err as { code?: unknown; name?: string; message?: string; cause?: { code?: unknown } };
    // AbortSignal.timeout rejects with a DOMException whose numeric `code` means nothing here.
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const aborted = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'ETIMEDOUT' : undefined;
    const errorCode = str(e.cause?.code) ?? aborted ?? str(e.code) ?? 'UNKNOWN';
    const obs: ProbeObservation = {
      ok: false,
      errorCode,
      message: e.message,
      latencyMs: Math.round(timings.totalMs ?? 0),
    };
    const cause = probeCause(obs);
    // An error we cannot name is still a failure to reach the provider.
    return {
      ...obs,
      ...base,
      timings,
      cause,
      category: categoryOfCause(cause) === 'unknown' ? 'network' : categoryOfCause(cause),
    };
  } finally {
    agent?.destroy().catch(() => undefined);
  }
}

/** The provider was never asked: lifeline could not authenticate (no HTTP status, no network error). */
function credentialFailure(
  err: CredentialError,
  base: Pick<ProbeResult, 'type' | 'model' | 'at' | 'timings'>,
): ProbeResult {
  return {
    ok: false,
    errorType: err.reason,
    message: err.message,
    latencyMs: 0,
    ...base,
    cause: 'auth',
    category: 'authentication',
  };
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
