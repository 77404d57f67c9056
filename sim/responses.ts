// What the simulated providers answer, as pure data.
//
// Every function here maps (provider kind, fault or request, context) to { status, headers, body }
// and does no I/O, so the shapes can be unit-tested and reused without a server. The bodies and
// headers copy the real providers (see /work/shared/PROVIDERS.md) because the point of the
// simulator is that probes and classifiers built against it also work against OpenAI and Anthropic:
// in particular the HTTP status alone must NOT be enough to tell a rate limit from an exhausted
// quota, exactly as in production.
import { randomBytes } from 'node:crypto';
import type { SimFault } from './faults';
import { anthropicRateLimitHeaders, openaiRateLimitHeaders, RATE_LIMIT_RETRY_AFTER_S } from './ratelimit';

// Successful bodies and the header tables live in their own files (one concern each) but are part of
// this module's surface, so callers import every response shape from one place.
export * from './healthy';
export * from './ratelimit';

export type ProviderKind = 'openai' | 'anthropic';

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The impure inputs (ids, clock), passed in so that everything below stays deterministic. */
export interface ResponseContext {
  requestId: string;
  now: Date;
}

export function makeResponseContext(now: Date = new Date()): ResponseContext {
  return { requestId: `req_${randomBytes(12).toString('hex')}`, now };
}

/** Models served when a provider is configured without a list; real-looking ids so demos read well. */
export const DEFAULT_MODELS: Record<ProviderKind, readonly string[]> = {
  openai: ['gpt-4o-mini', 'gpt-4o'],
  anthropic: ['claude-sonnet-4-5', 'claude-haiku-4-5'],
};

// ---------------------------------------------------------------------------------------------
// Error envelopes

function requestIdHeader(kind: ProviderKind, ctx: ResponseContext): Record<string, string> {
  // OpenAI calls it x-request-id, Anthropic request-id; support tickets quote them, so we keep both names right.
  return kind === 'openai' ? { 'x-request-id': ctx.requestId } : { 'request-id': ctx.requestId };
}

/** An error answer: the provider's request-id header (plus `extraHeaders`) and its envelope. */
function errorResponse(
  kind: ProviderKind,
  status: number,
  body: unknown,
  ctx: ResponseContext,
  extraHeaders: Record<string, string> = {},
): SimResponse {
  return { status, headers: { ...requestIdHeader(kind, ctx), ...extraHeaders }, body };
}

const openaiError = (
  status: number,
  e: { message: string; type: string; code: string | null; param?: string | null },
  ctx: ResponseContext,
  extraHeaders?: Record<string, string>,
): SimResponse =>
  errorResponse(
    'openai',
    status,
    { error: { message: e.message, type: e.type, param: e.param ?? null, code: e.code } },
    ctx,
    extraHeaders,
  );

const anthropicError = (
  status: number,
  type: string,
  message: string,
  ctx: ResponseContext,
  extraHeaders?: Record<string, string>,
): SimResponse =>
  errorResponse(
    'anthropic',
    status,
    { type: 'error', error: { type, message }, request_id: ctx.requestId },
    ctx,
    extraHeaders,
  );

// ---------------------------------------------------------------------------------------------
// Faults

/**
 * The canned answer for a fault, or undefined when the fault produces no canned answer:
 * `healthy` (the request is served normally) and `hang` (the request is never answered).
 */
export function faultResponse(kind: ProviderKind, fault: SimFault, ctx: ResponseContext): SimResponse | undefined {
  switch (fault.mode) {
    case 'healthy':
    case 'hang':
      return undefined;
    case 'auth':
      return authErrorResponse(kind, ctx);
    default:
      return kind === 'openai' ? openaiFault(fault.mode, ctx) : anthropicFault(fault.mode, ctx);
  }
}

type ErrorMode = 'outage' | 'overloaded' | 'rate_limit' | 'quota' | 'billing';

