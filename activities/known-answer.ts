// The known-answer probe of a rollout gate (a deep health check): the inference probe of the provider's
// kind (probe-requests.ts) with a fixed prompt instead of "ping" and room for a short answer; the answer
// text, read from the kind's response shape, must contain the expected substring.
import { request } from 'undici';
import type { ProviderConfig } from '../config/schema';
import { answerMatches, type KnownAnswer } from '../domain/rollout';
import { authorizeRequest } from './cloud-auth/authorize';
import { dialectFor, endpointBaseUrl, probeRequest, type Dialect } from './probe-requests';

const ANSWER_TOKENS = 64;
const MAX_ANSWER_CHARS = 200;

/** The inference probe's request with the prompt and a larger token budget, per dialect. */
export function knownAnswerRequest(p: ProviderConfig, prompt: string, model?: string) {
  const req = probeRequest(p, 'inference', model);
  const body = JSON.parse(req.body ?? '{}') as Record<string, unknown>;
  switch (dialectFor(p)) {
    case 'vertex':
      body.contents = [{ role: 'user', parts: [{ text: prompt }] }];
      body.generationConfig = { maxOutputTokens: ANSWER_TOKENS };
      break;
    case 'bedrock':
      body.messages = [{ role: 'user', content: [{ text: prompt }] }];
      body.inferenceConfig = { maxTokens: ANSWER_TOKENS };
      break;
    default:
      body.messages = [{ role: 'user', content: prompt }];
      body.max_tokens = ANSWER_TOKENS;
  }
  return { ...req, body: JSON.stringify(body) };
}

/** The answer's text in each dialect's response shape ('' when there is none). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a provider's JSON, read defensively below
export function answerText(d: Dialect, body: any): string {
  const join = (parts: unknown) =>
    Array.isArray(parts)
      ? parts.map((x: { text?: unknown }) => (typeof x?.text === 'string' ? x.text : '')).join('')
      : '';
  switch (d) {
    case 'anthropic':
      return join(body?.content);
    case 'vertex':
      return join(body?.candidates?.[0]?.content?.parts);
    case 'bedrock':
      return join(body?.output?.message?.content);
    default: {
      const c = body?.choices?.[0]?.message?.content;
      return typeof c === 'string' ? c : join(c);
    }
  }
}

export async function checkKnownAnswer(
  p: ProviderConfig,
  baseUrl: string,
  ka: KnownAnswer,
  opts: { model?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ passed: boolean; detail: string }> {
  const req = knownAnswerRequest(p, ka.prompt, opts.model);
  const url = endpointBaseUrl(p, baseUrl, req.endpoint).replace(/\/$/, '') + req.path;
  try {
    const headers = await authorizeRequest(p, { method: req.method, url, headers: req.headers, body: req.body }, opts);
    const res = await request(url, {
      method: req.method,
      headers,
      body: req.body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? Math.max(p.probe.timeoutMs, 30_000)),
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) return { passed: false, detail: `HTTP ${res.statusCode}` };
    let answer: string;
    try {
      answer = answerText(dialectFor(p), JSON.parse(text));
    } catch {
      return { passed: false, detail: 'the answer was not JSON' };
    }
    const shown = JSON.stringify(answer.slice(0, MAX_ANSWER_CHARS));
    return answerMatches(answer, ka.expect)
      ? { passed: true, detail: `answered ${shown}, contains ${JSON.stringify(ka.expect)}` }
      : { passed: false, detail: `answered ${shown}, expected it to contain ${JSON.stringify(ka.expect)}` };
  } catch (err) {
    return { passed: false, detail: `could not ask: ${(err as Error).message}` };
  }
}
