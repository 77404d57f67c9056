// `lifeline doctor`, the pure part: from facts about a config and its environment (gathered by
// cli/doctor.ts: secrets set or not, Temporal and channels reachable, monitors' health, drill reports,
// the namespace retention), the findings — each with its fix — and a readiness level in the monitoring
// maturity terms basic → intermediate → advanced → expert, with what the next level needs.
import { DEFAULT_ESCALATION_LEVELS, type EscalationLevel } from './escalation';
import { DRILL_TARGETS } from './drill';

export type FindingSeverity = 'error' | 'warning' | 'info';

export interface Finding {
  id: string;
  severity: FindingSeverity;
  /** What it is about: a config path or a component. */
  subject: string;
  message: string;
  fix: string;
}

export const READINESS_LEVELS = ['none', 'basic', 'intermediate', 'advanced', 'expert'] as const;
export type ReadinessLevel = (typeof READINESS_LEVELS)[number];

interface Person {
  name: string;
  email?: string;
  slack?: string;
  pagerdutyRoutingKeyEnv?: string;
}

export interface DoctorFacts {
  now: string;
  providers: { id: string; detectionBoundMs: number }[];
  chains: { id: string; providers: string[] }[];
  escalation: { roles: Record<string, Person[]>; levels: Partial<Record<EscalationLevel, string[]>> };
  /** Configured notification targets besides the log ('slack', 'email', 'pagerduty', 'webhook:<name>'). */
  channels: string[];
  /** Every `*Env` key the config names, and whether the variable is set. */
  secrets: { where: string; env: string; set: boolean; optional?: boolean }[];
  /** Channels probed from here (absent: not probed). */
  channelProbes?: { channel: string; ok: boolean; detail: string }[];
  temporal: { address: string; reachable: boolean; detail: string; retentionDays?: number | null };
  /** The retention the archive and status page need (days; the page's history window). */
  retentionNeededDays: number;
  drills: {
    configured: { id: string; chain: string; schedule?: string; enabled: boolean }[];
    /** Reports from the store (null: could not be read). */
    runs: { chain: string; startedAt: string; outcome: string }[] | null;
  };
  /** Providers the monitors report unhealthy now (null: unknown, Temporal not reachable). */
  unhealthy: string[] | null;
  /** The config's `slos` key as written, when the config has one. */
  slos?: unknown;
}

export interface DoctorResult {
  findings: Finding[];
  readiness: { level: ReadinessLevel; next: ReadinessLevel | null; needs: string[] };
  counts: Record<FindingSeverity, number>;
}

const DAY = 86_400_000;
export const DRILL_FRESH_DAYS = 30;

