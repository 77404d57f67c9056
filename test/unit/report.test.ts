import { buildReportModel, formatDuration } from '../../domain/report';
import {
  addTimeline,
  incidentIdFor,
  newIncidentState,
  parseIncidentId,
  recordAlerts,
  ALERT_SAMPLE_LIMIT,
} from '../../domain/incident';
import { renderPostmortem } from '../../activities/report';

function resolvedIncident() {
  const s = newIncidentState({
    id: 'openai-1a2b3c4d',
    scope: 'openai',
    provider: 'openai',
    title: 'openai down',
    now: '2026-11-01T10:00:20.000Z',
  });
  recordAlerts(s, [
    {
      provider: 'openai',
      kind: 'outage',
      summary: 'probe 503',
      source: 'lifeline-probe',
      observedAt: '2026-11-01T10:00:00.000Z',
    },
  ]);
  s.acknowledgedAt = '2026-11-01T10:02:20.000Z';
  s.acknowledgements.push({ by: 'dana', at: s.acknowledgedAt });
  s.mitigatedAt = '2026-11-01T10:00:50.000Z';
  s.resolvedAt = '2026-11-01T10:30:20.000Z';
  s.resolvedBy = 'lifeline';
  s.status = 'resolved';
  s.diagnosis = {
    rootCause: 'provider_outage',
    checks: [{ name: 'api_probe', status: 'failed', detail: 'HTTP 503' }],
    recommendations: ['Follow the status page'],
    at: s.detectedAt,
  };
  s.routingChanges.push({
    chain: 'chat',
    from: { openai: 100 },
    to: { anthropic: 100 },
    mode: 'degraded',
    reason: 'openai failed',
    version: 2,
    at: s.mitigatedAt,
  });
  addTimeline(s, 'phase', 'incident opened', s.detectedAt);
  return s;
}

test('durations come from the recorded timestamps (fault time from the first alert)', () => {
  const m = buildReportModel(resolvedIncident());
  expect(Object.fromEntries(m.durations.map((d) => [d.name, d.ms]))).toEqual({
    mttd: 20_000,
    mtta: 120_000,
    mttm: 30_000,
    mttr: 1_800_000,
  });
  expect(m.durations.map((d) => d.text)).toEqual(['20 s', '2 min', '30 s', '30 min']);
  expect(m.routing[0]).toMatchObject({ from: 'openai 100%', to: 'anthropic 100%' });
});

test('missing timestamps read n/a, not zero', () => {
  const s = resolvedIncident();
  delete s.acknowledgedAt;
  expect(buildReportModel(s).durations.find((d) => d.name === 'mtta')).toMatchObject({ ms: null, text: 'n/a' });
  expect(formatDuration(950)).toBe('950 ms');
  expect(formatDuration(3 * 3600_000 + 60_000)).toBe('3 h 1 min');
});

test('the bundled template renders every section', async () => {
  const md = await renderPostmortem(resolvedIncident());
  expect(md).toContain('# Postmortem: openai down');
  expect(md).toContain('| Time to detect (fault → detected) | 20 s |');
  expect(md).toContain('**provider_outage**');
  expect(md).toContain('- api_probe failed: HTTP 503');
  expect(md).toContain('| `chat` | openai 100% → anthropic 100% | degraded | lifeline | openai failed |');
  expect(md).toContain('- 2026-11-01T10:02:20.000Z — dana');
  expect(md).not.toMatch(/&[a-z]+;|&#/); // Markdown, not HTML-escaped
});

test('alerts are counted in full but sampled with a bound', () => {
  const s = resolvedIncident();
  const many = Array.from({ length: 100 }, (_, i) => ({
    provider: 'openai',
    kind: 'outage' as const,
    summary: `a${i}`,
    source: 's',
    observedAt: '2026-11-01T10:05:00.000Z',
  }));
  recordAlerts(s, many);
  expect(s.alerts.count).toBe(101);
  expect(s.alerts.sample).toHaveLength(ALERT_SAMPLE_LIMIT);
});

test('incident IDs round-trip, including scopes with dashes', () => {
  const id = incidentIdFor('azure-east', '1a2b3c4d-0000-4000-8000-000000000000');
  expect(id).toBe('azure-east-1a2b3c4d');
  expect(parseIncidentId(id)).toEqual({ scope: 'azure-east', runPrefix: '1a2b3c4d' });
  expect(parseIncidentId('nonsense')).toBeNull();
});
