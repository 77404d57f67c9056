// Archive on the real dev server: a closed incident's full history and report land in dataDir/archive,
// the archived history replays, listings merge open (visibility) and closed (archive) incidents with
// filters, and reads fall back to the archive once Temporal no longer has the run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { WorkflowNotFoundError } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { FileArchiveStore } from '../../client/archive-store';
import { findIncident } from '../../client/incidents';
import { buildCli } from '../../cli';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { historyFixtureDir, recordingFixtures } from '../helpers/fixtures';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

const op = { token: TOKENS.operator };
const ids = (r: { body: { incidents: { id: string }[] } }) => r.body.incidents.map((i) => i.id);

test('a closed incident is archived, replays, is listed and stays readable after Temporal forgets it', async () => {
  const store = new FileArchiveStore(stack.dataDir);
  const declared = await stack.http('POST', '/v1/incidents', {
    ...op,
    body: { provider: 'anthropic', title: 'elevated 529s', severity: 'SEV2' },
  });
  expect(declared.status).toBe(201);
  const id: string = declared.body.id;
  await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'monitoring',
    'monitoring',
  );
  // While open: the timeline chart is drawn live from the record (a draft).
  const liveSvg = await stack.http('GET', `/v1/incidents/${id}/timeline.svg`, { ...op, accept: 'image/svg+xml' });
  expect(liveSvg.status).toBe(200);
  expect(String(liveSvg.headers['content-type'])).toBe('image/svg+xml; charset=utf-8');
  expect(liveSvg.text).toMatch(
    /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<g class="health-band" data-provider="anthropic">/,
  );
  expect((await stack.http('POST', `/v1/incidents/${id}/acknowledge`, { ...op, body: { by: 'dana' } })).status).toBe(
    200,
  );
  expect(
    (await stack.http('POST', `/v1/incidents/${id}/resolve`, { ...op, body: { note: 'provider fixed it' } })).status,
  ).toBe(200);

  // The archiver waits for the run to close, then writes history + reports.
  const entry = await waitFor(
    () => store.get(id),
    (e) => !!e,
    'the archive entry',
  );
  expect(entry!.state).toMatchObject({ id, status: 'resolved', resolution: 'provider fixed it' });
  const historyJson = (await store.history(id))!;
  const history = historyFromJSON(JSON.parse(historyJson));
  const types = history.events!.map((e) => e.eventType);
  expect(types[types.length - 1]).toBe(2); // EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: the full history
  expect(history.events![0].workflowExecutionStartedEventAttributes?.workflowType?.name).toBe('incidentWorkflow'); // from its first event
  const archivedMd = (await store.report(id, 'md'))!;
  expect(archivedMd).toContain('| history | closed | workflow completed |'); // in the appendix
  expect(archivedMd).toContain('update acknowledge accepted');
  const archivedSvg = (await store.report(id, 'svg'))!;
  expect(archivedSvg).toContain('acknowledged: acknowledged by dana'); // the operator's action, marked
  expect((await store.report(id, 'html'))!).toContain(archivedSvg); // and inline in the HTML postmortem

  // The archived history is a valid replay input for today's workflow code.
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, [
    { workflowId: entry!.workflowId, history },
  ]))
    results.push(r);
  expect(results).toHaveLength(1);
  expect(results[0].error).toBeUndefined();
  if (recordingFixtures()) {
    writeFileSync(join(historyFixtureDir(), 'incident-declared-archived.json'), historyJson);
  }

  // An open incident next to the archived one.
  const open = await stack.http('POST', '/v1/incidents', {
    ...op,
    body: { provider: 'openai', title: 'latency', severity: 'SEV3' },
  });
  const openId: string = open.body.id;
  await waitFor(
    () => stack.http('GET', '/v1/incidents?status=all', op),
    (r) => ids(r).includes(openId) && ids(r).includes(id),
    'both listed',
  );
  expect(ids(await stack.http('GET', '/v1/incidents?status=open', op))).toEqual([openId]);
  expect(ids(await stack.http('GET', '/v1/incidents?status=resolved', op))).toEqual([id]);
  expect(ids(await stack.http('GET', '/v1/incidents?severity=SEV2', op))).toEqual([id]);
  expect(ids(await stack.http('GET', '/v1/incidents?provider=openai', op))).toEqual([openId]);
  expect(
    ids(
      await stack.http(
        'GET',
        `/v1/incidents?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
        op,
      ),
    ),
  ).toEqual([]);
  const bad = await stack.http('GET', '/v1/incidents?since=yesterday&severity=SEV9', op);
  expect(bad.status).toBe(400);
  expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
    'querystring.severity',
    'querystring.since',
  ]);

  // Temporal forgets the run (retention): reads come from the archive.
  const h = (await findIncident(stack.client, id))!;
  const runId = (await h.describe()).runId;
  await stack.client.workflowService.deleteWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId: h.workflowId, runId },
  });
  await waitFor(
    () =>
      stack.client.workflow
        .getHandle(h.workflowId, runId)
        .describe()
        .then(
          () => 'still there',
          (e: Error) => (e instanceof WorkflowNotFoundError ? 'gone' : e.message),
        ),
    (v) => v === 'gone',
    'the run deleted',
    60_000,
    250,
  );
  const shown = await stack.http('GET', `/v1/incidents/${id}`, op);
  expect(shown.status).toBe(200);
  expect(shown.body).toMatchObject({ id, status: 'resolved' });
  const html = await stack.http('GET', `/v1/incidents/${id}/report`, { ...op, accept: 'text/html' });
  expect(html.status).toBe(200);
  expect(String(html.headers['content-type'])).toMatch(/^text\/html/);
  expect(html.text).toContain(`<code>${id}</code>`);
  const json = await stack.http('GET', `/v1/incidents/${id}/report`, op);
  expect(json.body.kpis.map((k: { name: string }) => k.name)).toEqual([
    'detection',
    'failover',
    'restoration',
    'total',
  ]);
  const md = await stack.http('GET', `/v1/incidents/${id}/report`, { ...op, accept: 'text/markdown' });
  expect(md.text).toBe(archivedMd);
  const svg = await stack.http('GET', `/v1/incidents/${id}/timeline.svg`, { ...op, accept: 'image/svg+xml' });
  expect({ status: svg.status, same: svg.text === archivedSvg }).toEqual({ status: 200, same: true });
  expect((await stack.http('GET', '/v1/incidents/anthropic-00000000/timeline.svg', op)).status).toBe(404);
  await waitFor(
    () => stack.http('GET', '/v1/incidents?status=resolved', op),
    (r) => ids(r).includes(id),
    'archived listing after deletion',
  );
  expect((await stack.http('GET', '/v1/incidents/anthropic-00000000/report', op)).status).toBe(404);

  // The CLI asks for the format it is told.
  const printed: string[] = [];
  const spy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => (printed.push(String(chunk)), true));
  try {
    await buildCli().parseAsync([
      'node',
      'lifeline',
      '--api',
      stack.apiUrl,
      '--token',
      TOKENS.operator,
      'incidents',
      'report',
      id,
      '--format',
      'html',
    ]);
  } finally {
    spy.mockRestore();
  }
  expect(printed.join('')).toMatch(/^<!doctype html>/);

  await stack.http('POST', `/v1/incidents/${openId}/resolve`, { ...op, body: {} });
});