export function diagnose(f: DoctorFacts): DoctorResult {
  const findings: Finding[] = [];
  const add = (x: Finding) => findings.push(x);
  const now = Date.parse(f.now);

  // ---- chains: a backup, and a healthy one --------------------------------------------------------
  for (const c of f.chains) {
    if (c.providers.length < 2) {
      add({
        id: 'chain-single-provider',
        severity: 'error',
        subject: `chains.${c.id}`,
        message: `chain ${c.id} has one provider (${c.providers[0] ?? 'none'}): an outage there has nowhere to go`,
        fix: `add a second provider (another vendor or region) to chains.${c.id}.providers`,
      });
    } else if (f.unhealthy && c.providers.filter((p) => !f.unhealthy!.includes(p)).length < 2) {
      const healthy = c.providers.filter((p) => !f.unhealthy!.includes(p));
      add({
        id: 'chain-no-healthy-alternative',
        severity: 'error',
        subject: `chains.${c.id}`,
        message: `chain ${c.id} has ${healthy.length ? `only ${healthy[0]} healthy` : 'no healthy provider'} right now (unhealthy: ${f.unhealthy.filter((p) => c.providers.includes(p)).join(', ')})`,
        fix: 'check `lifeline status`; restore the unhealthy providers or add another to the chain',
      });
    }
  }

  // ---- detection against the runbook target ------------------------------------------------------
  for (const p of f.providers)
    if (p.detectionBoundMs >= DRILL_TARGETS.detectionMs)
      add({
        id: 'detection-slow',
        severity: 'warning',
        subject: `providers.${p.id}`,
        message: `${p.id}'s breaker can take up to ${Math.round(p.detectionBoundMs / 1000)} s to open (target < ${DRILL_TARGETS.detectionMs / 1000} s)`,
        fix: `lower providers.${p.id}.probe.intervalMs or detection.failuresToOpen`,
      });

  // ---- failover exercised: a drill per chain within 30 days --------------------------------------
  const runs = f.drills.runs;
  if (runs === null)
    add({
      id: 'drill-records-unreadable',
      severity: 'warning',
      subject: 'store',
      message: 'drill reports could not be read, so failover readiness is unknown',
      fix: 'check the store (dataDir, or store.postgres.urlEnv) is readable from here',
    });
  const drilled = new Map<string, { startedAt: string; outcome: string }>();
  for (const r of runs ?? []) {
    if (r.outcome === 'refused') continue;
    const prev = drilled.get(r.chain);
    if (!prev || prev.startedAt < r.startedAt) drilled.set(r.chain, r);
  }
  for (const c of f.chains.filter((x) => x.providers.length >= 2)) {
    const last = drilled.get(c.id);
    const age = last ? (now - Date.parse(last.startedAt)) / DAY : Infinity;
    if (runs !== null && age > DRILL_FRESH_DAYS)
      add({
        id: 'failover-not-exercised',
        severity: 'warning',
        subject: `chains.${c.id}`,
        message: last
          ? `chain ${c.id}'s failover was last exercised ${Math.floor(age)} days ago`
          : `chain ${c.id}'s failover has never been exercised (no drill)`,
        fix: `run \`lifeline drill run ${c.id} --share 10 --wait\`, and schedule one: drills: [{ id: ${c.id}-monthly, chain: ${c.id}, share: 10, schedule: "0 10 1 * *" }]`,
      });
    else if (last && last.outcome !== 'passed')
      add({
        id: 'drill-failed',
        severity: 'warning',
        subject: `chains.${c.id}`,
        message: `chain ${c.id}'s last drill (${last.startedAt}) ${last.outcome}`,
        fix: `read its findings (\`lifeline drill list\`, \`lifeline drill show <id>\`), fix them and drill again`,
      });
  }

  // ---- escalation: every level reaches somebody ---------------------------------------------------
  for (const level of [1, 2, 3] as EscalationLevel[]) {
    const roles = f.escalation.levels[level] ?? DEFAULT_ESCALATION_LEVELS[level];
    const people = roles.flatMap((r) => f.escalation.roles[r] ?? []);
    const empty = roles.filter((r) => !(f.escalation.roles[r] ?? []).length);
    if (!people.length)
      add({
        id: 'escalation-level-empty',
        severity: 'error',
        subject: `escalation.levels.${level}`,
        message: `escalation level ${level} pages nobody (roles ${roles.join(', ') || 'none'} have no people)`,
        fix: `add people to escalation.roles.${empty[0] ?? 'technical_lead'} (name plus email, slack or pagerdutyRoutingKeyEnv)`,
      });
    else if (empty.length)
      add({
        id: 'escalation-role-empty',
        severity: 'warning',
        subject: `escalation.levels.${level}`,
        message: `level ${level} names role(s) with nobody in them: ${empty.join(', ')}`,
        fix: `add people to escalation.roles.${empty[0]}, or drop the role from escalation.levels.${level}`,
      });
  }
  for (const [role, people] of Object.entries(f.escalation.roles))
    for (const p of people)
      if (!p.email && !p.slack && !p.pagerdutyRoutingKeyEnv)
        add({
          id: 'contact-unreachable',
          severity: 'warning',
          subject: `escalation.roles.${role}`,
          message: `${p.name} (${role}) has no email, Slack ID or PagerDuty key: a page cannot reach them`,
          fix: `give ${p.name} an email, slack (U…) or pagerdutyRoutingKeyEnv`,
        });

  // ---- channels and secrets ----------------------------------------------------------------------
  if (!f.channels.length)
    add({
      id: 'no-channels',
      severity: 'warning',
      subject: 'notifications',
      message: 'pages go to the log only: no Slack, email, PagerDuty or webhook is configured',
      fix: 'configure notifications.slack, notifications.pagerduty or notifications.email (with smtp:)',
    });
  for (const s of f.secrets)
    if (!s.set)
      add({
        id: 'secret-unset',
        severity: s.optional ? 'warning' : 'error',
        subject: s.where,
        message: `${s.env} is not set`,
        fix: `export ${s.env}=… in the environment lifeline runs in (secrets are never written in the config)`,
      });
  for (const c of f.channelProbes ?? [])
    if (!c.ok)
      add({
        id: 'channel-unreachable',
        severity: 'error',
        subject: `notifications.${c.channel.split(':')[0]}`,
        message: `${c.channel} is unreachable from here: ${c.detail}`,
        fix: `check the endpoint, the network path and the credentials of ${c.channel}`,
      });

  // ---- Temporal and retention ----------------------------------------------------------------------
  if (!f.temporal.reachable)
    add({
      id: 'temporal-unreachable',
      severity: 'error',
      subject: 'temporal.address',
      message: `Temporal at ${f.temporal.address} is unreachable: ${f.temporal.detail}`,
      fix:
        f.temporal.address === 'embedded'
          ? 'start lifeline (`lifeline up`): the embedded server runs inside it'
          : 'check temporal.address, TLS (temporal.tls) and the API key (temporal.apiKeyEnv)',
    });
  else if (typeof f.temporal.retentionDays === 'number' && f.temporal.retentionDays < f.retentionNeededDays)
    add({
      id: 'retention-short',
      severity: f.temporal.retentionDays < 1 ? 'error' : 'warning',
      subject: 'temporal namespace',
      message: `namespace retention is ${f.temporal.retentionDays} day(s); the status page history and archive replays need ${f.retentionNeededDays}`,
      fix: `temporal operator namespace update --retention ${f.retentionNeededDays * 24}h <namespace> (or lower statusPage.historyDays)`,
    });

  // ---- SLOs (the key may not exist in this config version: read defensively) ------------------------
  const sloCount = Array.isArray(f.slos)
    ? f.slos.length
    : f.slos && typeof f.slos === 'object'
      ? Object.keys(f.slos).length
      : 0;
  if (!sloCount)
    add({
      id: 'slos-missing',
      severity: 'info',
      subject: 'slos',
      message: 'no SLOs defined: nothing says how reliable each provider and service must be',
      fix: 'define availability and p95 latency targets per provider and service (slos:)',
    });

  const order: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity]);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const x of findings) counts[x.severity] += 1;
  return { findings, counts, readiness: readiness(f, findings, drilled, now, sloCount) };
}

