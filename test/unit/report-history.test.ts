// The report from a real recorded history (the committed replay fixture): history facts, the golden
// Markdown, HTML escaping, KPIs, the prevention plan and action items.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFacts, historyIsClosed, type HistoryJson } from '../../domain/history';
import type { IncidentState } from '../../domain/incident';
import { buildReportModel } from '../../domain/report';
import { failoverKpis } from '../../domain/kpi';
import { preventionPlan, priorityFor } from '../../domain/prevention';
import { renderReport } from '../../render/report';

const fixtures = join(__dirname, '..', 'fixtures');
const history: HistoryJson & { events: any[] } = JSON.parse(
  readFileSync(join(fixtures, 'histories', 'v0.1.0', 'incident-outage-recovered.json'), 'utf8'),
);
/** The run's final record: the incident workflow's result payload (json/plain). */
const finalState = (): IncidentState => {
  const done: any = (history.events as any[]).find((e) => e.workflowExecutionCompletedEventAttributes);
  return JSON.parse(
    Buffer.from(done.workflowExecutionCompletedEventAttributes.result.payloads[0].data, 'base64').toString('utf8'),
  );
};

test('history facts: signals, updates, activity completions and the close, without payloads', () => {
  const facts = historyFacts(history);
  expect(historyIsClosed(history)).toBe(true);
  // Failover and failback run at the chain's routing entity, which signals each shift's end back.
  expect(facts.filter((f) => f.kind === 'signal').map((f) => f.name)).toEqual([
    'alerts',
    'shiftDone',
    'providerRecovered',
    'shiftDone',
  ]);
  // The monitor asks which incident owns the outage; the operator acknowledges.
  expect(
    facts
      .filter((f) => f.kind === 'update')
      .map((f) => f.name)
      .sort(),
  ).toEqual(['acknowledge', 'owningIncident']);
  expect(facts.filter((f) => f.kind === 'activity').map((f) => f.name)).toEqual(
    expect.arrayContaining(['getIncidentContext', 'diagnoseProvider', 'renderReport']),
  );
  expect(facts[facts.length - 1]).toMatchObject({ kind: 'closed', message: 'workflow completed' });
  expect(facts.every((f) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(f.at))).toBe(true);
  expect(JSON.stringify(facts)).not.toContain('payloads');
  expect(historyIsClosed({ events: history.events.slice(0, -1) })).toBe(false);
});

test('golden Markdown for the recorded outage (UPDATE_GOLDEN=1 rewrites it)', async () => {
  const md = await renderReport(buildReportModel(finalState(), history), 'md');
  const golden = join(fixtures, 'golden', 'incident-outage-recovered.md');
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, md);
  expect(md).toBe(readFileSync(golden, 'utf8'));
  // The history enriched the record, in the appendix: the timeline itself is for people.
  expect(md).toMatch(/## Appendix[\s\S]*\| history \| update \| update acknowledge accepted \|/);
  expect(md.slice(md.indexOf('## Timeline'), md.indexOf('## Recommendations'))).not.toMatch(/activity \w+ completed/);
  expect(md).not.toMatch(/seed \d{3}|\.data\/reports|\/reports\/[^ ]+\.md/);
  expect(md).toContain('## Failover KPIs (runbook targets)');
});

test('HTML is self-contained and escapes what people and providers wrote', async () => {
  const s = finalState();
  s.title = 'openai <script>alert(1)</script>';
  s.notes.push({ by: 'eve "quotes"', text: '<img src=x onerror=alert(1)> & more', at: s.resolvedAt! });
  const html = await renderReport(buildReportModel(s, history), 'html');
  expect(html).toContain('openai &lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; more');
  expect(html).not.toMatch(/<script|<img|<link|src="http/);
  expect(html).toMatch(/^<!doctype html>/);
});

test('Markdown table cells survive pipes and newlines', async () => {
  const s = finalState();
  s.timeline.push({ at: s.resolvedAt!, phase: 'resolved', type: 'note', message: 'a | b\nc' });
  const md = await renderReport(buildReportModel(s), 'md');
  expect(md).toContain('| note | a \\| b c |');
});

test('failover KPIs: met, missed and n/a against runbook targets', () => {
  const s = finalState();
  s.faultAt = '2026-11-01T10:00:00.000Z';
  s.detectedAt = '2026-11-01T10:00:45.000Z'; // 45 s: detection missed
  s.timeline = [{ at: '2026-11-01T10:01:00.000Z', phase: 'recovering', type: 'phase', message: 'failing over' }];
  s.mitigatedAt = '2026-11-01T10:01:30.000Z'; // failover 30 s met; restoration 90 s met
  s.resolvedAt = '2026-11-01T10:04:00.000Z'; // total 240 s met
  expect(failoverKpis(s).map((k) => [k.name, k.ms, k.verdict])).toEqual([
    ['detection', 45_000, 'missed'],
    ['failover', 30_000, 'met'],
    ['restoration', 90_000, 'met'],
    ['total', 240_000, 'met'],
  ]);
  delete s.mitigatedAt;
  expect(
    failoverKpis(s)
      .filter((k) => k.verdict === 'n/a')
      .map((k) => k.name),
  ).toEqual(['failover', 'restoration']);
  const m = buildReportModel(s);
  expect(m.actionItems[0].title).toBe('Find out why detection took 45 s (target < 30 s)');
  expect(m.prevention.measures.some((x) => x.measure.startsWith('Shorten probe interval'))).toBe(true);
});

test('prevention plan by root cause: priority from severity, effort summed', () => {
  expect(['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((x) => priorityFor(x as 'SEV1'))).toEqual([
    'high',
    'high',
    'medium',
    'low',
  ]);
  const plan = preventionPlan('rate_limit', 'SEV3', []);
  expect(plan).toMatchObject({ rootCause: 'rate_limit', priority: 'medium', effortDays: 7 });
  expect(plan.measures.map((x) => x.area)).toEqual(['monitoring', 'automation', 'redundancy']);
});

test('action items call out traffic still off the provider and a missing acknowledgement', () => {
  const s = finalState();
  s.routingChanges = s.routingChanges.slice(0, 1); // failed over, never failed back
  s.acknowledgedAt = undefined;
  const titles = buildReportModel(s).actionItems.map((a) => a.title);
  expect(titles).toContain('Fail chain chat back to openai once it is validated');
  expect(titles).toContain('Review paging: nobody acknowledged this incident');
});
