// Block Kit for incident messages: a summary with Acknowledge / Escalate / Resolve / Timeline buttons
// (action IDs below; the button value is the incident ID), and a timeline view. The notification
// channel's message (templates/slack-blocks.json.hbs) uses the same action IDs.
import type { IncidentState } from '../../domain/incident';

export const ACTIONS = {
  acknowledge: 'lifeline_ack',
  escalate: 'lifeline_escalate',
  resolve: 'lifeline_resolve',
  timeline: 'lifeline_timeline',
} as const;

type Block = Record<string, unknown>;
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });

export function incidentText(s: IncidentState): string {
  const ack = s.acknowledgements.length ? `acked by ${s.acknowledgements.map((a) => a.by).join(', ')}` : 'not acknowledged';
  return `${s.status === 'resolved' ? '✅' : '🚨'} *${s.severity}* \`${s.id}\` — ${s.title}\nprovider *${s.provider}* · phase *${s.phase}* · level ${s.escalationLevel} · ${ack}`;
}

export function incidentBlocks(s: IncidentState): Block[] {
  const blocks: Block[] = [{ type: 'section', text: mrkdwn(incidentText(s)) }];
  if (s.diagnosis) blocks.push({ type: 'context', elements: [mrkdwn(`root cause: *${s.diagnosis.rootCause}*`)] });
  const button = (text: string, action: string, style?: 'primary' | 'danger') => ({
    type: 'button', text: { type: 'plain_text', text }, action_id: action, value: s.id, ...(style ? { style } : {}),
  });
  const buttons = s.status === 'resolved'
    ? [button('Timeline', ACTIONS.timeline)]
    : [button('Acknowledge', ACTIONS.acknowledge, 'primary'), button('Escalate', ACTIONS.escalate), button('Resolve', ACTIONS.resolve, 'danger'), button('Timeline', ACTIONS.timeline)];
  blocks.push({ type: 'actions', block_id: `incident:${s.id}`, elements: buttons });
  return blocks;
}

/** The last entries of the timeline (Slack caps a section at 3,000 characters). */
export function timelineText(s: IncidentState, max = 25): string {
  const lines = s.timeline.slice(-max).map((e) => `\`${e.at.slice(11, 19)}\` [${e.phase}] ${e.message}${e.actor ? ` — ${e.actor}` : ''}`);
  const text = [`*Timeline of \`${s.id}\`*`, ...lines].join('\n');
  return text.length > 2900 ? `${text.slice(0, 2900)}…` : text;
}
