// The timeline chart from the committed recorded outage: a golden SVG (UPDATE_GOLDEN=1 rewrites it), its
// structure (one band per provider, one area per chain member, marks for alerts and people), escaping of
// what outsiders wrote, and the HTML postmortem embedding it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryJson } from '../../domain/history';
import type { IncidentState } from '../../domain/incident';
import { buildReportModel } from '../../domain/report';
import { timelineChart } from '../../domain/timeline-chart';
import { escapeXml, renderTimelineSvg } from '../../domain/timeline-svg';
import { renderReport } from '../../render/report';

const fixtures = join(__dirname, '..', 'fixtures');
const history: HistoryJson & { events: any[] } = JSON.parse(
  readFileSync(join(fixtures, 'histories', 'v0.1.0', 'incident-outage-recovered.json'), 'utf8'),
);
const finalState = (): IncidentState => {
  const done: any = (history.events as any[]).find((e) => e.workflowExecutionCompletedEventAttributes);
  return JSON.parse(
    Buffer.from(done.workflowExecutionCompletedEventAttributes.result.payloads[0].data, 'base64').toString('utf8'),
  );
};
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

test('golden SVG of the recorded outage (UPDATE_GOLDEN=1 rewrites it)', () => {
  const svg = renderTimelineSvg(buildReportModel(finalState(), history).chart);
  const golden = join(fixtures, 'golden', 'incident-outage-recovered.timeline.svg');
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, svg);
  expect(svg).toBe(readFileSync(golden, 'utf8'));
});

test('structure: one band path per provider, one area per chain member, marks, KPI moments', () => {
  const s = finalState();
  const chart = buildReportModel(s, history).chart;
  // openai (the incident's provider) and anthropic (its chain's backup): one band each.
  expect(chart.health.map((h) => h.provider)).toEqual(['openai', 'anthropic']);
  expect(chart.health[0].segments.map((g) => g.status)).toEqual(['closed', 'failing', 'open', 'closed']);
  expect(chart.health[0].segments.find((g) => g.status === 'open')).toMatchObject({
    from: s.detectedAt,
    to: '2026-11-30T10:47:32.432Z',
  });
  const svg = renderTimelineSvg(chart);
  expect(count(svg, /<path class="band"/g)).toBe(2);
  expect(count(svg, /<g class="health-band"/g)).toBe(2);
  expect(count(svg, /<path class="route-area" data-chain="chat"/g)).toBe(2);
  // The route went openai 100 → anthropic 100 → openai 100: both areas are non-empty steps.
  expect(chart.routes[0].points.map((p) => p.weights)).toEqual([{ openai: 100 }, { anthropic: 100 }, { openai: 100 }]);
  expect(count(svg, /class="mark alert"/g)).toBe(1); // the failing probe's alert
  expect(count(svg, /class="mark action"/g)).toBe(1); // dana's acknowledgement
  expect(svg).toContain('acknowledged: acknowledged by dana');
  expect(count(svg, /<line class="moment"/g)).toBe(chart.moments.length);
  expect(chart.moments.map((m) => m.label)).toEqual(['fault', 'detected', 'mitigated', 'recovered', 'resolved']);
  expect(count(svg, /class="small kpi"/g)).toBe(4);
  expect(svg).toMatch(
    /Detection \(fault → detected\): 137 ms \(target &lt; 30 s\) <tspan fill="#1a7f37" font-weight="600">met<\/tspan>/,
  );
  // Self-contained: nothing fetched, nothing run.
  expect(svg).not.toMatch(/<script|href=|@import|url\(|<image|<foreignObject/i);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
});

test('everything outsiders wrote is escaped: titles, alert summaries, notes, provider and chain names', () => {
  const s = finalState();
  s.title = '</title><script>alert(1)</script>';
  s.alerts.sample.push({
    ...s.alerts.sample[0],
    source: 'grafana "x"',
    summary: `<img src=x onerror='alert(2)'> & co`,
    observedAt: s.detectedAt,
  });
  s.timeline.push({ at: s.resolvedAt!, phase: 'resolved', type: 'note', message: '<b>bold</b>', actor: 'eve<' });
  const svg = renderTimelineSvg(
    timelineChart(s, [
      {
        chain: 'c<h>',
        version: 1,
        at: s.mitigatedAt!,
        from: { 'p"1': 100 },
        to: { p2: 100 },
        mode: 'degraded',
        reason: '<r>',
        by: 'o&p',
      },
    ]),
  );
  expect(svg).not.toMatch(/<script|<img|<b>|<\/title><script/);
  expect(svg).toContain('&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(svg).toContain('&lt;img src=x onerror=&#39;alert(2)&#39;&gt; &amp; co');
  expect(svg).toContain('data-chain="c&lt;h&gt;" data-provider="p&quot;1"');
  expect(svg).toContain('route c&lt;h&gt; v1 by o&amp;p: &lt;r&gt;');
  expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
});

test('an open incident ends at its latest event; without route changes the chart says so', () => {
  const s = finalState();
  s.status = 'open';
  s.phase = 'monitoring';
  delete s.resolvedAt;
  delete s.recoveredAt;
  s.timeline = s.timeline.filter((e) => e.at <= '2026-11-30T10:47:27.000Z');
  const chart = timelineChart(s, []);
  expect(Date.parse(chart.end)).toBeGreaterThan(Date.parse('2026-11-30T10:47:26.639Z'));
  expect(Date.parse(chart.end)).toBeLessThan(Date.parse('2026-11-30T10:47:27.000Z'));
  expect(chart.health[0].segments[chart.health[0].segments.length - 1].status).toBe('open');
  expect(renderTimelineSvg(chart)).toContain('no route changes during the incident');
});

test('the HTML postmortem carries the chart inline; Markdown does not', async () => {
  const model = buildReportModel(finalState(), history);
  const html = await renderReport(model, 'html');
  expect(html).toContain('<h2>Timeline chart</h2>');
  expect(html).toContain(renderTimelineSvg(model.chart));
  expect(await renderReport(model, 'md')).not.toContain('<svg');
});
