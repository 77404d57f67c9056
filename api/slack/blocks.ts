// Block Kit for incident messages: a summary with only the buttons that still make sense (Acknowledge
// until someone acknowledged, Escalate and Resolve while open, Timeline always), and a timeline view.
// The notification channel's message (templates/slack-blocks.json.hbs) uses the same action IDs.
import type { IncidentState } from '../../domain/incident';
import { buildReportModel } from '../../domain/report';

export const ACTIONS = {
  acknowledge: 'lifeline_ack',
  escalate: 'lifeline_escalate',
  resolve: 'lifeline_resolve',
  timeline: 'lifeline_timeline',
  /** Offered when lifeline held traffic on a declared incident whose checks all passed: the "ask". */
  failover: 'lifeline_failover',
} as const;

type Block = Record<string, unknown>;
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });

/** Phases in words people use ("Restoring traffic", not "restoring"). */
export const PHASE_LABELS: Record<string, string> = {
  detected: 'Detected',
  assessing: 'Assessing impact',
  escalating: 'Paging the team',
  diagnosing: 'Diagnosing',
  recovering: 'Mitigating',
  mitigating: 'Mitigating',
  monitoring: 'Monitoring',
  restoring: 'Restoring traffic',
  reporting: 'Resolved (writing the postmortem)',
  resolved: 'Resolved',
};
export const phaseLabel = (phase: string) => PHASE_LABELS[phase] ?? phase;

export function incidentText(s: IncidentState): string {
  const resolved = s.status === 'resolved';
  const ack = s.acknowledgements.length
    ? `acknowledged by ${s.acknowledgements.map((a) => a.by).join(', ')}`
    : 'not acknowledged';
  const state = resolved
    ? `*Resolved*${s.resolvedBy ? ` by ${s.resolvedBy}` : ''}`
    : `*${phaseLabel(s.phase)}* · level ${s.escalationLevel} · ${ack}`;
  return `${resolved ? '✅' : '🚨'} *${s.severity}* \`${s.id}\` — ${s.title}\nprovider *${s.provider}* · ${state}`;
}

export function incidentBlocks(s: IncidentState): Block[] {
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(incidentText(s)) }];
  if (s.diagnosis) blocks.push({ type: 'context', elements: [mrkdwn(`root cause: *${s.diagnosis.rootCause}*`)] });
  const button = (text: string, action: string, style?: 'primary' | 'danger') => ({
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: action,
    value: s.id,
    ...(style ? { style } : {}),
  });
  const held =
    s.status !== 'resolved' && s.timeline.some((e) => e.type === 'failover_held') && !s.routingChanges.length;
  const buttons = [
    ...(s.status !== 'resolved' && !s.acknowledgedAt ? [button('Acknowledge', ACTIONS.acknowledge, 'primary')] : []),
    ...(held ? [button(`Move traffic off ${s.provider}`, ACTIONS.failover)] : []),
    ...(s.status !== 'resolved'
      ? [button('Escalate', ACTIONS.escalate), button('Resolve', ACTIONS.resolve, 'danger')]
      : []),
    button('Timeline', ACTIONS.timeline),
  ];
  blocks.push({ type: 'actions', block_id: `incident:${s.id}`, elements: buttons });
  return blocks;
}

/** The last entries of the timeline (Slack caps a section at 3,000 characters). */
export function timelineText(s: IncidentState, max = 25): string {
  const lines = s.timeline
    .slice(-max)
    .map((e) => `\`${e.at.slice(11, 19)}\` [${phaseLabel(e.phase)}] ${e.message}${e.actor ? ` — ${e.actor}` : ''}`);
  const text = [`*Timeline of \`${s.id}\`*`, ...lines].join('\n');
  return text.length > 2900 ? `${text.slice(0, 2900)}…` : text;
}

/** Where people read the postmortem: the API's report URL (HTML in a browser). */
export function reportUrl(config: { server: { publicUrl?: string; host: string; port: number } }, id: string): string {
  const base = (config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`).replace(/\/$/, '');
  return `${base}/v1/incidents/${encodeURIComponent(id)}/report`;
}

/** The postmortem in a few lines for Slack: state, durations that apply, root cause, link. */
export function reportSummary(s: IncidentState, url: string): string {
  const model = buildReportModel(s);
  const draft = s.status !== 'resolved' ? ' (DRAFT: the incident is still open)' : '';
  const durations = model.durations
    .filter((d) => d.ms !== null)
    .map((d) => `${d.label.replace(/ \(.*\)$/, '')}: ${d.text}`);
  const kpis = model.kpis.filter((k) => k.verdict !== 'n/a');
  return [
    `*Postmortem of \`${s.id}\`*${draft} — ${s.title}`,
    model.summary,
    durations.length ? durations.join(' · ') : '',
    kpis.length
      ? `Failover targets: ${kpis.filter((k) => k.verdict === 'met').length} met, ${kpis.filter((k) => k.verdict === 'missed').length} missed`
      : '',
    `Full report: ${url}`,
  ]
    .filter(Boolean)
    .join('\n');
}