/**
 * The highest level whose needs all hold. basic: watched (providers probed, Temporal up, no secret
 * missing); intermediate: every chain has a backup and every escalation level reaches someone through a
 * real channel; advanced: failover exercised by a drill per chain within 30 days, and SLOs defined;
 * expert: every chain drilled on a schedule, the last drills passed, and no warnings left.
 */
function readiness(
  f: DoctorFacts,
  findings: Finding[],
  drilled: Map<string, { startedAt: string; outcome: string }>,
  now: number,
  sloCount: number,
): DoctorResult['readiness'] {
  const has = (id: string) => findings.some((x) => x.id === id);
  const multi = f.chains.filter((c) => c.providers.length >= 2);
  const scheduled = new Set(f.drills.configured.filter((d) => d.schedule && d.enabled).map((d) => d.chain));
  const needs: Record<Exclude<ReadinessLevel, 'none'>, [boolean, string][]> = {
    basic: [
      [f.providers.length > 0, 'providers probed'],
      [!has('temporal-unreachable'), 'Temporal reachable'],
      [!findings.some((x) => x.id === 'secret-unset' && x.severity === 'error'), 'every required secret set'],
    ],
    intermediate: [
      [f.chains.length > 0 && !has('chain-single-provider'), 'a backup provider in every chain'],
      [!has('escalation-level-empty'), 'every escalation level reaches somebody'],
      [f.channels.length > 0 && !has('channel-unreachable'), 'a reachable paging channel besides the log'],
    ],
    advanced: [
      [
        multi.length > 0 &&
          multi.every((c) => {
            const d = drilled.get(c.id);
            return !!d && (now - Date.parse(d.startedAt)) / DAY <= DRILL_FRESH_DAYS;
          }),
        `a failover drill of every chain within ${DRILL_FRESH_DAYS} days`,
      ],
      [sloCount > 0, 'SLOs defined (slos:)'],
    ],
    expert: [
      [multi.length > 0 && multi.every((c) => scheduled.has(c.id)), 'a scheduled drill for every chain'],
      [multi.every((c) => drilled.get(c.id)?.outcome === 'passed'), 'the last drill of every chain passed'],
      [!findings.some((x) => x.severity === 'warning' || x.severity === 'error'), 'no errors or warnings left'],
    ],
  };
  let level: ReadinessLevel = 'none';
  for (const l of ['basic', 'intermediate', 'advanced', 'expert'] as const) {
    if (!needs[l].every(([ok]) => ok))
      return { level, next: l, needs: needs[l].filter(([ok]) => !ok).map(([, w]) => w) };
    level = l;
  }
  return { level, next: null, needs: [] };
}
