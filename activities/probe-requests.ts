// What a probe sends, per provider kind (PROVIDERS.md "Cheap probes"): a cheap metadata call that checks
// DNS, TLS, auth and routing, and an optional 1-token inference call per critical model that also sees
// overload and model latency. Pure request building; the key is passed in, never logged or returned.
import type { ProviderConfig } from '../config/schema';

export type ProbeType = 'metadata' | 'inference';
export type Dialect = 'openai' | 'anthropic' | 'bedrock' | 'vertex' | 'azure-openai';

export interface ProbeRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const AZURE_API_VERSION = '2024-10-21';

/** Simulated providers (`sim:`) speak the OpenAI dialect unless they are Anthropic, like sim/ itself. */
export function dialectFor(p: ProviderConfig): Dialect {
  if (p.baseUrl.startsWith('sim:')) return p.kind === 'anthropic' ? 'anthropic' : 'openai';
  return p.kind === 'openai-compatible' ? 'openai' : p.kind;
}

/** The headers that carry a provider's key, in its dialect. */
export function authHeaders(p: ProviderConfig, key: string | undefined): Record<string, string> {
  return auth(dialectFor(p), key);
}

function auth(d: Dialect, key: string | undefined): Record<string, string> {
  if (!key) return {};
  switch (d) {
    case 'anthropic':
      return { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
    case 'azure-openai':
      return { 'api-key': key };
    case 'vertex':
      // Gemini API keys go in x-goog-api-key; a Vertex OAuth access token would be a Bearer token, which
      // lifeline cannot mint itself (no service-account signing): supply a Gemini API key.
      return { 'x-goog-api-key': key };
    default:
      // OpenAI, OpenAI-compatible and Bedrock API keys (Bedrock's long-term keys are Bearer tokens;
      // SigV4-signed IAM requests are not built).
      return { authorization: `Bearer ${key}` };
  }
}

const json = { 'content-type': 'application/json' };

export function probeRequest(p: ProviderConfig, type: ProbeType, key: string | undefined, model?: string): ProbeRequest {
  const d = dialectFor(p);
  const h = { accept: 'application/json', ...auth(d, key) };
  const m = encodeURIComponent(model ?? p.models[0] ?? 'default');
  if (type === 'metadata') {
    switch (d) {
      case 'anthropic':
      case 'openai':
        return { method: 'GET', path: '/v1/models', headers: h };
      case 'azure-openai':
        return { method: 'GET', path: `/openai/models?api-version=${AZURE_API_VERSION}`, headers: h };
      case 'vertex':
        return { method: 'GET', path: '/v1beta/models?pageSize=1', headers: h };
      case 'bedrock':
        // ListFoundationModels lives on the control-plane endpoint (bedrock.<region>.amazonaws.com).
        return { method: 'GET', path: '/foundation-models', headers: h };
    }
  }
  const ping = 'ping';
  switch (d) {
    case 'openai':
      return { method: 'POST', path: '/v1/chat/completions', headers: { ...h, ...json }, body: JSON.stringify({ model: model ?? p.models[0], max_tokens: 1, messages: [{ role: 'user', content: ping }] }) };
    case 'anthropic':
      return { method: 'POST', path: '/v1/messages', headers: { ...h, ...json }, body: JSON.stringify({ model: model ?? p.models[0], max_tokens: 1, messages: [{ role: 'user', content: ping }] }) };
    case 'azure-openai':
      // Azure addresses a deployment, not a model: `models` holds deployment names for this kind.
      return { method: 'POST', path: `/openai/deployments/${m}/chat/completions?api-version=${AZURE_API_VERSION}`, headers: { ...h, ...json }, body: JSON.stringify({ max_tokens: 1, messages: [{ role: 'user', content: ping }] }) };
    case 'vertex':
      return { method: 'POST', path: `/v1beta/models/${m}:generateContent`, headers: { ...h, ...json }, body: JSON.stringify({ contents: [{ parts: [{ text: ping }] }], generationConfig: { maxOutputTokens: 1 } }) };
    case 'bedrock':
      return { method: 'POST', path: `/model/${m}/converse`, headers: { ...h, ...json }, body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: ping }] }], inferenceConfig: { maxTokens: 1 } }) };
  }
}