function openaiFault(mode: ErrorMode, ctx: ResponseContext): SimResponse {
  switch (mode) {
    case 'outage':
      return openaiError(
        503,
        { message: 'Service Unavailable', type: 'server_error', code: 'service_unavailable' },
        ctx,
      );
    case 'overloaded':
      // OpenAI has no 529: overload is a 503 told apart from an outage only by its message (code null).
      return openaiError(
        503,
        {
          message:
            'That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists.',
          type: 'server_error',
          code: null,
        },
        ctx,
      );
    case 'rate_limit':
      return openaiError(
        429,
        {
          message: `Rate limit reached for requests in organization org-sim on requests per min (RPM): Limit 5000, Used 5000, Requested 1. Please try again in ${RATE_LIMIT_RETRY_AFTER_S}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
          type: 'rate_limit_error',
          code: 'rate_limit_exceeded',
        },
        ctx,
        {
          'retry-after': String(RATE_LIMIT_RETRY_AFTER_S),
          'retry-after-ms': String(RATE_LIMIT_RETRY_AFTER_S * 1000),
          ...openaiRateLimitHeaders('exhausted'),
        },
      );
    case 'quota':
      // Same 429 as a rate limit, but must not be retried: only the body says so. No retry-after on purpose.
      return openaiError(
        429,
        {
          message:
            'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
        ctx,
      );
    case 'billing':
      // PROVIDERS.md lists credit_balance_exhausted among OpenAI's do-not-retry codes; 402 makes it unambiguous.
      return openaiError(
        402,
        {
          message: 'Your credit balance is too low to access the OpenAI API. Please add credits to continue.',
          type: 'billing_error',
          code: 'credit_balance_exhausted',
        },
        ctx,
      );
  }
}

function anthropicFault(mode: ErrorMode, ctx: ResponseContext): SimResponse {
  switch (mode) {
    case 'outage':
      return anthropicError(500, 'api_error', 'Internal server error', ctx);
    case 'overloaded':
      return anthropicError(529, 'overloaded_error', 'Overloaded', ctx);
    case 'rate_limit':
      return anthropicError(
        429,
        'rate_limit_error',
        'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
        ctx,
        { 'retry-after': String(RATE_LIMIT_RETRY_AFTER_S), ...anthropicRateLimitHeaders('exhausted', ctx.now) },
      );
    case 'quota':
      // The spend-limit 429 of PROVIDERS.md: a 429 that must not be retried (no retry-after).
      return anthropicError(
        429,
        'enforced_spend_limit_reached',
        'You have reached your specified workspace API usage limits. You will regain access at the start of the next billing period.',
        ctx,
      );
    case 'billing':
      return anthropicError(
        402,
        'billing_error',
        'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
        ctx,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Request errors that do not come from a fault

/** Missing or wrong key (also used for the `auth` fault, which simulates a revoked key). */
export function authErrorResponse(kind: ProviderKind, ctx: ResponseContext, presentedKey?: string): SimResponse {
  if (kind === 'anthropic') return anthropicError(401, 'authentication_error', 'invalid x-api-key', ctx);
  const shown = presentedKey
    ? `${presentedKey.slice(0, 6)}${'*'.repeat(Math.max(0, presentedKey.length - 10))}${presentedKey.slice(-4)}`
    : '';
  const message = presentedKey
    ? `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`
    : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  return openaiError(401, { message, type: 'invalid_request_error', code: 'invalid_api_key' }, ctx);
}

export function modelNotFoundResponse(kind: ProviderKind, model: string, ctx: ResponseContext): SimResponse {
  if (kind === 'anthropic') return anthropicError(404, 'not_found_error', `model: ${model}`, ctx);
  return openaiError(
    404,
    {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
    },
    ctx,
  );
}

export function invalidRequestResponse(
  kind: ProviderKind,
  message: string,
  ctx: ResponseContext,
  param: string | null = null,
  status = 400,
): SimResponse {
  if (kind === 'anthropic') return anthropicError(status, 'invalid_request_error', message, ctx);
  return openaiError(status, { message, type: 'invalid_request_error', code: null, param }, ctx);
}

/** A path the real provider does not serve (e.g. /v1/messages on OpenAI), in that provider's words. */
export function unknownRouteResponse(
  kind: ProviderKind,
  method: string,
  path: string,
  ctx: ResponseContext,
): SimResponse {
  if (kind === 'anthropic') return anthropicError(404, 'not_found_error', 'Not Found', ctx);
  return openaiError(
    404,
    { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', code: null },
    ctx,
  );
}

/** A failure inside the simulator itself, shaped like the provider's own 500. */
export function internalErrorResponse(kind: ProviderKind, ctx: ResponseContext): SimResponse {
  if (kind === 'anthropic') return anthropicError(500, 'api_error', 'Internal server error', ctx);
  return openaiError(
    500,
    { message: 'The server had an error while processing your request.', type: 'server_error', code: null },
    ctx,
  );
}
