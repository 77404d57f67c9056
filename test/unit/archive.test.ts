// The filesystem archive, listing merges/filters over open and archived incidents, report negotiation.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileArchiveStore } from '../../client/archive-store';
import { newIncidentState, summarize } from '../../domain/incident';
import { buildReportModel } from '../../domain/report';
import { mergeIncidentLists, type IncidentListItem } from '../../domain/incident-list';
import { reportFormatFor } from '../../api/report-format';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lifeline-archive-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function closed(id: string, startedAt: string) {
  const s = newIncidentState({
    id,
    scope: id.replace(/-[0-9a-f]{8}$/, ''),
    provider: id.replace(/-[0-9a-f]{8}$/, ''),
    title: `${id} down`,
    now: startedAt,
    severity: 'SEV2',
  });
  s.status = 'resolved';
  s.phase = 'resolved';
  s.resolvedAt = startedAt.replace('T10', 'T11');
  return s;
}

const docs = (s: ReturnType<typeof closed>, runId: string) => ({
  entry: {
    summary: summarize(s),
    workflowId: `incident-${s.scope}`,
    runId,
    archivedAt: '2026-11-01T12:00:00.000Z',
    state: s,
  },
  historyJson: '{"events":[]}',
  report: { markdown: `# ${s.id}`, html: `<h1>${s.id}</h1>`, model: buildReportModel(s) },
});

test('put/get/report/history/list, and a second put of the same run is a no-op', async () => {
  const store = new FileArchiveStore(dir);
  const s = closed('openai-1a2b3c4d', '2026-11-01T10:00:00.000Z');
  expect(await store.put(docs(s, 'run-1'))).toMatchObject({ alreadyArchived: false });
  expect(await store.put(docs(s, 'run-1'))).toMatchObject({ alreadyArchived: true });
  expect((await store.get(s.id))?.state.status).toBe('resolved');
  expect(await store.report(s.id, 'md')).toBe('# openai-1a2b3c4d');
  expect(JSON.parse((await store.report(s.id, 'json'))!).id).toBe(s.id);
  expect(await store.history(s.id)).toBe('{"events":[]}');
  expect(await store.list()).toEqual([summarize(s)]);
  // Atomic writes leave no temporary files behind.
  expect(readdirSync(join(dir, 'archive', s.id)).sort()).toEqual([
    'history.json',
    'incident.json',
    'report.html',
    'report.json',
    'report.md',
  ]);
});

test('IDs that are not plain incident IDs never become paths', async () => {
  const store = new FileArchiveStore(dir);
  expect(await store.get('../../etc/passwd')).toBeNull();
  expect(await store.report('openai-1a2b3c4d/../../x', 'md')).toBeNull();
  await expect(store.put(docs(closed('openai-1a2b3c4d', '2026-11-01T10:00:00.000Z'), 'r'))).resolves.toBeDefined();
  expect(await new FileArchiveStore(join(dir, 'missing')).list()).toEqual([]);
});

const item = (
  id: string,
  status: string,
  startedAt: string,
  extra: Partial<IncidentListItem> = {},
): IncidentListItem => ({
  id,
  provider: id.split('-')[0],
  title: id,
  severity: 'SEV2',
  phase: status === 'open' ? 'monitoring' : 'resolved',
  status,
  startedAt,
  resolvedAt: null,
  ...extra,
});

test('listing merges visibility and archive, dedupes by ID and filters', () => {
  const visibility = [
    item('openai-00000001', 'open', '2026-11-03T10:00:00.000Z', { severity: 'SEV1' }),
    item('openai-00000002', 'resolved', '2026-11-02T10:00:00.000Z', { title: 'from visibility' }),
  ];
  const archived = [
    item('openai-00000002', 'resolved', '2026-11-02T10:00:00.000Z', { title: 'from archive' }),
    item('anthropic-00000003', 'resolved', '2026-10-01T10:00:00.000Z', { severity: 'SEV3' }),
  ];
  const all = mergeIncidentLists(visibility, archived);
  expect(all.map((i) => i.id)).toEqual(['openai-00000001', 'openai-00000002', 'anthropic-00000003']);
  expect(all[1].title).toBe('from archive');
  const ids = (f: Parameters<typeof mergeIncidentLists>[2]) =>
    mergeIncidentLists(visibility, archived, f).map((i) => i.id);
  expect(ids({ status: 'open' })).toEqual(['openai-00000001']);
  expect(ids({ status: 'resolved' })).toEqual(['openai-00000002', 'anthropic-00000003']);
  expect(ids({ provider: 'anthropic' })).toEqual(['anthropic-00000003']);
  expect(ids({ severity: 'SEV1' })).toEqual(['openai-00000001']);
  expect(ids({ since: '2026-11-01T00:00:00Z' })).toEqual(['openai-00000001', 'openai-00000002']);
  expect(ids({ until: '2026-11-02T10:00:00Z' })).toEqual(['openai-00000002', 'anthropic-00000003']);
  expect(ids({ since: '2026-11-02T00:00:00Z', until: '2026-11-02T23:59:59Z', status: 'resolved' })).toEqual([
    'openai-00000002',
  ]);
});

test('report format by Accept, with q-values; JSON by default', () => {
  expect(reportFormatFor(undefined)).toBe('json');
  expect(reportFormatFor('text/markdown')).toBe('md');
  expect(reportFormatFor('text/html,application/xhtml+xml,*/*;q=0.8')).toBe('html');
  expect(reportFormatFor('text/html;q=0.5, text/markdown')).toBe('md');
  expect(reportFormatFor('image/png')).toBe('json');
});
