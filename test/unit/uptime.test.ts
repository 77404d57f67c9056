// The status page's uptime history: UTC day buckets (an incident across midnight marks both days, one
// ending exactly at midnight does not mark the next), the worst status of a day over overlapping
// incidents, no-data days before a component existed, the uptime share, and the rendered bars.
import { newIncidentState, type IncidentState } from '../../domain/incident';
import type { ComponentDef } from '../../domain/public-status';
import { uptimeHistory } from '../../domain/uptime';
import { statusSnapshot } from '../../status/model';
import { renderStatusPage } from '../../status/page';
import { fixedComponentDates } from '../../status/component-dates';
import { parseConfig } from '../../config/load';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileArchiveStore } from '../../client/archive-store';
import { summarize } from '../../domain/incident';
import { buildReportModel } from '../../domain/report';
import { temporalIncidentSource } from '../../status/source';
import { recordingClient } from '../helpers/api-harness';

const defs: ComponentDef[] = [
  { id: 'support-bot', name: 'Support bot', kind: 'service', providers: ['openai', 'anthropic'] },
  { id: 'openai', name: 'OpenAI', kind: 'provider', providers: ['openai'] },
  { id: 'anthropic', name: 'Anthropic', kind: 'provider', providers: ['anthropic'] },
];
const NOW = '2026-11-30T12:00:00.000Z';

function incident(
  id: string,
  provider: string,
  from: string,
  to: string | null,
  opts: Partial<IncidentState> = {},
): IncidentState {
  const s = newIncidentState({
    id,
    scope: provider,
    provider,
    title: 'internal <probe> text',
    now: from,
    severity: 'SEV1',
  });
  s.alerts.sample.push({ provider, kind: 'outage', summary: 'x', source: 'lifeline-probe', observedAt: from });
  return Object.assign(s, to ? { status: 'resolved', phase: 'resolved', resolvedAt: to } : {}, opts);
}
const day = (h: ReturnType<typeof uptimeHistory>, component: string, date: string) =>
  h.find((c) => c.id === component)!.days.find((d) => d.date === date)!;

test('90 UTC days ending today; quiet days are operational', () => {
  const [bot] = uptimeHistory(defs, [], NOW);
  expect(bot.days).toHaveLength(90);
  expect(bot.days[89].date).toBe('2026-11-30');
  expect(bot.days[0].date).toBe('2026-09-02');
  expect(bot.days.every((d) => d.status === 'operational' && !d.incidents.length)).toBe(true);
  expect(bot.uptimePercent).toBe(100);
});

test('an incident spanning midnight marks both days; one ending exactly at midnight does not mark the next', () => {
  const across = incident('openai-00000001', 'openai', '2026-11-27T23:30:00.000Z', '2026-11-28T00:30:00.000Z');
  const toMidnight = incident('openai-00000002', 'openai', '2026-11-25T22:00:00.000Z', '2026-11-26T00:00:00.000Z', {
    severity: 'SEV2',
  });
  const h = uptimeHistory(defs, [across, toMidnight], NOW);
  expect(day(h, 'openai', '2026-11-27')).toMatchObject({
    status: 'major_outage',
    incidents: [{ id: 'openai-00000001', name: 'Elevated errors from OpenAI', impact: 'critical' }],
  });
  expect(day(h, 'openai', '2026-11-28').status).toBe('major_outage');
  expect(day(h, 'openai', '2026-11-29').status).toBe('operational');
  expect(day(h, 'openai', '2026-11-25')).toMatchObject({
    status: 'partial_outage',
    incidents: [{ id: 'openai-00000002', impact: 'major' }],
  });
  expect(day(h, 'openai', '2026-11-26')).toMatchObject({ status: 'operational', incidents: [] });
  // The provider's incidents reach services that use it, not other providers.
  expect(day(h, 'support-bot', '2026-11-27').status).toBe('major_outage');
  expect(day(h, 'anthropic', '2026-11-27').status).toBe('operational');
});

