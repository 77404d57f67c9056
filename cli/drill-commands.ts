// `lifeline drill run|schedule|list|show|stop`: failover drills through the API (/v1/drills).
// `run --wait` exits by the result: 0 passed, 1 failed, 4 refused (conflict), like every other verb.
import type { Command } from 'commander';
import { setTimeout as delay } from 'node:timers/promises';
import type { DrillReport } from '../domain/drill';
import { callApi } from './http';
import { CliError, EXIT } from './errors';
import { table, weightsText } from './output';
import { apiTarget, json, out, path, readVerb } from './args';

const sec = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
/** An ISO time to the second, as the tables and timelines show it. */
const stamp = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');
const shareText = (s: number | 'full') => (s === 'full' ? 'full' : `${s} %`);

/** A drill report for a terminal: outcome, times against the targets, weights, findings, timeline. */
export function renderDrillReport(r: DrillReport): string {
  const t = r.timings;
  const mark = (v: number | undefined, target: number) =>
    v === undefined ? 'not measured' : v < target ? 'ok' : 'MISSED';
  return [
    `${r.id}: ${r.outcome.toUpperCase()} — drill ${r.drill ?? '(ad hoc)'} on ${r.chain}, ${r.primary ?? '?'} → ${r.backup ?? '?'}, share ${shareText(r.share)}, window ${sec(r.durationMs)}`,
    `started ${r.startedAt} by ${r.by}${r.scheduled ? ' (scheduled)' : ''}, ended ${r.endedAt}`,
    '',
    table(
      ['MEASURE', 'TIME', 'TARGET', ''],
      [
        [
          'detection',
          sec(t.detectionMs),
          `< ${sec(r.targets.detectionMs)}`,
          mark(t.detectionMs, r.targets.detectionMs),
        ],
        ['failover', sec(t.failoverMs), `< ${sec(r.targets.failoverMs)}`, mark(t.failoverMs, r.targets.failoverMs)],
        [
          'restoration',
          sec(t.restorationMs),
          `< ${sec(r.targets.restorationMs)}`,
          mark(t.restorationMs, r.targets.restorationMs),
        ],
      ],
    ),
    '',
    `weights: before ${r.weights.before ? weightsText(r.weights.before) : '-'}; during ${r.weights.during ? weightsText(r.weights.during) : '-'}; after ${r.weights.after ? weightsText(r.weights.after) : '-'}`,
    `backup checks: ${r.checks.total} (${r.checks.failed} failed)`,
    `findings: ${r.findings.length ? '' : 'none'}`,
    ...r.findings.map((f) => `  - ${f}`),
    'timeline:',
    ...r.timeline.map((e) => `  ${stamp(e.at)}  ${e.what}`),
  ].join('\n');
}

interface ScheduleAnswer {
  schedules: {
    drill: string;
    cron: string;
    enabled: boolean;
    paused: boolean | null;
    nextRunAt: string | null;
    lastRunAt: string | null;
  }[];
}
type ConfiguredDrill = Pick<DrillReport, 'chain' | 'share' | 'durationMs'> & {
  id: string;
  schedule?: string;
  enabled: boolean;
  lastRun: DrillReport | null;
};
interface DrillsAnswer {
  drills: ConfiguredDrill[];
  runs: DrillReport[];
}

const SCHEDULE_HEADERS = ['DRILL', 'CRON (UTC)', 'STATE', 'NEXT RUN', 'LAST RUN'];
const scheduleCells = (s: ScheduleAnswer['schedules'][number]) => [
  s.drill,
  s.cron,
  s.paused === null ? 'not written yet (start a worker)' : s.paused ? 'paused' : 'active',
  s.nextRunAt,
  s.lastRunAt,
];

const DRILL_HEADERS = ['DRILL', 'CHAIN', 'SHARE', 'WINDOW', 'SCHEDULE', 'LAST RUN'];
const drillCells = (d: ConfiguredDrill) => [
  d.id,
  d.chain,
  shareText(d.share),
  sec(d.durationMs),
  d.schedule ? `${d.schedule}${d.enabled ? '' : ' (disabled)'}` : d.enabled ? 'manual' : 'disabled',
  d.lastRun ? `${d.lastRun.outcome} ${stamp(d.lastRun.startedAt)}` : 'never',
];

const RUN_HEADERS = ['RUN', 'CHAIN', 'STARTED', 'OUTCOME', 'FAILOVER', 'RESTORATION'];
const runCells = (r: DrillReport) => [
  r.id,
  r.chain,
  stamp(r.startedAt),
  r.outcome,
  sec(r.timings.failoverMs),
  sec(r.timings.restorationMs),
];

