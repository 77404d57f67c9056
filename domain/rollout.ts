// Model rollouts: the plan (the weights of each canary step, or blue-green's single switch), the quality
// gate between steps (error share, p95 latency, an optional known-answer probe) and the rollout's report.
// Pure, so the rolloutWorkflow only applies steps through the shift engine, holds, and asks for gates.
import { percentile } from './detection';
import type { Weights } from './failover';
import { interpolateWeights } from './shift';

export const DEFAULT_CANARY_PERCENTS = [5, 25, 50, 100];

/** `<provider>` or `<provider>/<model>` (a model may itself contain "/", e.g. a Bedrock ARN). */
export function parseTarget(to: string): { provider: string; model?: string } | null {
  const at = to.indexOf('/');
  const provider = at < 0 ? to : to.slice(0, at);
  const model = at < 0 ? undefined : to.slice(at + 1);
  if (!provider || model === '') return null;
  return model ? { provider, model } : { provider };
}

/** Why a list of canary percents cannot be walked, or null: ascending, each 1–100, ending at 100. */
export function percentsIssue(percents: number[]): string | null {
  if (!percents.length) return 'give at least one percent';
  if (percents.some((p) => !Number.isInteger(p) || p < 1 || p > 100)) return 'each percent is a whole number 1–100';
  if (percents.some((p, i) => i > 0 && p <= percents[i - 1])) return 'percents must rise step by step';
  if (percents[percents.length - 1] !== 100) return 'the last step must be 100';
  return null;
}

/** The weights of each step: `pct` percent of the chain's traffic on `target`, the rest as it was. */
export function rolloutPlan(initial: Weights, target: string, percents: number[]): Weights[] {
  return percents.map((pct) => interpolateWeights(initial, { [target]: 100 }, pct));
}

export interface GateThresholds {
  /** Failed share of the target's samples that still passes (0.05 = 5 %). */
  maxErrorShare: number;
  maxP95Ms: number;
  /** Fewer samples than this fail the gate: a gate that saw nothing has proved nothing. */
  minSamples: number;
}

/** A fixed prompt and a substring its answer must contain (a deep health check of the model). */
export interface KnownAnswer {
  prompt: string;
  expect: string;
}

export interface GateSample {
  ok: boolean;
  latencyMs: number;
}

export interface GateResult {
  passed: boolean;
  /** Samples judged: the monitor's probes since the step, topped up by the gate's own. */
  samples: number;
  fromMonitor: number;
  errorShare: number;
  p95Ms: number;
  knownAnswer?: { passed: boolean; detail: string };
  detail: string;
  at: string;
}

export function judgeGate(
  samples: GateSample[],
  t: GateThresholds,
  extra: { fromMonitor: number; knownAnswer?: { passed: boolean; detail: string }; at: string },
): GateResult {
  const n = samples.length;
  const errorShare = n ? samples.filter((s) => !s.ok).length / n : 0;
  const p95Ms = Math.round(
    percentile(
      samples.map((s) => s.latencyMs),
      95,
    ),
  );
  const failures: string[] = [];
  if (n < t.minSamples) failures.push(`only ${n} sample(s), need ${t.minSamples}`);
  if (errorShare > t.maxErrorShare) failures.push(`error share ${pct(errorShare)} over ${pct(t.maxErrorShare)}`);
  if (p95Ms > t.maxP95Ms) failures.push(`p95 ${p95Ms} ms over ${t.maxP95Ms} ms`);
  if (extra.knownAnswer && !extra.knownAnswer.passed) failures.push(`known answer: ${extra.knownAnswer.detail}`);
  const summary = `${n} sample(s) (${extra.fromMonitor} from the monitor), error share ${pct(errorShare)}, p95 ${p95Ms} ms${extra.knownAnswer ? `, known answer ${extra.knownAnswer.passed ? 'ok' : 'wrong'}` : ''}`;
  return {
    passed: failures.length === 0,
    samples: n,
    fromMonitor: extra.fromMonitor,
    errorShare,
    p95Ms,
    ...(extra.knownAnswer ? { knownAnswer: extra.knownAnswer } : {}),
    detail: failures.length ? failures.join('; ') : summary,
    at: extra.at,
  };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;

/** Whether an answer holds the expected text (case and surrounding whitespace ignored). */
export function answerMatches(answer: string, expect: string): boolean {
  return answer.toLowerCase().includes(expect.trim().toLowerCase());
}

// ---- the report ---------------------------------------------------------------------------------------
export type RolloutOutcome = 'running' | 'completed' | 'rolled_back' | 'aborted' | 'failed';

export interface RolloutStep {
  /** Share of the chain's traffic on the target at this step. */
  percent: number;
  weights: Weights;
  requestedAt: string;
  appliedAt?: string;
  /** Route version after the step. */
  version?: number;
  gate?: GateResult;
}

/** What a rollout was asked to do: its start request and the head of its report. */
export interface RolloutPlan {
  /** The rollout's ID (an Idempotency-Key or generated): a repeated start with it is the same rollout. */
  id: string;
  chain: string;
  /** The provider receiving traffic; `model` is what the gates probe and the report names. */
  provider: string;
  model?: string;
  strategy: 'canary' | 'blue-green';
  /** canary: the target's share of the chain at each step, rising to 100. */
  percents: number[];
  /** How long each step holds before its gate judges it. */
  holdMs: number;
  by: string;
}

export interface RolloutReport extends RolloutPlan {
  workflowId: string;
  startedAt: string;
  finishedAt?: string;
  initial: Weights;
  final?: Weights;
  /** Blue-green: the gate run before the switch. */
  preGate?: GateResult;
  steps: RolloutStep[];
  outcome: RolloutOutcome;
  /** PASS once completed; FAIL for every other end (rolled back, aborted, failed). */
  result?: 'PASS' | 'FAIL';
  detail: string;
  abortedBy?: string;
  rollback?: { at: string; weights: Weights; reason: string; outcome: string };
}

export function rolloutMarkdown(r: RolloutReport): string {
  const target = r.model ? `${r.provider}/${r.model}` : r.provider;
  const w = (x?: Weights) =>
    x
      ? Object.entries(x)
          .map(([p, v]) => `${p} ${v}`)
          .join(', ')
      : '—';
  const gate = (g?: GateResult) => (g ? `${g.passed ? 'pass' : 'FAIL'}: ${g.detail}` : '—');
  const lines = [
    `# Rollout ${r.id}: ${r.result ?? 'RUNNING'}`,
    '',
    `- chain **${r.chain}** → **${target}** (${r.strategy}${r.strategy === 'canary' ? ` ${r.percents.join(' → ')} %` : ''}, hold ${r.holdMs} ms), started by ${r.by}`,
    `- started ${r.startedAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}`,
    `- outcome: **${r.outcome}**: ${r.detail}${r.abortedBy ? ` (aborted by ${r.abortedBy})` : ''}`,
    `- weights: from ${w(r.initial)} to ${w(r.final)}`,
    '',
  ];
  if (r.preGate) lines.push(`Gate before the switch: ${gate(r.preGate)}`, '');
  lines.push('| step | target % | weights | applied | gate |', '|---|---|---|---|---|');
  r.steps.forEach((s, i) =>
    lines.push(`| ${i + 1} | ${s.percent} | ${w(s.weights)} | ${s.appliedAt ?? 'not applied'} | ${gate(s.gate)} |`),
  );
  if (r.rollback)
    lines.push(
      '',
      `Rollback at ${r.rollback.at} to ${w(r.rollback.weights)} (${r.rollback.outcome}): ${r.rollback.reason}`,
    );
  return lines.join('\n') + '\n';
}
