// `lifeline slo [id]`: error budgets, burn rates and quota forecasts through GET /v1/slos.
import type { Command } from 'commander';
import { callApi } from './http';
import { CliError, EXIT } from './errors';
import { table } from './output';
import { apiTarget, json, out } from './args';
import {
  QUOTA_HEADERS,
  SLO_HEADERS,
  quotaCells,
  sloCells,
  type QuotaRowInput,
  type SloRowInput,
} from '../domain/slo-format';

export function registerSloCommands(program: Command): void {
  program
    .command('slo [id]')
    .description('SLOs: error budget left, burn rates and burn alerts; quota forecasts')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Objectives come from the config's slos: section; until a worker has sent its first samples (about a
minute after start) they show "no data". Exit code 3 when <id> names no objective.`,
    )
    .action(async (id: string | undefined, o: { json?: boolean }, cmd: Command) => {
      const res = (await callApi(apiTarget(cmd), 'GET', '/v1/slos')) as {
        at: string;
        running: boolean;
        slos: SloRowInput[];
        quotas: QuotaRowInput[];
      };
      const slos = id ? res.slos.filter((s) => s.id === id) : res.slos;
      if (id && !slos.length)
        throw new CliError(`no SLO "${id}"`, EXIT.notFound, `known: ${res.slos.map((s) => s.id).join(', ') || 'none'}`);
      if (o.json) return json(id ? slos[0] : res);
      const parts: string[] = [];
      parts.push(slos.length ? table(SLO_HEADERS, slos.map(sloCells)) : 'no SLOs configured (slos: in the config)');
      if (!id) {
        const now = Date.parse(res.at) || Date.now();
        parts.push(
          res.quotas.length
            ? table(
                QUOTA_HEADERS,
                res.quotas.map((q) => quotaCells(q, now)),
              )
            : 'no rate-limit readings yet (quota forecasts start with the first probes that carry rate-limit headers)',
        );
      }
      out(parts.join('\n\n'));
    });
}