/** GET /v1/drills/schedules for a terminal. */
function printSchedules(res: ScheduleAnswer): void {
  if (!res.schedules.length) return out('no scheduled drills (add schedule: "<cron>" to a drill in the config)');
  out(table(SCHEDULE_HEADERS, res.schedules.map(scheduleCells)));
}

/** GET /v1/drills for a terminal: the configured drills, then the recent runs. */
function printDrills(res: DrillsAnswer): void {
  out(table(DRILL_HEADERS, res.drills.map(drillCells)));
  out('');
  out(table(RUN_HEADERS, res.runs.map(runCells)));
}

export function registerDrillCommands(program: Command): void {
  const drill = program
    .command('drill')
    .description('failover drills: move traffic to the backup, hold, roll back, report');

  drill
    .command('run <chain-or-drill>')
    .description(
      'run a configured drill (by id) or an ad-hoc one on a chain; refused (exit 4) during an incident or shift',
    )
    .option('--share <percent|full>', "share of the primary's traffic to move (ad hoc default: full)")
    .option('--duration <seconds>', 'how long to hold traffic on the backup (ad hoc default: 60)')
    .option('--to <provider>', 'the backup (default: the next healthy provider in chain order)')
    .option('--wait', 'wait for the report; exit 0 passed, 1 failed, 4 refused')
    .option('--json', 'print JSON')
    .action(
      async (
        target: string,
        o: { share?: string; duration?: string; to?: string; wait?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const api = apiTarget(cmd);
        // The API takes a percent: 100 is the whole share (`full`).
        const share = o.share === undefined ? undefined : o.share === 'full' ? 100 : Number(o.share);
        if (share !== undefined && !(Number.isInteger(share) && share >= 1 && share <= 100))
          throw new CliError(`--share must be a whole percent 1-100 or "full" (got "${o.share}")`, EXIT.usage);
        const seconds = o.duration === undefined ? undefined : Number(o.duration);
        if (seconds !== undefined && !(Number.isFinite(seconds) && seconds >= 1))
          throw new CliError(`--duration must be a number of seconds ≥ 1 (got "${o.duration}")`, EXIT.usage);
        const configured = (await callApi(api, 'GET', '/v1/drills')).drills as { id: string }[];
        const body = {
          ...(configured.some((d) => d.id === target) ? { drill: target } : { chain: target }),
          ...(share !== undefined ? { share } : {}),
          ...(seconds !== undefined ? { durationMs: Math.round(seconds * 1000) } : {}),
          ...(o.to ? { to: o.to } : {}),
        };
        const started = await callApi(api, 'POST', '/v1/drills/runs', body);
        if (!o.wait) {
          if (o.json) return json(started);
          return out(
            `${started.id}: drill started on ${started.chain}; follow it with: lifeline drill show ${started.id}`,
          );
        }
        let res = await callApi(api, 'GET', `/v1/drills/runs/${path(started.id)}`).catch(() => null);
        while (res?.status !== 'finished') {
          await delay(500);
          res = await callApi(api, 'GET', `/v1/drills/runs/${path(started.id)}`).catch((err: unknown) => {
            if (err instanceof CliError && err.exitCode === EXIT.notFound) return null; // not started yet
            throw err;
          });
        }
        const report = res.report as DrillReport;
        if (o.json) json(report);
        else out(renderDrillReport(report));
        if (report.outcome === 'refused') throw new CliError(`${report.id} was refused`, EXIT.conflict);
        if (!report.passed) throw new CliError(`${report.id} ${report.outcome}`, EXIT.failure);
      },
    );

  readVerb(
    drill,
    'schedule',
    'the scheduled drills: cron, paused or not, next and last run (schedules are written at worker start)',
    '/v1/drills/schedules',
    printSchedules,
    (res) => res.schedules,
  );
  readVerb(drill, 'list', 'configured drills with their last run, and the recent runs', '/v1/drills', printDrills);

  drill
    .command('show <id>')
    .description('a drill run: its report, or its progress while it runs')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      const res = await callApi(apiTarget(cmd), 'GET', `/v1/drills/runs/${path(id)}`);
      if (o.json) return json(res);
      if (res.status === 'finished') return out(renderDrillReport(res.report));
      const p = res.progress;
      out(
        `${p.id}: running (${p.phase}) on ${p.chain}, ${p.primary ?? '?'} → ${p.backup ?? '?'}, since ${p.startedAt}`,
      );
      for (const e of p.timeline as { at: string; what: string }[]) out(`  ${stamp(e.at)}  ${e.what}`);
    });

  drill
    .command('stop <id>')
    .description('end a running drill now: traffic is rolled back at once')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      const res = await callApi(apiTarget(cmd), 'POST', `/v1/drills/runs/${path(id)}/stop`, {});
      if (o.json) return json(res);
      out(`${id}: stopping; the report follows with: lifeline drill show ${id}`);
    });
}
