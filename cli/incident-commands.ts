// `lifeline incidents list|show|report`: reading incidents through the API.
import type { Command } from 'commander';
import { callApi } from './http';
import { incidentSummary, phaseText, table } from './output';
import { apiTarget, json, oneOf, out, path, SEVERITIES } from './args';

export function registerIncidentCommands(program: Command): void {
  const incidents = program.command('incidents').description('read incidents (through the API)');
  incidents
    .command('list')
    .description('open incidents (Temporal) and closed ones (archive)')
    .option('--status <status>', 'open | resolved | all', 'all')
    .option('--provider <id>')
    .option('--severity <sev>', 'sev1..sev4 (any case)')
    .option('--since <iso>', 'started at or after (ISO 8601)')
    .option('--until <iso>', 'started at or before (ISO 8601)')
    .option('--json', 'print JSON')
    .action(
      async (
        o: { status: string; provider?: string; severity?: string; since?: string; until?: string; json?: boolean },
        cmd: Command,
      ) => {
        const q = new URLSearchParams();
        q.set('status', oneOf('--status', o.status, ['open', 'resolved', 'all'] as const)!);
        if (o.provider) q.set('provider', o.provider);
        const sev = oneOf('--severity', o.severity, SEVERITIES, true);
        if (sev) q.set('severity', sev);
        if (o.since) q.set('since', o.since);
        if (o.until) q.set('until', o.until);
        const { incidents: list } = await callApi(apiTarget(cmd), 'GET', `/v1/incidents?${q}`);
        if (o.json) return json(list);
        if (!list.length) return out(o.status === 'open' ? 'no open incidents' : 'no incidents');
        out(
          table(
            ['ID', 'STATUS', 'SEV', 'PHASE', 'STARTED', 'TITLE'],
            list.map(
              (i: {
                id: string;
                status: string;
                severity?: string;
                phase?: string;
                startedAt: string;
                title: string;
              }) => [
                i.id,
                i.status,
                i.severity,
                i.status === 'open' && i.phase ? phaseText(i.phase) : '',
                i.startedAt.replace(/\.\d+Z$/, 'Z'),
                i.title,
              ],
            ),
          ),
        );
      },
    );
  incidents
    .command('show <id>')
    .description('one incident as a readable summary (--json: the full record)')
    .option('--json', 'print the full record as JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      const s = await callApi(apiTarget(cmd), 'GET', `/v1/incidents/${path(id)}`);
      if (o.json) return json(s);
      out(incidentSummary(s));
    });
  incidents
    .command('report <id>')
    .description('the postmortem (a draft while open, archived once closed)')
    .option('--format <format>', 'md | html | json', 'md')
    .option('--json', 'same as --format json')
    .action(async (id: string, o: { format: string; json?: boolean }, cmd: Command) => {
      const format = o.json ? 'json' : oneOf('--format', o.format, ['md', 'html', 'json'] as const)!;
      const accept = { md: 'text/markdown', html: 'text/html', json: 'application/json' }[format];
      const body = await callApi(apiTarget(cmd), 'GET', `/v1/incidents/${path(id)}/report`, undefined, accept);
      out(typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    });
}
