// `lifeline rollout start|status|abort|list`: model rollouts through the API (POST/GET /v1/rollouts).
import type { Command } from 'commander';
import { callApi } from './http';
import { CliError, EXIT } from './errors';
import { table, weightsText } from './output';
import { apiTarget, json, out, path } from './args';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms", "30s", "2m", "1h" or a number of milliseconds. */
export function parseDuration(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  const ms = m ? Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']) : NaN;
  if (!Number.isInteger(ms) || ms < 1)
    throw new CliError(`${flag} must be a duration such as 500ms, 30s, 2m or 1h (got "${v}")`, EXIT.usage);
  return ms;
}

function parsePercents(v: string): number[] {
  const p = v.split(',').map((x) => Number(x.trim()));
  if (p.some((x) => !Number.isInteger(x)))
    throw new CliError(
      `--canary must be whole percents separated by commas, e.g. 5,25,50,100 (got "${v}")`,
      EXIT.usage,
    );
  return p;
}

interface Summary {
  id: string;
  chain: string;
  to: string;
  strategy: string;
  outcome: string;
  result: string | null;
  step: number;
  steps: number;
  startedAt: string;
  by: string;
}

export function registerRolloutCommands(program: Command): void {
  const rollout = program
    .command('rollout')
    .description('move a chain to another provider/model step by step, with quality gates');
  rollout
    .command('start <chain>')
    .description('start a rollout: canary steps (or blue-green) with a gate after each; a failed gate rolls back')
    .requiredOption('--to <provider[/model]>', 'the provider (and model) receiving the traffic')
    .option('--canary <percents>', "the target's share at each step, e.g. 5,25,50,100 (default: rollouts.canary)")
    .option('--blue-green', 'one gate, then 0 → 100 % at once, one more gate; switch back on failure')
    .option('--hold <duration>', 'how long each step holds before its gate (e.g. 2m; default: rollouts.holdMs)')
    .option('--expect <text>', 'known-answer probe: a substring the answer to --prompt must contain')
    .option('--prompt <text>', 'known-answer probe: the fixed prompt (with --expect)')
    .option('--id <id>', 'the rollout ID (a repeated start with it is the same rollout)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  lifeline rollout start chat --to anthropic/claude-sonnet-4-5 --canary 5,25,50,100 --hold 5m
  lifeline rollout start chat --to anthropic --blue-green --prompt "Capital of France? One word." --expect paris`,
    )
    .action(
      async (
        chain: string,
        o: {
          to: string;
          canary?: string;
          blueGreen?: boolean;
          hold?: string;
          expect?: string;
          prompt?: string;
          id?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        if (o.blueGreen && o.canary) throw new CliError('--canary cannot be combined with --blue-green', EXIT.usage);
        if (!o.prompt !== !o.expect) throw new CliError('--prompt and --expect go together', EXIT.usage);
        const body = {
          chain,
          to: o.to,
          ...(o.canary ? { canary: parsePercents(o.canary) } : {}),
          ...(o.blueGreen ? { blueGreen: true } : {}),
          ...(o.hold ? { holdMs: parseDuration('--hold', o.hold) } : {}),
          ...(o.prompt && o.expect ? { knownAnswer: { prompt: o.prompt, expect: o.expect } } : {}),
          ...(o.id ? { id: o.id } : {}),
        };
        const res = await callApi(apiTarget(cmd), 'POST', '/v1/rollouts', body);
        if (o.json) return json(res);
        out(
          `${res.chain}: rollout ${res.id} to ${o.to} ${res.repeated ? 'was already started' : 'started'}; follow it with: lifeline rollout status ${res.id}`,
        );
      },
    );
  rollout
    .command('status <id>')
    .description("a rollout's report: steps with times, gate results, outcome")
    .option('--json', 'print JSON')
    .option('--markdown', 'print the report as Markdown')
    .action(async (id: string, o: { json?: boolean; markdown?: boolean }, cmd: Command) => {
      const target = apiTarget(cmd);
      if (o.markdown)
        return out(
          String(await callApi(target, 'GET', `/v1/rollouts/${path(id)}`, undefined, 'text/markdown')).trimEnd(),
        );
      const r = await callApi(target, 'GET', `/v1/rollouts/${path(id)}`);
      if (o.json) return json(r);
      const to = r.model ? `${r.provider}/${r.model}` : r.provider;
      out(`rollout ${r.id}: ${r.chain} → ${to} (${r.strategy}), ${r.result ?? 'RUNNING'} — ${r.outcome}: ${r.detail}`);
      if (r.abortedBy) out(`aborted by ${r.abortedBy}`);
      out(`weights: ${weightsText(r.initial)} → ${weightsText(r.final ?? r.initial)}`);
      const gate = (g?: { passed: boolean; detail: string }) => (g ? `${g.passed ? 'pass' : 'FAIL'}: ${g.detail}` : '');
      if (r.preGate) out(`gate before the switch: ${gate(r.preGate)}`);
      out(
        table(
          ['STEP', 'TARGET %', 'WEIGHTS', 'APPLIED', 'GATE'],
          r.steps.map(
            (
              s: {
                percent: number;
                weights: Record<string, number>;
                appliedAt?: string;
                gate?: { passed: boolean; detail: string };
              },
              i: number,
            ) => [i + 1, s.percent, weightsText(s.weights), s.appliedAt ?? 'not applied', gate(s.gate)],
          ),
        ),
      );
      if (r.rollback)
        out(`rolled back at ${r.rollback.at} to ${weightsText(r.rollback.weights)}: ${r.rollback.reason}`);
    });
  rollout
    .command('abort <id>')
    .description('stop a rollout: it rolls the chain back to its starting weights and reports FAIL')
    .option('--reason <text>', 'why (in the report)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { reason?: string; json?: boolean }, cmd: Command) => {
      const r = await callApi(
        apiTarget(cmd),
        'POST',
        `/v1/rollouts/${path(id)}/abort`,
        o.reason ? { reason: o.reason } : {},
      );
      if (o.json) return json(r);
      out(`rollout ${r.id}: abort requested by ${r.abortedBy}; it rolls back to ${weightsText(r.initial)}`);
    });
  rollout
    .command('list')
    .description('rollouts, newest first')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const { rollouts } = (await callApi(apiTarget(cmd), 'GET', '/v1/rollouts')) as { rollouts: Summary[] };
      if (o.json) return json(rollouts);
      out(
        table(
          ['ID', 'CHAIN', 'TO', 'STRATEGY', 'STEP', 'OUTCOME', 'RESULT', 'STARTED', 'BY'],
          rollouts.map((r) => [
            r.id,
            r.chain,
            r.to,
            r.strategy,
            `${r.step}/${r.steps}`,
            r.outcome,
            r.result ?? '',
            r.startedAt.replace(/\.\d+Z$/, 'Z'),
            r.by,
          ]),
        ),
      );
    });
}
