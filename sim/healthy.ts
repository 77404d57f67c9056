// Successful answers of the simulated providers, as pure data.
//
// Shapes follow the real APIs closely enough that official SDKs and our own probes parse them:
// OpenAI `GET /v1/models` and `chat.completion`, Anthropic `GET /v1/models` and `message`. The
// content is a fixed short reply: probes only care that inference went end to end, and a fixed
// reply keeps tests deterministic.
import { openaiRateLimitHeaders, anthropicRateLimitHeaders } from './ratelimit';
import type { ProviderKind, ResponseContext, SimResponse } from './responses';

/** The assistant's reply to every prompt: one token, so a `max_tokens: 1` probe is answered in full. */
export const SIM_REPLY_TEXT = 'ok';

/** Fixed creation times: model lists must be stable across runs for snapshot-style assertions. */
const MODEL_CREATED_UNIX = 1_730_000_000;
const MODEL_CREATED_RFC3339 = new Date(MODEL_CREATED_UNIX * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Headers every successful response carries: request id plus rate-limit headroom. */
export function healthyHeaders(kind: ProviderKind, ctx: ResponseContext): Record<string, string> {
  return kind === 'openai'
    ? { 'x-request-id': ctx.requestId, ...openaiRateLimitHeaders('headroom') }
    : { 'request-id': ctx.requestId, ...anthropicRateLimitHeaders('headroom', ctx.now) };
}

/** A 200 with the provider's healthy headers. */
function ok(kind: ProviderKind, ctx: ResponseContext, body: unknown): SimResponse {
  return { status: 200, headers: healthyHeaders(kind, ctx), body };
}

/** An Anthropic request's prompt: messages plus the optional system prompt, both counted as input. */
interface AnthropicPrompt {
  messages: unknown[];
  system?: unknown;
}

/** "claude-sonnet-4-5" → "Claude Sonnet 4.5", the way Anthropic's display_name reads. */
export function displayName(id: string): string {
  const out: string[] = [];
  for (const part of id.split('-')) {
    if (/^\d{8}$/.test(part)) continue; // date snapshot suffix is not part of the display name
    const prev = out[out.length - 1];
    if (/^\d{1,2}$/.test(part) && prev !== undefined && /^\d+(\.\d+)*$/.test(prev)) {
      out[out.length - 1] = `${prev}.${part}`;
    } else {
      out.push(part.charAt(0).toUpperCase() + part.slice(1));
    }
  }
  return out.join(' ');
}

export function modelsResponse(kind: ProviderKind, models: readonly string[], ctx: ResponseContext): SimResponse {
  if (kind === 'openai') {
    return ok(kind, ctx, {
      object: 'list',
      data: models.map((id) => ({ id, object: 'model', created: MODEL_CREATED_UNIX, owned_by: 'system' })),
    });
  }
  return ok(kind, ctx, {
    data: models.map((id) => ({ type: 'model', id, display_name: displayName(id), created_at: MODEL_CREATED_RFC3339 })),
    has_more: false,
    first_id: models[0] ?? null,
    last_id: models[models.length - 1] ?? null,
  });
}

/** A rough but deterministic token count (≈4 characters per token), enough for usage fields. */
export function estimateTokens(input: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(input ?? '').length / 4));
}

/** Random-looking but derived from the request id, so the function stays pure. */
function suffix(ctx: ResponseContext): string {
  return ctx.requestId.replace(/^req_/, '');
}

export function chatCompletionResponse(
  model: string,
  request: { messages: unknown[] },
  ctx: ResponseContext,
): SimResponse {
  const promptTokens = estimateTokens(request.messages);
  const completionTokens = 1;
  return ok('openai', ctx, {
    id: `chatcmpl-${suffix(ctx)}`,
    object: 'chat.completion',
    created: Math.floor(ctx.now.getTime() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: SIM_REPLY_TEXT, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
    service_tier: 'default',
    system_fingerprint: 'fp_lifeline_sim',
  });
}

export function messagesResponse(model: string, request: AnthropicPrompt, ctx: ResponseContext): SimResponse {
  return ok('anthropic', ctx, {
    id: `msg_${suffix(ctx)}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: SIM_REPLY_TEXT }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: estimateTokens([request.system, request.messages]),
      output_tokens: 1,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      service_tier: 'standard',
    },
  });
}

/** `GET /v1/models/{id}`: one entry of the list above. */
export function modelResponse(kind: ProviderKind, id: string, ctx: ResponseContext): SimResponse {
  const list = modelsResponse(kind, [id], ctx);
  return { ...list, body: (list.body as { data: unknown[] }).data[0] };
}

/** Anthropic `POST /v1/messages/count_tokens`: the free probe listed in PROVIDERS.md. */
export function countTokensResponse(request: AnthropicPrompt, ctx: ResponseContext): SimResponse {
  return ok('anthropic', ctx, { input_tokens: estimateTokens([request.system, request.messages]) });
}
