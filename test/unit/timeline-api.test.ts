// GET /v1/incidents/:id/timeline.svg on the real API (stub Temporal, file archive): read scope, 404 for an
// unknown incident, the archived drawing, and a drawing made from the archived record for older entries.
import { FileArchiveStore } from '../../client/archive-store';
import { newIncidentState, summarize } from '../../domain/incident';
import { buildReportModel } from '../../domain/report';
import { renderTimelineSvg } from '../../domain/timeline-svg';
import { HARNESS_TOKENS, startHarness, type Harness } from '../helpers/api-harness';

let h: Harness;
beforeAll(async () => (h = await startHarness()));
afterAll(() => h.close());

function closed(id: string) {
  const s = newIncidentState({
    id,
    scope: 'openai',
    provider: 'openai',
    title: 'openai <b>down</b>',
    now: '2026-11-01T10:00:05.000Z',
    faultAt: '2026-11-01T10:00:00.000Z',
    severity: 'SEV2',
  });
  s.timeline.push({ at: s.startedAt, phase: 'detected', type: 'phase', message: 'incident opened' });
  s.routingChanges.push({
    chain: 'chat',
    from: { openai: 100 },
    to: { anthropic: 100 },
    mode: 'degraded',
    reason: 'openai → anthropic',
    version: 2,
    at: '2026-11-01T10:00:20.000Z',
  });
  Object.assign(s, {
    status: 'resolved',
    phase: 'resolved',
    mitigatedAt: '2026-11-01T10:00:20.000Z',
    resolvedAt: '2026-11-01T10:05:00.000Z',
  });
  return s;
}

async function archive(id: string, withSvg: boolean) {
  const s = closed(id);
  const model = buildReportModel(s);
  await new FileArchiveStore(h.dataDir).put({
    entry: {
      summary: summarize(s),
      workflowId: 'incident-openai',
      runId: `run-${id}`,
      archivedAt: s.resolvedAt!,
      state: s,
    },
    historyJson: '{"events":[]}',
    report: { markdown: '#', html: '<h1></h1>', model, ...(withSvg ? { svg: renderTimelineSvg(model.chart) } : {}) },
  });
  return s;
}

test('archived incident: the SVG as an image, read scope, escaped title', async () => {
  const s = await archive('openai-0a0b0c0d', true);
  const res = await h.send({ method: 'GET', path: `/v1/incidents/${s.id}/timeline.svg`, token: HARNESS_TOKENS.read });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
  expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  expect(res.text).toBe(renderTimelineSvg(buildReportModel(s).chart));
  expect(res.text).toContain('openai &lt;b&gt;down&lt;/b&gt;');
  expect(res.text.match(/<path class="route-area" data-chain="chat"/g)).toHaveLength(2);
  // Auth as for every incident read.
  expect((await h.send({ method: 'GET', path: `/v1/incidents/${s.id}/timeline.svg` })).status).toBe(401);
  expect(
    (await h.send({ method: 'GET', path: `/v1/incidents/${s.id}/timeline.svg`, token: HARNESS_TOKENS.ingest })).status,
  ).toBe(403);
});

test('an entry archived before charts is drawn from its archived record', async () => {
  const s = await archive('openai-1a1b1c1d', false);
  const res = await h.send({ method: 'GET', path: `/v1/incidents/${s.id}/timeline.svg`, token: HARNESS_TOKENS.read });
  expect(res.status).toBe(200);
  expect(res.text).toBe(renderTimelineSvg(buildReportModel(s).chart));
});

test('unknown incident: 404 with a clear error', async () => {
  const res = await h.send({
    method: 'GET',
    path: '/v1/incidents/openai-99999999/timeline.svg',
    token: HARNESS_TOKENS.read,
  });
  expect(res.status).toBe(404);
  expect(res.json()).toEqual({ error: 'incident openai-99999999 not found' });
});
