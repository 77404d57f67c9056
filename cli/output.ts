// How the CLI shows things: aligned tables with headers, an incident as a readable summary, weights.
import type { IncidentState } from '../domain/incident';

/** Columns padded to their widest cell; the last column is never padded (long titles stay readable). */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (c === null || c === undefined || c === '' ? '-' : String(c)))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const weightsText = (w: Record<string, number>) =>
  Object.entries(w)
    .map(([p, v]) => `${p} ${v}%`)
    .join(', ') || 'none';

const PHASES: Record<string, string> = {
  detected: 'detected',
  assessing: 'assessing impact',
  escalating: 'paging',
  diagnosing: 'diagnosing',
  recovering: 'mitigating',
  mitigating: 'mitigating',
  monitoring: 'monitoring',
  restoring: 'restoring traffic',
  reporting: 'resolved (writing the report)',
  resolved: 'resolved',
};
export const phaseText = (phase: string) => PHASES[phase] ?? phase;

/** One line after an action: the state the incident is in now. */
export function stateLine(
  s: Pick<IncidentState, 'id' | 'status' | 'phase' | 'escalationLevel' | 'acknowledgements'>,
): string {
  if (s.status === 'resolved') return `${s.id}: resolved`;
  const ack = s.acknowledgements.length
    ? `acknowledged by ${s.acknowledgements.map((a) => a.by).join(', ')}`
    : 'not acknowledged';
  return `${s.id}: open, ${phaseText(s.phase)}, escalation level ${s.escalationLevel}, ${ack}`;
}

/** `incidents show`: what an on-call engineer reads first, then the last timeline entries. */
export function incidentSummary(s: IncidentState, timelineRows = 12): string {
  const field = (k: string, v: string) => `${`${k}:`.padEnd(12)}${v}`;
  const lines = [
    `${s.id}  ${s.severity}  ${s.status === 'resolved' ? 'resolved' : `open · ${phaseText(s.phase)}`}`,
    field('Title', s.title),
    field('Provider', s.provider),
    field('Started', s.startedAt),
  ];
  if (s.resolvedAt) lines.push(field('Resolved', `${s.resolvedAt}${s.resolvedBy ? ` by ${s.resolvedBy}` : ''}`));
  if (s.impact)
    lines.push(
      field(
        'Impact',
        `${s.impact.level} — ${s.impact.users} user(s)${s.impact.affectedServices.length ? ` (${s.impact.affectedServices.join(', ')})` : ''}`,
      ),
    );
  if (s.diagnosis) lines.push(field('Root cause', s.diagnosis.rootCause));
  lines.push(
    field(
      'Paging',
      `level ${s.escalationLevel} · ${s.acknowledgements.length ? `acknowledged by ${s.acknowledgements.map((a) => a.by).join(', ')}` : 'not acknowledged'}`,
    ),
  );
  for (const r of s.routingChanges)
    lines.push(field('Traffic', `${r.chain}: ${weightsText(r.from)} → ${weightsText(r.to)} (${r.mode})`));
  lines.push(field('Alerts', String(s.alerts.count)));
  const recent = s.timeline.slice(-timelineRows);
  lines.push('', `Timeline (last ${recent.length} of ${s.timeline.length}):`);
  lines.push(
    table(
      ['time', 'phase', 'event'],
      recent.map((e) => [
        e.at.slice(11, 19),
        phaseText(e.phase),
        `${e.message}${e.actor && !e.message.includes(e.actor) ? ` — ${e.actor}` : ''}`,
      ]),
    ).replace(/^/gm, '  '),
  );
  const next = [
    ...(s.acknowledgedAt ? [] : [`lifeline ack ${s.id}`]),
    `lifeline note ${s.id} "…"`,
    `lifeline resolve ${s.id}`,
  ];
  lines.push('', s.status === 'resolved' ? `Report: lifeline incidents report ${s.id}` : `Next: ${next.join(' · ')}`);
  return lines.join('\n');
}
