// API-level checks of the diagnostic checklist: the probe itself, credentials (primary and backup),
// rate limits, quota/billing, model availability and the provider's status page.
import { request } from 'undici';
import { classifyObservation, errorTypeFromBody } from '../../domain/classify';
import { RATE_LIMIT_SHARE_THRESHOLD, rateLimitShare } from '../../domain/diagnosis';
import type { DiagnosticCheck } from '../../domain/incident';
import type { ProviderConfig } from '../../config/schema';
import { authorizeRequest, CredentialError } from '../cloud-auth/authorize';
import type { GoogleTokenCache } from '../cloud-auth/google-token';
import { modelRequestPath } from '../probe-requests';
import type { ProbeResult } from '../probe';

export function describeProbe(r: ProbeResult): string {
  if (r.ok) return `HTTP ${r.status} in ${r.latencyMs} ms`;
  if (r.errorCode) return `${r.errorCode} after ${r.latencyMs} ms`;
  // Credentials lifeline could not use: the provider was never asked.
  if (r.status === undefined) return `${r.errorType ?? 'no answer'}${r.message ? `: ${r.message}` : ''}`;
  return `HTTP ${r.status}${r.errorType ? ` ${r.errorType}` : ''}${r.message ? `: ${r.message}` : ''}`;
}

export function probeCheck(r: ProbeResult): DiagnosticCheck {
  return {
    name: 'api_probe',
    status: r.ok && r.category !== 'latency' ? 'passed' : 'failed',
    detail: describeProbe(r),
    evidence: {
      status: r.status,
      errorCode: r.errorCode,
      errorType: r.errorType,
      category: r.category,
      latencyMs: r.latencyMs,
    },
    ...(r.category ? { suggests: r.category } : {}),
  };
}

const isAuthStatus = (r: ProbeResult) => r.status === 401 || r.status === 403;

/**
 * Primary or backup key: 401/403 fails, and so do cloud credentials lifeline could not use (unset, or
 * refused by the token endpoint: no HTTP status from the provider); an answer that never reached the key
 * check is an error.
 */
export function credentialsCheck(r: ProbeResult, which: 'primary' | 'backup'): DiagnosticCheck {
  const name = `credentials_${which}`;
  if (r.status === undefined && !r.errorCode && r.cause === 'auth') {
    return {
      name,
      status: 'failed',
      detail: `${which} credentials unusable: ${r.message ?? r.errorType}`,
      evidence: { errorType: r.errorType },
      ...(which === 'primary' ? { suggests: 'authentication' as const } : {}),
    };
  }
  if (isAuthStatus(r)) {
    return {
      name,
      status: 'failed',
      detail: `${which} key rejected (HTTP ${r.status})`,
      evidence: { status: r.status, errorType: r.errorType },
      ...(which === 'primary' ? { suggests: 'authentication' as const } : {}),
    };
  }
  if (r.ok || (r.status !== undefined && r.status < 500 && r.status !== 408)) {
    return {
      name,
      status: 'passed',
      detail: `${which} key accepted (HTTP ${r.status})`,
      evidence: { status: r.status },
    };
  }
  return {
    name,
    status: 'error',
    detail: `could not verify the ${which} key: ${describeProbe(r)}`,
    evidence: { status: r.status, errorCode: r.errorCode },
  };
}

export function rateLimitCheck(r: ProbeResult, alertKinds: string[]): DiagnosticCheck {
  const headers = r.rateLimit ?? {};
  const exhausted = Object.entries(headers)
    .filter(([k, v]) => /remaining/.test(k) && Number(v) === 0)
    .map(([k]) => k);
  const share = rateLimitShare(alertKinds);
  const evidence = { headers, recent429Share: Number(share.toFixed(2)), alerts: alertKinds.length };
  const reasons = [
    ...(r.category === 'rate_limit' ? [`HTTP 429 ${r.errorType ?? ''}`.trim()] : []),
    ...(exhausted.length ? [`exhausted: ${exhausted.join(', ')}`] : []),
    ...(share >= RATE_LIMIT_SHARE_THRESHOLD ? [`${Math.round(share * 100)} % of recent alerts are 429s`] : []),
  ];
  if (reasons.length)
    return { name: 'rate_limit', status: 'failed', detail: reasons.join('; '), evidence, suggests: 'rate_limit' };
  return {
    name: 'rate_limit',
    status: 'passed',
    detail: `headroom left${headers['retry-after'] ? `, retry-after ${headers['retry-after']}` : ''}`,
    evidence,
  };
}

