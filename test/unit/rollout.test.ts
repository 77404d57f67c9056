// Model rollouts, the pure parts: target parsing, the plan, the gate's verdict, the known-answer request
// and answer per provider kind, the report's Markdown and the CLI's durations.
import { parseConfig } from '../../config/load';
import {
  judgeGate,
  parseTarget,
  percentsIssue,
  rolloutMarkdown,
  rolloutPlan,
  type RolloutReport,
} from '../../domain/rollout';
import { answerText, knownAnswerRequest } from '../../activities/known-answer';
import { parseDuration } from '../../cli/rollout-commands';

const T = { maxErrorShare: 0.05, maxP95Ms: 1000, minSamples: 3 };
const at = '2026-01-01T00:00:00.000Z';

test('targets: provider, provider/model (a model may hold "/")', () => {
  expect(parseTarget('anthropic')).toEqual({ provider: 'anthropic' });
  expect(parseTarget('bedrock/arn:aws:bedrock:x/y')).toEqual({ provider: 'bedrock', model: 'arn:aws:bedrock:x/y' });
  expect(parseTarget('anthropic/')).toBeNull();
  expect(parseTarget('/m')).toBeNull();
});

test('percents rise to 100; the plan keeps the other providers in proportion', () => {
  expect(percentsIssue([5, 25, 50, 100])).toBeNull();
  expect(percentsIssue([5, 50])).toMatch(/last step/);
  expect(percentsIssue([50, 25, 100])).toMatch(/rise/);
  expect(percentsIssue([0, 100])).toMatch(/1–100/);
  expect(rolloutPlan({ openai: 60, bedrock: 40 }, 'anthropic', [10, 100])).toEqual([
    { openai: 54, bedrock: 36, anthropic: 10 },
    { anthropic: 100 },
  ]);
});

test('the gate: too few samples, error share, p95 and a wrong known answer each fail it', () => {
  const ok = (latencyMs: number) => ({ ok: true, latencyMs });
  expect(judgeGate([ok(100), ok(200), ok(300)], T, { fromMonitor: 3, at }).passed).toBe(true);
  expect(judgeGate([ok(100), ok(200)], T, { fromMonitor: 2, at }).detail).toBe('only 2 sample(s), need 3');
  expect(judgeGate([ok(100), ok(100), { ok: false, latencyMs: 50 }], T, { fromMonitor: 0, at }).detail).toMatch(
    /error share 33.3 % over 5 %/,
  );
  expect(judgeGate([ok(100), ok(100), ok(1500)], T, { fromMonitor: 0, at }).detail).toBe('p95 1500 ms over 1000 ms');
  const wrong = judgeGate([ok(1), ok(1), ok(1)], T, {
    fromMonitor: 3,
    knownAnswer: { passed: false, detail: 'answered "Lyon"' },
    at,
  });
  expect(wrong).toMatchObject({ passed: false, errorShare: 0, detail: 'known answer: answered "Lyon"' });
});

test('known-answer requests carry the prompt in each dialect, and answers are read from each shape', () => {
  const cfg = parseConfig(`
providers:
  - { id: oa, kind: openai, baseUrl: https://api.openai.com, models: [gpt-4o] }
  - { id: an, kind: anthropic, baseUrl: https://api.anthropic.com, models: [claude] }
  - { id: ve, kind: vertex, baseUrl: https://generativelanguage.googleapis.com, models: [gemini] }
`);
  const [oa, an, ve] = cfg.providers;
  expect(JSON.parse(knownAnswerRequest(oa, 'Capital of France?', 'gpt-5').body)).toMatchObject({
    model: 'gpt-5',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Capital of France?' }],
  });
  expect(knownAnswerRequest(an, 'Q').path).toBe('/v1/messages');
  expect(JSON.parse(knownAnswerRequest(ve, 'Q').body)).toMatchObject({ contents: [{ parts: [{ text: 'Q' }] }] });
  expect(answerText('openai', { choices: [{ message: { content: 'Paris.' } }] })).toBe('Paris.');
  expect(
    answerText('anthropic', {
      content: [
        { type: 'text', text: 'Par' },
        { type: 'text', text: 'is' },
      ],
    }),
  ).toBe('Paris');
  expect(answerText('vertex', { candidates: [{ content: { parts: [{ text: 'Paris' }] } }] })).toBe('Paris');
  expect(answerText('bedrock', { output: { message: { content: [{ text: 'Paris' }] } } })).toBe('Paris');
  expect(answerText('openai', { error: 'x' })).toBe('');
});

test('config: rollouts defaults, and canary steps that cannot be walked are named', () => {
  const base = 'providers: [{ id: oa, kind: openai, baseUrl: "https://api.openai.com" }]\n';
  expect(parseConfig(base).rollouts).toMatchObject({
    canary: [5, 25, 50, 100],
    holdMs: 120_000,
    gates: { maxErrorShare: 0.05, maxP95Ms: 3000, minSamples: 5 },
  });
  expect(() => parseConfig(base + 'rollouts: { canary: [50, 25] }')).toThrow(/rollouts\.canary/);
});

test('the report in Markdown: steps, gates, rollback, who aborted', () => {
  const r: RolloutReport = {
    id: 'chat-1',
    chain: 'chat',
    provider: 'anthropic',
    model: 'claude-next',
    strategy: 'canary',
    percents: [5, 100],
    holdMs: 1000,
    by: 'dana',
    workflowId: 'rollout-chat',
    startedAt: at,
    finishedAt: at,
    initial: { openai: 100 },
    final: { openai: 100 },
    steps: [
      {
        percent: 5,
        weights: { openai: 95, anthropic: 5 },
        requestedAt: at,
        appliedAt: at,
        gate: judgeGate([], T, { fromMonitor: 0, at }),
      },
    ],
    outcome: 'aborted',
    result: 'FAIL',
    detail: 'aborted by eve: bad answers',
    abortedBy: 'eve',
    rollback: { at, weights: { openai: 100 }, reason: 'aborted', outcome: 'completed' },
  };
  const md = rolloutMarkdown(r);
  expect(md).toContain('# Rollout chat-1: FAIL');
  expect(md).toContain('(aborted by eve)');
  expect(md).toContain(
    '| 1 | 5 | openai 95, anthropic 5 | 2026-01-01T00:00:00.000Z | FAIL: only 0 sample(s), need 3 |',
  );
  expect(md).toContain('Rollback at 2026-01-01T00:00:00.000Z to openai 100 (completed)');
});

test('CLI durations', () => {
  expect(parseDuration('--hold', '500ms')).toBe(500);
  expect(parseDuration('--hold', '2m')).toBe(120_000);
  expect(parseDuration('--hold', '1500')).toBe(1500);
  expect(() => parseDuration('--hold', 'soon')).toThrow(/--hold must be a duration/);
});
