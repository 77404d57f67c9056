// `lifeline routes|status|shifts|failover|failback`: traffic and provider health through the API.
import type { Command } from 'commander';
import { callApi } from './http';
import { CliError, EXIT } from './errors';
import { table, weightsText } from './output';
import { fetchStatus, renderStatus, watchStatus } from './status';
import { apiTarget, json, oneOf, out, path } from './args';

export function registerRouteCommands(program: Command): void {
  program
    .command('routes [chain]')
    .description('show the live traffic distribution')
    .option('--json', 'print JSON')
    .action(async (chain: string | undefined, o: { json?: boolean }, cmd: Command) => {
      const res = await callApi(apiTarget(cmd), 'GET', chain ? `/v1/routes/${path(chain)}` : '/v1/routes');
      const routes = chain ? [res] : res.routes;
      if (o.json) return json(chain ? res : routes);
      out(
        table(
          ['CHAIN', 'VERSION', 'MODE', 'UPDATED', 'WEIGHTS'],
          routes.map(
            (r: { id: string; version: number; mode: string; updatedAt: string; weights: Record<string, number> }) => [
              r.id,
              `v${r.version}`,
              r.mode,
              r.updatedAt.replace(/\.\d+Z$/, 'Z'),
              weightsText(r.weights),
            ],
          ),
        ),
      );
    });
  program
    .command('status')
    .description('providers (health, breaker), routes and open incidents at a glance; --watch keeps it live')
    .option(
      '-w, --watch',
      'refresh until Ctrl-C: redrawn in place on a terminal, printed once per refresh (no escape codes) otherwise',
    )
    .option('--refresh <seconds>', 'seconds between refreshes with --watch', '5')
    .option('--count <n>', 'with --watch: stop after n refreshes (scripts, logs)')
    .option('--json', 'print JSON (not with --watch)')
    .addHelpText(
      'after',
      `
Examples:
  lifeline status                     one snapshot
  lifeline status --watch             live view, every 5 s
  lifeline status --watch --refresh 10 | tee status.log   plain output, one block per refresh`,
    )
    .action(async (o: { watch?: boolean; refresh: string; count?: string; json?: boolean }, cmd: Command) => {
      const target = apiTarget(cmd);
      const refreshS = Number(o.refresh);
      if (!Number.isFinite(refreshS) || refreshS < 0.05)
        throw new CliError(`--refresh must be a number of seconds ≥ 0.05 (got "${o.refresh}")`, EXIT.usage);
      const count = o.count === undefined ? undefined : Number(o.count);
      if (count !== undefined && !(Number.isInteger(count) && count > 0))
        throw new CliError(`--count must be a positive whole number (got "${o.count}")`, EXIT.usage);
      if (!o.watch) {
        const view = await fetchStatus(target);
        return o.json ? json(view) : out(renderStatus(view, new Date()));
      }
      if (o.json) throw new CliError('--json cannot be combined with --watch', EXIT.usage);
      const stop = new AbortController();
      const onSigint = () => stop.abort();
      process.once('SIGINT', onSigint);
      try {
        const failed = await watchStatus(
          target,
          { refreshS, count },
          { write: (t) => void process.stdout.write(t), isTTY: !!process.stdout.isTTY, signal: stop.signal },
        );
        // The last screen shows the error too; the exit code tells a script the view ended stale.
        if (failed) throw failed instanceof CliError ? failed : new CliError(failed.message, EXIT.failure);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });

  program
    .command('shifts [chain]')
    .description('the latest traffic shift of each chain (running or finished)')
    .option('--json', 'print JSON')
    .action(async (chain: string | undefined, o: { json?: boolean }, cmd: Command) => {
      const target = apiTarget(cmd);
      const chains: string[] = chain
        ? [chain]
        : (await callApi(target, 'GET', '/v1/routes')).routes.map((r: { id: string }) => r.id);
      const shifts = await Promise.all(
        chains.map(async (c) => {
          try {
            return { chain: c, shift: await callApi(target, 'GET', `/v1/routes/${path(c)}/shift`) };
          } catch (err) {
            if (err instanceof CliError && err.exitCode === EXIT.notFound && !chain) return { chain: c, shift: null };
            throw err;
          }
        }),
      );
      if (o.json) return json(chain ? shifts[0].shift : shifts);
      out(
        table(
          ['CHAIN', 'STATUS', 'KIND', 'BY', 'OUTCOME'],
          shifts.map(({ chain: c, shift }) => {
            if (!shift) return [c, 'none yet', '', '', ''];
            const req = shift.request ?? {};
            const result = shift.result;
            return [
              c,
              String(shift.status).toLowerCase(),
              result?.kind ?? req.kind,
              req.by,
              result ? `${result.outcome}: ${result.detail}` : `${shift.steps?.length ?? 0} step(s) so far`,
            ];
          }),
        ),
      );
    });
  program
    .command('failover <chain>')
    .description('move traffic off a provider (a traffic shift through the API)')
    .requiredOption('--from <provider>', 'the provider losing traffic')
    .option('--to <provider>', 'the provider receiving it (default: next healthy in chain order)')
    .option('--mode <mode>', 'immediate | gradual | canary', 'immediate')
    .option('--step-delay <ms>', 'wait between a gradual/canary step and its validation')
    .option('--force', 'move traffic even if no healthy provider would be left (emergency mode)')
    .option('--json', 'print JSON')
    .action(
      async (
        chain: string,
        o: { from: string; to?: string; mode: string; stepDelay?: string; force?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const mode = oneOf('--mode', o.mode, ['immediate', 'gradual', 'canary'] as const)!;
        const body = {
          from: o.from,
          mode,
          ...(o.to ? { to: o.to } : {}),
          ...(o.stepDelay ? { stepDelayMs: Number(o.stepDelay) } : {}),
          ...(o.force ? { force: true } : {}),
        };
        const res = await callApi(apiTarget(cmd), 'POST', `/v1/routes/${path(chain)}/failover`, body);
        if (o.json) return json(res);
        out(
          `${res.chain}: ${res.kind} failover off ${o.from} started; follow it with: lifeline shifts ${res.chain}  (route: lifeline routes ${res.chain})`,
        );
      },
    );
  program
    .command('failback <chain>')
    .description('restore the configured weights step by step (10 → 25 → 50 → 75 → 100 %)')
    .option('--from <provider>', 'the provider coming back')
    .option('--healthy-for <ms>', 'how long it must have been healthy first')
    .option('--step-delay <ms>', 'wait between a step and its validation')
    .option('--json', 'print JSON')
    .action(
      async (
        chain: string,
        o: { from?: string; healthyFor?: string; stepDelay?: string; json?: boolean },
        cmd: Command,
      ) => {
        const body = {
          ...(o.from ? { from: o.from } : {}),
          ...(o.healthyFor ? { healthyForMs: Number(o.healthyFor) } : {}),
          ...(o.stepDelay ? { stepDelayMs: Number(o.stepDelay) } : {}),
        };
        const res = await callApi(apiTarget(cmd), 'POST', `/v1/routes/${path(chain)}/failback`, body);
        if (o.json) return json(res);
        out(
          `${res.chain}: failback started; follow it with: lifeline shifts ${res.chain}  (route: lifeline routes ${res.chain})`,
        );
      },
    );
}
