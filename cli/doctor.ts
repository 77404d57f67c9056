// `lifeline doctor`: the environment probes behind domain/doctor.ts — which secrets are set, whether
// Temporal answers (and its namespace retention, the monitors' health), whether the notification channels'
// endpoints accept a connection, and the drill reports in the store — then the findings, each with its fix,
// and the readiness level. Exit codes (README "lifeline doctor"): 0 no errors (warnings allowed), 1 warnings
// with --strict, 2 invalid config, 6 errors found.
import { connect as tcpConnect } from 'node:net';
import type { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { findConfigPath, loadConfig, configDeprecations } from '../config/load';
import type { LifelineConfig } from '../config/schema';
import { DrillReportStore } from '../client/drill-store';
import { readSecuredConnection } from '../client/connect';
import { unhealthyProviders } from '../client/provider-health';
import { deliveryTargets } from '../channels';
import { detectionBoundMs } from '../domain/drill';
import { diagnose, type DoctorFacts, type DoctorResult } from '../domain/doctor';
import { CliError, EXIT } from './errors';
import { json, out } from './args';

const PROBE_TIMEOUT_MS = 3_000;

/** Every `*Env` key in the config (secrets are only ever named): where it is, which variable, whether set. */
export function secretRefs(config: LifelineConfig, env: NodeJS.ProcessEnv): DoctorFacts['secrets'] {
  const found = new Map<string, DoctorFacts['secrets'][number]>();
  const walk = (v: unknown, at: string[]) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, [...at, String(i)]));
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && /Env$/.test(k)) {
        const where = [...at, k].join('.');
        // Backup keys and API tokens are not needed to run: lifeline works without them, less well.
        const optional = /^backup/.test(k) || at[0] === 'auth';
        found.set(`${where}:${x}`, { where, env: x, set: !!env[x], optional });
      } else walk(x, [...at, k]);
    }
  };
  walk(config, []);
  // notifications.email carries the smtp: section merged in: report each secret once, at its first path.
  const seen = new Set<string>();
  return [...found.values()].filter((s) => {
    const key = `${s.env}:${s.where.replace(/^notifications\.email\./, 'smtp.')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** host:port of each configured channel's endpoint, for a connection check (nothing is sent). */
function channelEndpoints(config: LifelineConfig): { channel: string; host: string; port: number }[] {
  const n = config.notifications as Record<string, unknown>;
  const at = (url: string) => {
    const u = new URL(url);
    return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  };
  const list: { channel: string; host: string; port: number }[] = [];
  const slack = n.slack as { apiUrl?: string } | undefined;
  if (slack) list.push({ channel: 'slack', ...at(slack.apiUrl ?? 'https://slack.com/api/') });
  const pd = n.pagerduty as { server?: string } | undefined;
  if (pd) list.push({ channel: 'pagerduty', host: pd.server ?? 'events.pagerduty.com', port: 443 });
  const email = n.email as { host?: string; port?: number } | undefined;
  if (email?.host) list.push({ channel: 'email', host: email.host, port: email.port ?? 587 });
  for (const w of (n.webhooks as { name: string; url: string }[] | undefined) ?? [])
    list.push({ channel: `webhook:${w.name}`, ...at(w.url) });
  return list;
}

function tcpCheck(host: string, port: number): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port, timeout: PROBE_TIMEOUT_MS });
    const done = (ok: boolean, detail: string) => {
      s.destroy();
      resolve({ ok, detail });
    };
    s.once('connect', () => done(true, `${host}:${port} accepts connections`));
    s.once('timeout', () => done(false, `${host}:${port} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`));
    s.once('error', (err: NodeJS.ErrnoException) => done(false, `${host}:${port}: ${err.code ?? err.message}`));
  });
}

async function temporalFacts(
  config: LifelineConfig,
  env: NodeJS.ProcessEnv,
): Promise<{ temporal: DoctorFacts['temporal']; unhealthy: string[] | null }> {
  const t = config.temporal;
  const address = t.address === 'embedded' ? `127.0.0.1:${t.port}` : t.address;
  const { settings, problems } = readSecuredConnection(t, env);
  if (problems.length)
    return { temporal: { address: t.address, reachable: false, detail: problems.join('; ') }, unhealthy: null };
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({
      address,
      connectTimeout: PROBE_TIMEOUT_MS,
      ...(settings.tls ? { tls: settings.tls } : {}),
      ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    });
    const ns = await connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
      connection!.workflowService.describeNamespace({ namespace: t.namespace }),
    );
    const ttl = ns.config?.workflowExecutionRetentionTtl;
    const retentionDays = ttl?.seconds != null ? Number(ttl.seconds) / 86_400 : null;
    const client = new Client({ connection, namespace: t.namespace, dataConverter: settings.dataConverter });
    const unhealthy = await client
      .withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
        unhealthyProviders(
          client,
          config.providers.map((p) => p.id),
        ),
      )
      .catch(() => null);
    return {
      temporal: { address: t.address, reachable: true, detail: `${address} answered`, retentionDays },
      unhealthy,
    };
  } catch (err) {
    return {
      temporal: { address: t.address, reachable: false, detail: `${address}: ${(err as Error).message}` },
      unhealthy: null,
    };
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export async function gatherFacts(
  config: LifelineConfig,
  opts: { env?: NodeJS.ProcessEnv; probeChannels?: boolean; now?: Date } = {},
): Promise<DoctorFacts> {
  const env = opts.env ?? process.env;
  const [{ temporal, unhealthy }, runs, channelProbes] = await Promise.all([
    temporalFacts(config, env),
    DrillReportStore.forConfig(config, env)
      .list()
      .then((rs) => rs.map((r) => ({ chain: r.chain, startedAt: r.startedAt, outcome: r.outcome })))
      .catch(() => null),
    opts.probeChannels === false
      ? Promise.resolve(undefined)
      : Promise.all(
          channelEndpoints(config).map(async (c) => ({ channel: c.channel, ...(await tcpCheck(c.host, c.port)) })),
        ),
  ]);
  return {
    now: (opts.now ?? new Date()).toISOString(),
    providers: config.providers.map((p) => ({
      id: p.id,
      detectionBoundMs: detectionBoundMs(p.probe, p.detection.failuresToOpen),
    })),
    chains: config.chains.map((c) => ({ id: c.id, providers: c.providers })),
    escalation: { roles: config.escalation.roles, levels: config.escalation.levels },
    channels: deliveryTargets(config.notifications).filter((c) => c !== 'log'),
    secrets: secretRefs(config, env),
    channelProbes,
    temporal,
    retentionNeededDays: config.statusPage.historyDays,
    drills: {
      configured: config.drills.map((d) => ({ id: d.id, chain: d.chain, schedule: d.schedule, enabled: d.enabled })),
      runs,
    },
    unhealthy,
    // A newer config version may have `slos:`; this one may not. Read it without assuming either.
    slos: (config as unknown as Record<string, unknown>).slos,
  };
}

const LABEL = { error: 'ERROR  ', warning: 'WARNING', info: 'INFO   ' } as const;

export function renderDoctor(file: string, r: DoctorResult): string {
  const lines = [`lifeline doctor: ${file}`, ''];
  if (!r.findings.length) lines.push('no findings');
  for (const f of r.findings) lines.push(`${LABEL[f.severity]}  ${f.subject}: ${f.message}`, `         fix: ${f.fix}`);
  lines.push(
    '',
    `${r.counts.error} error(s), ${r.counts.warning} warning(s), ${r.counts.info} note(s)`,
    `readiness: ${r.readiness.level}${r.readiness.next ? ` — for ${r.readiness.next}: ${r.readiness.needs.join('; ')}` : ' (the top level)'}`,
  );
  return lines.join('\n');
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check a config and its environment; findings with fixes and a readiness level (exit 6 on errors)')
    .option('--strict', 'exit 1 when there are warnings (and no errors)')
    .option('--offline', "do not connect to the notification channels' endpoints")
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Exit codes: 0 no errors (warnings allowed), 1 warnings with --strict, 2 invalid config, 6 errors found.`,
    )
    .action(async (o: { strict?: boolean; offline?: boolean; json?: boolean }, cmd: Command) => {
      const found = findConfigPath(cmd.optsWithGlobals<{ config?: string }>().config);
      const config = loadConfig(found.path);
      const result = diagnose(await gatherFacts(config, { probeChannels: !o.offline }));
      for (const w of configDeprecations(config))
        result.findings.unshift({
          id: 'deprecated-key',
          severity: 'warning',
          subject: 'config',
          message: w,
          fix: 'use the new key',
        });
      result.counts.warning += configDeprecations(config).length;
      if (o.json) json({ config: found.path, ...result });
      else out(renderDoctor(found.path, result));
      if (result.counts.error) throw new CliError(`${result.counts.error} error(s) found`, EXIT.problems);
      if (o.strict && result.counts.warning)
        throw new CliError(`${result.counts.warning} warning(s) (--strict)`, EXIT.failure);
    });
}
