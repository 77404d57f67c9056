// Slack cards show only the actions still possible, and the report is a summary with a link.
import { renderTemplate, SAMPLE_MODEL } from '../../render/messages';
import { ACTIONS, incidentBlocks, reportSummary } from '../../api/slack/blocks';
import { addTimeline, newIncidentState } from '../../domain/incident';

const actionIds = (blocks: { type: string; elements?: { action_id: string }[] }[]) =>
  blocks.find((b) => b.type === 'actions')!.elements!.map((e) => e.action_id);

test('the notification card drops Acknowledge once acknowledged and every action once resolved', () => {
  const render = (over: object) => JSON.parse(renderTemplate('slack-blocks.json', { ...SAMPLE_MODEL, ...over }));
  expect(actionIds(render({ acknowledgedBy: null, resolvedAt: null }))).toEqual([
    'lifeline_ack',
    'lifeline_escalate',
    'lifeline_resolve',
    'lifeline_timeline',
  ]);
  expect(actionIds(render({ acknowledgedBy: 'dana', resolvedAt: null }))).toEqual([
    'lifeline_escalate',
    'lifeline_resolve',
    'lifeline_timeline',
  ]);
  expect(actionIds(render({ acknowledgedBy: 'dana', resolvedAt: '2026-01-01T00:42:00.000Z' }))).toEqual([
    'lifeline_timeline',
  ]);
});

test('command replies redraw the same way, and say the phase in words', () => {
  const s = newIncidentState({
    id: 'openai-1a2b3c4d',
    scope: 'openai',
    provider: 'openai',
    title: 'errors',
    now: '2026-01-01T00:00:00.000Z',
  });
  s.phase = 'restoring' as typeof s.phase;
  expect(actionIds(incidentBlocks(s) as never)).toEqual([
    ACTIONS.acknowledge,
    ACTIONS.escalate,
    ACTIONS.resolve,
    ACTIONS.timeline,
  ]);
  expect(JSON.stringify(incidentBlocks(s))).toContain('*Restoring traffic*');
  s.acknowledgedAt = '2026-01-01T00:01:00.000Z';
  s.acknowledgements.push({ by: 'dana', at: s.acknowledgedAt });
  expect(actionIds(incidentBlocks(s) as never)).toEqual([ACTIONS.escalate, ACTIONS.resolve, ACTIONS.timeline]);
  Object.assign(s, {
    status: 'resolved',
    phase: 'resolved',
    resolvedBy: 'dana',
    resolvedAt: '2026-01-01T00:05:00.000Z',
  });
  expect(actionIds(incidentBlocks(s) as never)).toEqual([ACTIONS.timeline]);
  expect(JSON.stringify(incidentBlocks(s))).toContain('*Resolved* by dana');
});

test('/incident report: a few lines and a link, DRAFT while open', () => {
  const s = newIncidentState({
    id: 'openai-1a2b3c4d',
    scope: 'openai',
    provider: 'openai',
    title: 'errors',
    now: '2026-01-01T00:00:00.000Z',
  });
  addTimeline(s, 'phase', 'incident opened: errors (declared by dana)', s.startedAt);
  const text = reportSummary(s, 'https://lifeline.example.com/v1/incidents/openai-1a2b3c4d/report');
  expect(text).toContain('DRAFT');
  expect(text).toMatch(/Full report: https:\/\/lifeline\.example\.com\/v1\/incidents\/openai-1a2b3c4d\/report$/);
  expect(text.split('\n').length).toBeLessThanOrEqual(6);
  expect(text).not.toMatch(/\|---|seed \d/);
});

test('a declared incident whose checks all passed asks: a button to move traffic anyway', () => {
  const s = newIncidentState({
    id: 'openai-1a2b3c4d',
    scope: 'openai',
    provider: 'openai',
    title: 'errors',
    now: '2026-01-01T00:00:00.000Z',
  });
  expect(actionIds(incidentBlocks(s) as never)).not.toContain(ACTIONS.failover);
  addTimeline(s, 'failover_held', 'every diagnostic passed, so traffic stays on openai', s.startedAt);
  const blocks = incidentBlocks(s) as never;
  expect(actionIds(blocks)).toEqual([
    ACTIONS.acknowledge,
    ACTIONS.failover,
    ACTIONS.escalate,
    ACTIONS.resolve,
    ACTIONS.timeline,
  ]);
  expect(JSON.stringify(blocks)).toContain('Move traffic off openai');
});
