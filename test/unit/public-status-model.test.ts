// The public status model: component statuses, public incident statuses and updates, Statuspage JSON.
import { z } from 'zod';
import {
  componentStatuses,
  pageIndicator,
  publicStatusForPhase,
  toPublicIncident,
  type ComponentDef,
} from '../../domain/public-status';
import { addTimeline, newIncidentState, type IncidentState, type Phase } from '../../domain/incident';
import { statusSnapshot } from '../../status/model';
import { summaryJson, incidentsJson } from '../../status/statuspage-json';
import { renderStatusPage } from '../../status/page';
import { parseConfig } from '../../config/load';

const defs: ComponentDef[] = [
  { id: 'support-bot', name: 'Support bot', kind: 'service', providers: ['openai', 'anthropic'] },
  { id: 'openai', name: 'OpenAI', kind: 'provider', providers: ['openai'] },
  { id: 'anthropic', name: 'Anthropic', kind: 'provider', providers: ['anthropic'] },
];

function incident(phases: Phase[], opts: Partial<IncidentState> = {}): IncidentState {
  const s = newIncidentState({
    id: 'openai-0badc0de',
    scope: 'openai',
    provider: 'openai',
    title: 'OpenAI <errors>',
    now: '2026-11-20T10:00:00.000Z',
    severity: 'SEV1',
  });
  phases.forEach((p, i) => {
    s.phase = p;
    addTimeline(s, 'phase', p, `2026-11-20T10:0${i}:00.000Z`);
  });
  return Object.assign(s, opts);
}

test('phases map to Statuspage incident statuses', () => {
  expect(
    ['detected', 'assessing', 'escalating', 'diagnosing'].map((p) => publicStatusForPhase(p as Phase, false)),
  ).toEqual(Array(4).fill('investigating'));
  expect(publicStatusForPhase('recovering', false)).toBe('identified');
  expect(publicStatusForPhase('monitoring', false)).toBe('monitoring');
  expect(publicStatusForPhase('monitoring', true)).toBe('resolved');
});

test('updates are one per public status change, newest first', () => {
  const s = incident(['detected', 'assessing', 'escalating', 'diagnosing', 'recovering', 'monitoring']);
  const p = toPublicIncident(s, defs);
  expect(p.updates.map((u) => u.status)).toEqual(['monitoring', 'identified', 'investigating']);
  expect(p).toMatchObject({
    status: 'monitoring',
    impact: 'critical',
    components: ['support-bot', 'openai'],
    monitoringAt: '2026-11-20T10:05:00.000Z',
  });
});

test('a failed-over service is degraded, its provider down; emergency mode is an outage; maintenance shows', () => {
  const failedOver = incident(['monitoring'], {
    routingChanges: [
      {
        chain: 'chat',
        from: { openai: 100 },
        to: { anthropic: 100 },
        mode: 'degraded',
        reason: '',
        version: 2,
        at: '',
      },
    ],
  });
  const now = '2026-11-20T12:00:00.000Z';
  const maint = [
    {
      id: 'm1',
      title: 'upgrade',
      components: ['anthropic'],
      start: '2026-11-20T11:00:00.000Z',
      end: '2026-11-20T13:00:00.000Z',
    },
  ];
  const c = Object.fromEntries(componentStatuses(defs, [failedOver], maint, now).map((x) => [x.id, x.status]));
  expect(c).toEqual({ 'support-bot': 'degraded_performance', openai: 'major_outage', anthropic: 'under_maintenance' });
  const emergency = incident(['monitoring'], {
    routingChanges: [{ chain: 'chat', from: {}, to: {}, mode: 'emergency', reason: '', version: 2, at: '' }],
  });
  expect(componentStatuses(defs, [emergency], [], now)[0].status).toBe('major_outage');
  expect(componentStatuses(defs, [], [], now).every((x) => x.status === 'operational')).toBe(true);
  expect(pageIndicator(componentStatuses(defs, [], [], now), [])).toEqual({
    indicator: 'none',
    description: 'All Systems Operational',
  });
});

// What a Statuspage consumer (e.g. a poller written against Atlassian's API) relies on.
const statuspageSummary = z.object({
  page: z.object({ id: z.string(), name: z.string(), url: z.string(), updated_at: z.string() }),
  status: z.object({
    indicator: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
    description: z.string(),
  }),
  components: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: z.enum(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']),
      position: z.number(),
    }),
  ),
  incidents: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']),
      impact: z.enum(['none', 'minor', 'major', 'critical']),
      created_at: z.string(),
      updated_at: z.string(),
      resolved_at: z.string().nullable(),
      incident_updates: z.array(
        z.object({ id: z.string(), status: z.string(), body: z.string(), created_at: z.string() }),
      ),
    }),
  ),
  scheduled_maintenances: z.array(
    z.object({ id: z.string(), status: z.string(), scheduled_for: z.string(), scheduled_until: z.string() }),
  ),
});

const config = parseConfig(`
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
  - { id: anthropic, kind: anthropic, baseUrl: https://api.anthropic.com }
chains: [{ id: chat, providers: [openai, anthropic], weights: { openai: 100 } }]
services: [{ id: support-bot, chains: [chat], users: 10 }]
statusPage:
  title: Acme AI status
  componentNames: { openai: OpenAI }
  maintenance: [{ id: m1, title: Anthropic key rotation, components: [anthropic], start: "2026-11-20T11:00:00Z", end: "2026-11-20T13:00:00Z" }]
`);

test('summary.json and incidents.json carry Statuspage field names a consumer can parse', async () => {
  const open = incident(['detected', 'recovering']);
  const done = incident(['monitoring', 'resolved'], {
    id: 'openai-feedf00d',
    status: 'resolved',
    resolvedAt: '2026-11-20T10:09:00.000Z',
  });
  const snap = await statusSnapshot(config, { incidents: async () => [open, done] }, new Date('2026-11-20T12:00:00Z'));
  const summary = statuspageSummary.parse(summaryJson(snap));
  expect(summary.status.indicator).toBe('critical');
  expect(summary.incidents.map((i) => i.id)).toEqual(['openai-0badc0de']); // unresolved only
  expect(summary.components.find((c) => c.id === 'openai')).toMatchObject({ name: 'OpenAI', status: 'major_outage' });
  expect(summary.scheduled_maintenances[0]).toMatchObject({ id: 'm1', status: 'in_progress' });
  expect(incidentsJson(snap).incidents.map((i) => i.id)).toEqual(['openai-0badc0de', 'openai-feedf00d']);
});

test('the page escapes incident text', async () => {
  // Public updates are operator text: they reach the page escaped.
  const s = incident(['detected']);
  s.notes.push({ by: 'dana', text: 'OpenAI <errors>', at: '2026-11-20T10:00:30.000Z', public: true });
  addTimeline(s, 'public_update', 'OpenAI <errors>', '2026-11-20T10:00:30.000Z', 'dana');
  const snap = await statusSnapshot(config, { incidents: async () => [s] }, new Date('2026-11-20T12:00:00Z'));
  const html = renderStatusPage(snap);
  expect(html).toContain('OpenAI &lt;errors&gt;');
  expect(html).not.toContain('OpenAI <errors>');
  expect(html).not.toMatch(/<(script|link)[^>]+src=|https?:\/\/(?!127)/); // no external assets
});
