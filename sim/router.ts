// Decides what one simulated provider answers to one request, without doing any I/O.
//
// Kept apart from the HTTP server so the decision order (fault, key, route, body) is in one place
// and reads top to bottom. The order copies real providers: infrastructure failures (outage,
// overload, hang) hit before the request is even authenticated, while account-level answers
// (rate limit, quota, billing, revoked key) come after the key is checked — a wrong key during a
// rate-limit fault is still a 401, as in production.
import type { SimFault } from './faults';
import {
  authErrorResponse,
  chatCompletionResponse,
  countTokensResponse,
  faultResponse,
  invalidRequestResponse,
  messagesResponse,
  modelNotFoundResponse,
  modelResponse,
  modelsResponse,
  unknownRouteResponse,
  type ProviderKind,
  type ResponseContext,
  type SimResponse,
} from './responses';

export interface SimProviderConfig {
  /** Path prefix: provider `openai` is served at `${url}/openai`. */
  id: string;
  kind: ProviderKind;
  /** Models the provider knows; inference on any other model is a 404. Defaults per kind. */
  models?: string[];
  /** When set, requests must present this key; when unset, any key (or none) is accepted. */
  apiKey?: string;
}

export interface SimRequest {
  method: string;
  /** Path below the provider prefix, without query string, e.g. `/v1/models`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** `'hang'`: accept the request and never answer. */
export type RouteDecision = SimResponse | 'hang';

const PRE_AUTH_MODES: ReadonlySet<SimFault['mode']> = new Set(['outage', 'overloaded']);

function header(req: SimRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The key the client presented, read where the real provider reads it. */
export function presentedKey(kind: ProviderKind, req: SimRequest): string | undefined {
  if (kind === 'anthropic') return header(req, 'x-api-key') || undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '');
  return match ? match[1].trim() : undefined;
}

export function routeProviderRequest(
  provider: SimProviderConfig & { models: readonly string[] },
  fault: SimFault,
  req: SimRequest,
  ctx: ResponseContext,
): RouteDecision {
  if (fault.mode === 'hang') return 'hang';
  if (PRE_AUTH_MODES.has(fault.mode)) return faultResponse(provider.kind, fault, ctx)!;

  const key = presentedKey(provider.kind, req);
  if (provider.apiKey !== undefined && key !== provider.apiKey) return authErrorResponse(provider.kind, ctx, key);

  const accountFault = faultResponse(provider.kind, fault, ctx);
  if (accountFault) return accountFault;

  return serve(provider, req, ctx);
}

function serve(
  provider: SimProviderConfig & { models: readonly string[] },
  req: SimRequest,
  ctx: ResponseContext,
): SimResponse {
  const { kind, models } = provider;
  const method = req.method.toUpperCase();
  const path = req.path.replace(/\/+$/, '') || '/';

  if (method === 'GET' && path === '/v1/models') return modelsResponse(kind, models, ctx);
  if (method === 'GET' && path.startsWith('/v1/models/')) {
    const id = path.slice('/v1/models/'.length); // fastify has already percent-decoded the path
    return models.includes(id) ? modelResponse(kind, id, ctx) : modelNotFoundResponse(kind, id, ctx);
  }
  const inference = INFERENCE_ROUTES.find((r) => method === 'POST' && r.kind === kind && r.path === path);
  if (inference) {
    const body = validateInference(kind, req.body, ctx, inference.requireMaxTokens);
    if ('status' in body) return body;
    return models.includes(body.model) ? inference.answer(body, ctx) : modelNotFoundResponse(kind, body.model, ctx);
  }
  return unknownRouteResponse(kind, method, path, ctx);
}

interface InferenceBody {
  model: string;
  messages: unknown[];
  system?: unknown;
}

/** The POST routes that take a model and messages: each is validated the same way, then answered. */
const INFERENCE_ROUTES: {
  kind: ProviderKind;
  path: string;
  /** Anthropic's Messages API insists on max_tokens; count_tokens and OpenAI do not. */
  requireMaxTokens: boolean;
  answer: (body: InferenceBody, ctx: ResponseContext) => SimResponse;
}[] = [
  {
    kind: 'openai',
    path: '/v1/chat/completions',
    requireMaxTokens: false,
    answer: (b, ctx) => chatCompletionResponse(b.model, b, ctx),
  },
  {
    kind: 'anthropic',
    path: '/v1/messages',
    requireMaxTokens: true,
    answer: (b, ctx) => messagesResponse(b.model, b, ctx),
  },
  { kind: 'anthropic', path: '/v1/messages/count_tokens', requireMaxTokens: false, answer: countTokensResponse },
];

/**
 * The few checks the real APIs make that a probe is likely to trip over (missing model or
 * messages, Anthropic's mandatory max_tokens), with their wording. Streaming is refused loudly
 * rather than answered with a non-streaming body the client would misparse.
 */
function validateInference(
  kind: ProviderKind,
  raw: unknown,
  ctx: ResponseContext,
  requireMaxTokens: boolean,
): InferenceBody | SimResponse {
  const missing = (field: string): SimResponse =>
    kind === 'anthropic'
      ? invalidRequestResponse(kind, `${field}: Field required`, ctx)
      : invalidRequestResponse(kind, `Missing required parameter: '${field}'.`, ctx, field);

  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return invalidRequestResponse(kind, 'The request body must be a JSON object.', ctx);
  }
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== 'string' || body.model === '') return missing('model');
  if (!Array.isArray(body.messages)) return missing('messages');
  if (requireMaxTokens) {
    if (body.max_tokens === undefined) return missing('max_tokens');
    if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
      return invalidRequestResponse(kind, 'max_tokens: Input should be greater than or equal to 1', ctx);
    }
  }
  if (body.stream === true) {
    return invalidRequestResponse(
      kind,
      'stream: the lifeline simulator does not support streaming responses',
      ctx,
      'stream',
    );
  }
  return { model: body.model, messages: body.messages, system: body.system };
}