test('overlapping incidents: the worst status of the day, each incident named once; downtime counted once', () => {
  const failedOver = incident('openai-00000003', 'openai', '2026-11-29T10:00:00.000Z', '2026-11-29T12:00:00.000Z', {
    routingChanges: [
      {
        chain: 'chat',
        from: { openai: 100 },
        to: { anthropic: 100 },
        mode: 'degraded',
        reason: '',
        version: 2,
        at: '2026-11-29T10:01:00.000Z',
      },
    ],
  });
  const anthropic = incident(
    'anthropic-00000004',
    'anthropic',
    '2026-11-29T11:00:00.000Z',
    '2026-11-29T13:00:00.000Z',
    { severity: 'SEV3' },
  );
  const again = incident('openai-00000005', 'openai', '2026-11-29T11:30:00.000Z', '2026-11-29T12:30:00.000Z');
  const h = uptimeHistory(defs, [failedOver, anthropic, again], NOW);
  // The service kept working on the failover (degraded), but the second openai incident never moved traffic.
  expect(day(h, 'support-bot', '2026-11-29').status).toBe('major_outage');
  expect(day(h, 'support-bot', '2026-11-29').incidents.map((i) => i.id)).toEqual([
    'openai-00000003',
    'anthropic-00000004',
    'openai-00000005',
  ]);
  expect(day(h, 'anthropic', '2026-11-29').status).toBe('degraded_performance');
  // openai: major outage 10:00–12:30 (two overlapping incidents: 2.5 h, not 3 h) over 90 days.
  const observed = 89 * 86_400_000 + 12 * 3_600_000;
  expect(h.find((c) => c.id === 'openai')!.uptimePercent).toBe(
    Math.round((1 - (2.5 * 3_600_000) / observed) * 10_000) / 100,
  );
  expect(h.find((c) => c.id === 'anthropic')!.uptimePercent).toBe(100); // degraded is not downtime
});

test('no data before a component existed; an open incident lasts until now', () => {
  const open = incident('openai-00000006', 'openai', '2026-11-30T09:00:00.000Z', null);
  const h = uptimeHistory(defs, [open], NOW, {
    since: {
      openai: '2026-11-28T08:00:00.000Z',
      'support-bot': '2026-11-28T08:00:00.000Z',
      anthropic: '2026-11-28T08:00:00.000Z',
    },
  });
  const openai = h.find((c) => c.id === 'openai')!;
  expect(openai.days.filter((d) => d.status === 'no_data').map((d) => d.date)).toEqual(
    openai.days.slice(0, 87).map((d) => d.date),
  );
  expect(day(h, 'openai', '2026-11-28').status).toBe('operational'); // first seen that day
  expect(day(h, 'openai', '2026-11-30').status).toBe('major_outage');
  // Observed since 2026-11-28T08:00; down for the last 3 hours of it.
  expect(openai.uptimePercent).toBe(Math.round((1 - 3 / 52) * 10_000) / 100);
});

test('the page: 90 bars per component, coloured by status, titled with public incident names (escaped)', async () => {
  const config = parseConfig(`
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
  - { id: anthropic, kind: anthropic, baseUrl: https://api.anthropic.com }
chains: [{ id: chat, providers: [openai, anthropic], weights: { openai: 100 } }]
services: [{ id: support-bot, chains: [chat], users: 10 }]
statusPage: { title: Acme AI status, componentNames: { openai: "Open<AI>" } }
`);
  const past = incident('openai-00000007', 'openai', '2026-11-27T23:30:00.000Z', '2026-11-28T00:30:00.000Z');
  const snap = await statusSnapshot(config, { incidents: async () => [past] }, new Date(NOW), {
    dates: fixedComponentDates('2026-09-01T00:00:00.000Z'),
  });
  const html = renderStatusPage(snap);
  expect(html.match(/<svg class="bars"/g)).toHaveLength(3);
  expect(html.match(/<rect class="bar /g)).toHaveLength(270);
  expect(html).toContain('<rect class="bar major_outage" data-date="2026-11-27"');
  expect(html).toContain('<title>2026-11-28: Major outage — Elevated errors from Open&lt;AI&gt; (critical)</title>');
  expect(html).toContain('<title>2026-11-29: no incidents</title>');
  expect(html).not.toContain('internal <probe> text');
  expect(html).not.toContain('internal &lt;probe&gt; text');
  expect(html).toMatch(/99\.\d\d % uptime/);
  // Still one self-contained page: no external script, stylesheet or image.
  expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|<img /);
});

test('the status page also shows archived ones of the window that Temporal no longer lists', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-uptime-'));
  try {
    const archive = new FileArchiveStore(dir);
    const put = (s: IncidentState) =>
      archive.put({
        entry: {
          summary: summarize(s),
          workflowId: `incident-${s.scope}`,
          runId: `run-${s.id}`,
          archivedAt: s.resolvedAt!,
          state: s,
        },
        historyJson: '{"events":[]}',
        report: { markdown: '', html: '', model: buildReportModel(s) },
      });
    await put(incident('openai-0000000a', 'openai', '2026-11-20T10:00:00.000Z', '2026-11-20T11:00:00.000Z'));
    await put(incident('openai-0000000b', 'openai', '2026-08-01T10:00:00.000Z', '2026-08-01T11:00:00.000Z')); // older than 90 days
    const config = parseConfig(
      `dataDir: ${dir}\nproviders: [{ id: openai, kind: openai, baseUrl: "https://api.openai.com" }]\nchains: [{ id: chat, providers: [openai], weights: { openai: 100 } }]`,
    );
    const source = temporalIncidentSource(recordingClient().client, config, () => new Date(NOW), archive);
    expect((await source.incidents()).map((s) => s.id)).toEqual(['openai-0000000a']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
