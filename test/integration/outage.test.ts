// The vertical slice on the real dev server with real activities against sim/ providers:
// outage → incident → failover visible at /v1/routes → recovery → resolved → report.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cliPath } from '../helpers/temporal';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { findIncident } from '../../client/incidents';
import { historyFixtureDir, recordingFixtures } from '../helpers/fixtures';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

const op = { token: TOKENS.operator };

test('an injected outage is detected, failed over, recovered, resolved and reported', async () => {
  const before = await stack.http('GET', '/v1/routes', op);
  expect(before.status).toBe(200);
  expect(before.body.routes).toEqual([
    expect.objectContaining({ id: 'chat', weights: { openai: 100 }, mode: 'normal' }),
  ]);

  stack.endpoints.simulator!.setFault('openai', { mode: 'outage' });

  const opened = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open&provider=openai', op),
    (r) => r.body.incidents?.length === 1,
    'an open incident for openai',
  );
  const id: string = opened.body.incidents[0].id;
  expect(id).toMatch(/^openai-[0-9a-f]{8}$/);

  const failedOver = await waitFor(
    () => stack.http('GET', '/v1/routes/chat', op),
    (r) => r.body.weights?.anthropic === 100,
    'traffic on anthropic',
  );
  expect(failedOver.body).toMatchObject({ id: 'chat', weights: { anthropic: 100 }, mode: 'degraded' });
  expect(failedOver.body.version).toBeGreaterThan(before.body.routes[0].version);

  const monitoring = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'monitoring',
    'monitoring phase',
  );
  expect(monitoring.body.severity).toBe('SEV1');
  expect(monitoring.body.diagnosis.rootCause).toBe('provider_outage');
  expect(monitoring.body.diagnosis.checks).toContainEqual(
    expect.objectContaining({ name: 'api_probe', status: 'failed' }),
  );

  const acked = await stack.http('POST', `/v1/incidents/${id}/acknowledge`, { ...op, body: { by: 'dana' } });
  expect(acked.status).toBe(200);
  expect(acked.body.acknowledgements).toEqual([expect.objectContaining({ by: 'dana' })]);

  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
  const resolved = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'resolved',
    'resolution',
    60_000,
  );
  expect(resolved.body.status).toBe('resolved');
  expect(resolved.body.resolvedBy).toBe('lifeline');

  const after = await stack.http('GET', '/v1/routes/chat', op);
  expect(after.body).toMatchObject({ weights: { openai: 100 }, mode: 'normal' });

  const report = await stack.http('GET', `/v1/incidents/${id}/report`, { ...op, accept: 'text/markdown' });
  expect(report.status).toBe(200);
  expect(report.text).toContain(`\`${id}\``);
  expect(report.text).toContain('**provider_outage**');
  expect(report.text).toMatch(/\| `chat` \| openai 100% → anthropic 100% \| degraded \| lifeline \|/);
  expect(report.text).not.toMatch(/\/reports\/|seed \d/);
  expect(report.text).toMatch(/acknowledged by dana/);
  expect(existsSync(join(stack.dataDir, 'reports', `${id}.md`))).toBe(true);

  const json = await stack.http('GET', `/v1/incidents/${id}/report`, op);
  expect(json.body.durations.map((d: { name: string }) => d.name)).toEqual(['mttd', 'mtta', 'mttm', 'mttr']);
  expect(json.body.durations.every((d: { ms: number | null }) => typeof d.ms === 'number')).toBe(true);

  const closed = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=resolved', op),
    (r) => r.body.incidents?.some((i: { id: string }) => i.id === id),
    'resolved listing',
  );
  expect(closed.body.incidents.find((i: { id: string }) => i.id === id)).toMatchObject({
    provider: 'openai',
    status: 'resolved',
    severity: 'SEV1',
  });

  // Refresh the committed replay fixture when asked (UPDATE_HISTORY_FIXTURES=1).
  if (recordingFixtures()) {
    const handle = await findIncident(stack.client, id);
    const dir = historyFixtureDir();
    mkdirSync(dir, { recursive: true });
    // The CLI's JSON is the format Temporal's tools exchange (and historyFromJSON reads).
    const show = (workflowId: string, runId: string) =>
      execFileSync(cliPath(), [
        'workflow',
        'show',
        '--workflow-id',
        workflowId,
        '--run-id',
        runId,
        '--address',
        stack.address,
        '-o',
        'json',
      ]);
    writeFileSync(
      join(dir, 'incident-outage-recovered.json'),
      show(handle!.workflowId, (await handle!.describe()).runId),
    );
    // The entity workflows are still running: a partial history replays just the same.
    for (const wid of ['routing-chat', 'monitor-openai']) {
      const d = await stack.client.workflow.getHandle(wid).describe();
      writeFileSync(join(dir, `${wid}.json`), show(wid, d.runId));
    }
  }
});

test('operator actions: auth, scopes, validation, unknown incidents and a refused action after resolution', async () => {
  expect((await stack.http('GET', '/v1/incidents')).status).toBe(401);
  expect((await stack.http('GET', '/v1/incidents', { token: 'wrong' })).status).toBe(401);
  expect((await stack.http('GET', '/v1/incidents', { token: TOKENS.ingest })).status).toBe(403);
  expect(
    (await stack.http('POST', '/v1/incidents/openai-00000000/resolve', { token: TOKENS.reader, body: {} })).status,
  ).toBe(403);
  expect((await stack.http('GET', '/v1/incidents/openai-00000000', op)).status).toBe(404);

  const bad = await stack.http('POST', '/v1/incidents', {
    ...op,
    body: { provider: 'openai', title: '', severity: 'SEV9' },
  });
  expect(bad.status).toBe(400);
  expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.severity', 'body.title']);
  const unknown = await stack.http('POST', '/v1/incidents', { ...op, body: { provider: 'nope', title: 'x' } });
  expect(unknown.status).toBe(400);
  expect(unknown.body.issues[0].path).toBe('body.provider');

  const declared = await stack.http('POST', '/v1/incidents', {
    ...op,
    body: { provider: 'anthropic', title: 'elevated 529s', severity: 'SEV2' },
  });
  expect(declared.status).toBe(201);
  const id = declared.body.id;
  const s = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'monitoring',
    'declared incident monitoring',
  );
  expect(s.body.severity).toBe('SEV2');
  const resolved = await stack.http('POST', `/v1/incidents/${id}/resolve`, { ...op, body: { note: 'false alarm' } });
  expect(resolved.status).toBe(200);
  await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.status === 'resolved',
    'resolved',
  );
  const again = await stack.http('POST', `/v1/incidents/${id}/acknowledge`, { ...op, body: {} });
  expect(again.status).toBe(409);
});
