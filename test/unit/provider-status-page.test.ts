// Upstream status pages: Statuspage v2 summary.json and Google's incidents.json, in their real shapes.
import {
  isDegraded,
  parseGoogleIncidents,
  parseStatuspageSummary,
  statusPageAction,
} from '../../domain/provider-status-page';

const summary = (
  indicator: string,
  components: [string, string][],
  incidents: { name: string; status: string; impact: string }[] = [],
) => ({
  page: {
    id: 'tymt9n04zgry',
    name: 'Anthropic',
    url: 'https://status.anthropic.com',
    time_zone: 'Etc/UTC',
    updated_at: '2026-11-22T10:05:11.000Z',
  },
  components: components.map(([name, status], i) => ({
    id: `c${i}`,
    name,
    status,
    created_at: '2023-07-11T17:00:00.000Z',
    description: null,
    position: i + 1,
    showcase: true,
    group_id: null,
    page_id: 'tymt9n04zgry',
    group: false,
    only_show_if_degraded: false,
  })),
  incidents: incidents.map((x, i) => ({
    id: `i${i}`,
    name: x.name,
    status: x.status,
    impact: x.impact,
    shortlink: 'https://stspg.io/x',
    created_at: '2026-11-22T09:58:00.000Z',
    incident_updates: [],
  })),
  scheduled_maintenances: [],
  status: {
    indicator,
    description:
      indicator === 'none'
        ? 'All Systems Operational'
        : indicator === 'major'
          ? 'Partial System Outage'
          : 'Minor Service Outage',
  },
});

test('Statuspage v2: indicator, non-operational components and unresolved incidents', () => {
  const s = parseStatuspageSummary(
    summary(
      'major',
      [
        ['claude.ai', 'operational'],
        ['Anthropic API', 'partial_outage'],
        ['Console', 'degraded_performance'],
      ],
      [
        { name: 'Elevated errors on Claude Sonnet', status: 'identified', impact: 'major' },
        { name: 'Old thing', status: 'resolved', impact: 'minor' },
      ],
    ),
  );
  expect(s).toMatchObject({
    level: 'major',
    description: 'Partial System Outage',
    components: ['Anthropic API: partial_outage', 'Console: degraded_performance'],
    incidents: ['Elevated errors on Claude Sonnet (identified, major)'],
  });
  expect(isDegraded(s)).toBe(true);
  expect(isDegraded(parseStatuspageSummary(summary('none', [['Anthropic API', 'operational']])))).toBe(false);
});

test('a component filter judges only the named components', () => {
  const body = summary('major', [
    ['ChatGPT', 'major_outage'],
    ['API', 'operational'],
  ]);
  expect(parseStatuspageSummary(body, ['API']).level).toBe('none');
  expect(parseStatuspageSummary(body, ['ChatGPT']).level).toBe('critical');
});

test('Google incidents.json: open incidents (no end) on Vertex/Gemini products', () => {
  const body = [
    {
      id: 'a1',
      begin: '2026-11-22T09:40:00+00:00',
      external_desc: 'Vertex AI Gemini API elevated error rates in us-central1',
      severity: 'high',
      status_impact: 'SERVICE_OUTAGE',
      affected_products: [{ title: 'Vertex Gemini API', id: 'Z0FZ' }],
    },
    {
      id: 'a2',
      begin: '2026-11-20T09:40:00+00:00',
      end: '2026-11-20T12:00:00+00:00',
      external_desc: 'old',
      severity: 'high',
      affected_products: [{ title: 'Vertex Gemini API' }],
    },
    {
      id: 'a3',
      begin: '2026-11-22T08:00:00+00:00',
      external_desc: 'Cloud SQL latency',
      severity: 'medium',
      affected_products: [{ title: 'Cloud SQL' }],
    },
  ];
  const s = parseGoogleIncidents(body);
  expect(s).toMatchObject({
    level: 'critical',
    description: '1 open incident(s)',
    incidents: ['Vertex AI Gemini API elevated error rates in us-central1 (SERVICE_OUTAGE, high)'],
  });
  expect(parseGoogleIncidents(body, ['BigQuery']).level).toBe('none');
});

test('report on change or while unattached; clear once it ends', () => {
  const bad = parseStatuspageSummary(summary('minor', [['API', 'degraded_performance']]));
  const worse = parseStatuspageSummary(summary('major', [['API', 'partial_outage']]));
  const fine = parseStatuspageSummary(summary('none', [['API', 'operational']]));
  expect(statusPageAction(undefined, fine)).toBe('none');
  expect(statusPageAction(undefined, bad)).toBe('report');
  expect(statusPageAction({ fingerprint: bad.fingerprint, attached: false }, bad)).toBe('report'); // no incident yet: try again
  expect(statusPageAction({ fingerprint: bad.fingerprint, attached: true }, bad)).toBe('none');
  expect(statusPageAction({ fingerprint: bad.fingerprint, attached: true }, worse)).toBe('report');
  expect(statusPageAction({ fingerprint: worse.fingerprint, attached: true }, fine)).toBe('clear');
  expect(statusPageAction({ fingerprint: worse.fingerprint, attached: false }, fine)).toBe('none');
});