export function quotaCheck(r: ProbeResult): DiagnosticCheck {
  if (r.category === 'quota_exceeded') {
    return {
      name: 'quota',
      status: 'failed',
      detail: `quota or billing exhausted (HTTP ${r.status} ${r.errorType ?? ''})`.trim(),
      evidence: { status: r.status, errorType: r.errorType },
      suggests: 'quota_exceeded',
    };
  }
  return {
    name: 'quota',
    status: 'passed',
    detail: 'no quota or billing error in the answer',
    evidence: { status: r.status },
  };
}

async function getJson(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  const res = await request(url, {
    method: 'GET',
    headers,
    signal: AbortSignal.timeout(timeoutMs),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await res.body.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, body };
}

/**
 * Each configured model, by a GET that answers 404 when it is unknown: /v1/models/<id> (OpenAI, Anthropic
 * and compatible servers), Bedrock's GetFoundationModel or GetInferenceProfile (control plane, signed),
 * the Gemini API's models.get or Vertex AI's publisher model.
 */
export async function modelChecks(
  p: ProviderConfig,
  baseUrl: string,
  env?: NodeJS.ProcessEnv,
  googleTokens?: GoogleTokenCache,
): Promise<DiagnosticCheck[]> {
  if (!p.models.length) return [];
  return Promise.all(
    p.models.map(async (model): Promise<DiagnosticCheck> => {
      const name = `model:${model}`;
      try {
        const url = `${baseUrl.replace(/\/$/, '')}${modelRequestPath(p, model)}`;
        const headers = await authorizeRequest(
          p,
          { method: 'GET', url, headers: { accept: 'application/json' } },
          { env, googleTokens },
        );
        const { status, body } = await getJson(url, headers, p.probe.timeoutMs);
        if (status < 400) return { name, status: 'passed', detail: `${model} available`, evidence: { status } };
        const { errorType, message } = errorTypeFromBody(body);
        if (status === 404)
          return {
            name,
            status: 'failed',
            detail: `${model} not found (HTTP 404)`,
            evidence: { status, errorType },
            suggests: 'model_unavailable',
          };
        const category = classifyObservation({ ok: false, status, errorType, message, latencyMs: 0 });
        return {
          name,
          status: 'error',
          detail: `could not check ${model}: HTTP ${status}${errorType ? ` ${errorType}` : ''}`,
          evidence: { status, errorType, category },
        };
      } catch (err) {
        const evidence = err instanceof CredentialError ? { evidence: { errorType: err.reason } } : {};
        return { name, status: 'error', detail: `could not check ${model}: ${(err as Error).message}`, ...evidence };
      }
    }),
  );
}

const STATUS_PAGE_CAUSE: Record<string, DiagnosticCheck['suggests']> = {
  minor: 'overloaded',
  major: 'provider_outage',
  critical: 'provider_outage',
};

/** Statuspage v2: `<page>/api/v2/summary.json` → status.indicator none|minor|major|critical (+ open incidents). */
export async function statusPageCheck(statusPage: string, timeoutMs: number): Promise<DiagnosticCheck> {
  const url = `${statusPage.replace(/\/$/, '')}/api/v2/summary.json`;
  try {
    const { status, body } = await getJson(url, {}, timeoutMs);
    const b = body as
      | { status?: { indicator?: string; description?: string }; incidents?: { name?: string; status?: string }[] }
      | undefined;
    const indicator = b?.status?.indicator;
    if (status >= 400 || !indicator)
      return {
        name: 'status_page',
        status: 'error',
        detail: `status page unreadable (HTTP ${status})`,
        evidence: { url },
      };
    const incidents = (b?.incidents ?? []).map((i) => `${i.name ?? '?'} (${i.status ?? '?'})`).slice(0, 5);
    const evidence = { url, indicator, description: b?.status?.description, incidents };
    const detail = `${indicator}: ${b?.status?.description ?? ''}${incidents.length ? `; incidents: ${incidents.join(', ')}` : ''}`;
    const cause = STATUS_PAGE_CAUSE[indicator];
    return cause
      ? { name: 'status_page', status: 'failed', detail, evidence, suggests: cause }
      : { name: 'status_page', status: 'passed', detail, evidence };
  } catch (err) {
    return {
      name: 'status_page',
      status: 'error',
      detail: `status page unreachable: ${(err as Error).message}`,
      evidence: { url },
    };
  }
}
