// What a probe sends, per provider kind (PROVIDERS.md "Cheap probes"): a cheap metadata call that checks
// DNS, TLS, auth and routing, and an optional 1-token inference call per critical model that also sees
// overload and model latency. Pure request building: authentication is added by cloud-auth/authorize.ts
// (static key, SigV4 signature or OAuth token), so nothing secret passes through here.
import type { ProviderConfig } from '../config/schema';

export type ProbeType = 'metadata' | 'inference';
export type Dialect = 'openai' | 'anthropic' | 'bedrock' | 'vertex' | 'azure-openai';

export interface ProbeRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Bedrock serves inference on its runtime host, not on the control plane (the configured baseUrl). */
  endpoint: 'control' | 'runtime';
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
      // Gemini API keys go in x-goog-api-key (service accounts get a Bearer token: cloud-auth/).
      return { 'x-goog-api-key': key };
    default:
      // OpenAI, OpenAI-compatible and Bedrock API keys (Bedrock's long-term keys are Bearer tokens; IAM
      // keys sign with SigV4: cloud-auth/).
      return { authorization: `Bearer ${key}` };
  }
}

const json = { 'content-type': 'application/json' };

/** Vertex AI (project + location set) rather than the Gemini API: publisher-model paths under the project. */
function vertexAiModel(p: ProviderConfig, m: string): string | undefined {
  if (dialectFor(p) !== 'vertex' || !p.project || !p.location) return undefined;
  return `/v1/projects/${encodeURIComponent(p.project)}/locations/${encodeURIComponent(p.location)}/publishers/google/models/${m}`;
}

export function probeRequest(p: ProviderConfig, type: ProbeType, model?: string): ProbeRequest {
  const d = dialectFor(p);
  const h = { accept: 'application/json' };
  const m = encodeURIComponent(model ?? p.models[0] ?? 'default');
  const get = (path: string): ProbeRequest => ({ method: 'GET', path, headers: h, endpoint: 'control' });
  const post = (path: string, body: unknown, endpoint: ProbeRequest['endpoint'] = 'control'): ProbeRequest => ({
    method: 'POST',
    path,
    headers: { ...h, ...json },
    body: JSON.stringify(body),
    endpoint,
  });
  const vertexAi = vertexAiModel(p, m);
  const ping = 'ping';
  const geminiContents = [{ role: 'user', parts: [{ text: ping }] }];
  if (type === 'metadata') {
    switch (d) {
      case 'anthropic':
      case 'openai':
        return get('/v1/models');
      case 'azure-openai':
        return get(`/openai/models?api-version=${AZURE_API_VERSION}`);
      case 'vertex':
        // Vertex AI has no cheap model listing under a project: countTokens is free and checks the
        // token, the project, the location and the model (PROVIDERS.md "Cheap probes").
        return vertexAi
          ? post(`${vertexAi}:countTokens`, { contents: geminiContents })
          : get('/v1beta/models?pageSize=1');
      case 'bedrock':
        // ListFoundationModels lives on the control-plane endpoint (bedrock.<region>.amazonaws.com).
        return get('/foundation-models');
    }
  }
  switch (d) {
    case 'openai':
      return post('/v1/chat/completions', {
        model: model ?? p.models[0],
        max_tokens: 1,
        messages: [{ role: 'user', content: ping }],
      });
    case 'anthropic':
      return post('/v1/messages', {
        model: model ?? p.models[0],
        max_tokens: 1,
        messages: [{ role: 'user', content: ping }],
      });
    case 'azure-openai':
      // Azure addresses a deployment, not a model: `models` holds deployment names for this kind.
      return post(`/openai/deployments/${m}/chat/completions?api-version=${AZURE_API_VERSION}`, {
        max_tokens: 1,
        messages: [{ role: 'user', content: ping }],
      });
    case 'vertex':
      return post(`${vertexAi ?? `/v1beta/models/${m}`}:generateContent`, {
        contents: geminiContents,
        generationConfig: { maxOutputTokens: 1 },
      });
    case 'bedrock':
      return post(
        `/model/${m}/converse`,
        { messages: [{ role: 'user', content: [{ text: ping }] }], inferenceConfig: { maxTokens: 1 } },
        'runtime',
      );
  }
}

// Bedrock inference profiles (cross-region `us.`/`eu.`/… prefixes, or ARNs) are not foundation models.
const INFERENCE_PROFILE = /^(arn:|(us|us-gov|eu|apac|jp|au|ca|global)\.)/;

/** The control-plane GET that tells whether one configured model exists (404 when it does not). */
export function modelRequestPath(p: ProviderConfig, model: string): string {
  const m = encodeURIComponent(model);
  switch (dialectFor(p)) {
    case 'bedrock':
      return INFERENCE_PROFILE.test(model) ? `/inference-profiles/${m}` : `/foundation-models/${m}`;
    case 'vertex':
      // Publisher models are read through v1beta1's publishers.models.get (no project in the path).
      return p.project && p.location ? `/v1beta1/publishers/google/models/${m}` : `/v1beta/models/${m}`;
    default:
      return `/v1/models/${m}`;
  }
}

const AWS_CONTROL_HOST = /^bedrock((?:-fips)?\.[a-z0-9-]+\.amazonaws\.com)$/;

/**
 * The base URL a request goes to. Bedrock's runtime is `runtimeBaseUrl` when configured (for the
 * configured baseUrl), else derived from an AWS control-plane host (bedrock.<region> → bedrock-runtime.
 * <region>, so a backup endpoint in another region works too), else the same base URL (a gateway or a
 * test server that serves both).
 */
export function endpointBaseUrl(p: ProviderConfig, baseUrl: string, endpoint: ProbeRequest['endpoint']): string {
  if (endpoint === 'control' || dialectFor(p) !== 'bedrock') return baseUrl;
  if (p.runtimeBaseUrl && baseUrl === p.baseUrl) return p.runtimeBaseUrl;
  const u = new URL(baseUrl);
  const aws = AWS_CONTROL_HOST.exec(u.hostname);
  if (!aws) return baseUrl;
  u.hostname = `bedrock-runtime${aws[1]}`;
  return u.toString();
}
