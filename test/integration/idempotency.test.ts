// Retried operator actions on the real stack: an HTTP request repeated with its Idempotency-Key, and a Slack
// command or click redelivered with the same Slack IDs, change nothing twice and get the first answer —
// also after the incident continued-as-new and after it closed, and when two copies race. Different keys
// are different actions.
import { randomUUID } from 'node:crypto';
import { ACTIONS } from '../../api/slack/blocks';
import { alertsSignal, incidentStateQuery } from '../../workflows/messages';
import type { IncidentState } from '../../domain/incident';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import {
  buttonClick,
  postToSlackEndpoint,
  slashCommand,
  startResponseSink,
  SIGNING_SECRET,
  type ResponseSink,
} from '../helpers/slack';
import { waitFor } from '../helpers/wait';

const SLACK_ENV = {
  SLACK_BOT_TOKEN: 'xoxb-test-not-real',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: 'http://127.0.0.1:9/api/',
};
const dana = { id: 'U0DANA', name: 'dana' };

let stack: Stack;
let sink: ResponseSink;
beforeAll(async () => {
  sink = await startResponseSink();
  stack = await startStack({ env: SLACK_ENV });
});
afterAll(async () => {
  await stack?.stop();
  await sink?.close();
});

const op = { token: TOKENS.operator };
const incident = (id: string) => stack.http('GET', `/v1/incidents/${id}`, op).then((r) => r.body as IncidentState);
const post = (path: string, key: string | undefined, body: unknown = {}) =>
  stack.http('POST', path, { ...op, body, ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}) });
const count = (s: IncidentState, type: string) => s.timeline.filter((e) => e.type === type).length;

test('a bad Idempotency-Key is a 400 naming the header, and changes nothing', async () => {
  for (const key of ['', 'has space', 'x'.repeat(256), 'semi;colon', 'ünïcode']) {
    const res = await post('/v1/routes/chat/weights', key, { weights: { openai: 50, anthropic: 50 } });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      expect.objectContaining({
        path: 'headers.idempotency-key',
        message: expect.stringContaining('Idempotency-Key must be'),
      }),
    ]);
  }
  expect((await stack.http('GET', '/v1/routes/chat/shift', op)).status).toBe(404); // no shift was started
  const doc = await stack.http('GET', '/openapi.json');
  const params = doc.body.paths['/v1/incidents/{id}/escalate'].post.parameters as { in: string; name: string }[];
  expect(params).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key' }));
});

test('traffic shifts: a repeated request is the same shift with the same answer (queued, running or done), a new key is another', async () => {
  const key = randomUUID();
  const first = await post('/v1/routes/chat/weights', key, { weights: { openai: 50, anthropic: 50 } });
  expect(first.status).toBe(202);
  // Quoted (RFC 8941 string) and bare forms name the same key.
  const again = await post('/v1/routes/chat/weights', `"${key}"`, { weights: { openai: 50, anthropic: 50 } });
  expect(again.status).toBe(202);
  expect(again.body).toEqual(first.body);
  await waitFor(
    () => stack.http('GET', '/v1/routes/chat/shift', op),
    (r) => r.body.status === 'COMPLETED',
    'shift done',
  );
  const route = (await stack.http('GET', '/v1/routes/chat', op)).body;
  expect(route.weights).toEqual({ openai: 50, anthropic: 50 });
  const late = await post('/v1/routes/chat/weights', key, { weights: { openai: 50, anthropic: 50 } });
  expect(late.status).toBe(202);
  expect(late.body).toEqual(first.body);
  expect((await stack.http('GET', '/v1/routes/chat', op)).body.version).toBe(route.version); // nothing re-applied

  // A new key is a new shift; two copies of it racing get one shift between them.
  const otherKey = randomUUID();
  const [other, twin] = await Promise.all(
    [1, 2].map(() => post('/v1/routes/chat/weights', otherKey, { weights: { openai: 100 } })),
  );
  expect([other.status, twin.status]).toEqual([202, 202]);
  expect(twin.body).toEqual(other.body);
  expect(other.body.shift.workflowId).not.toBe(first.body.shift.workflowId);
  await waitFor(
    () => stack.http('GET', '/v1/routes/chat', op),
    (r) => r.body.weights.openai === 100 && !r.body.weights.anthropic,
    'weights restored',
  );
});

test('acknowledge, escalate, resolve: one key applies once (also across continue-as-new and after close), new keys apply again', async () => {
  // Started directly with a low history limit, so the incident continues-as-new within the test.
  const h = await stack.client.workflow.signalWithStart('incidentWorkflow', {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId: 'incident-anthropic',
    args: [
      { scope: 'anthropic', provider: 'anthropic', title: 'retried actions', severity: 'SEV4', historyLimit: 120 },
    ],
    signal: alertsSignal,
    signalArgs: [
      {
        alerts: [
          {
            provider: 'anthropic',
            kind: 'other',
            summary: 'declared',
            source: 'test',
            observedAt: new Date().toISOString(),
          },
        ],
      },
    ],
  });
  const start = await waitFor(
    () => h.query(incidentStateQuery),
    (s) => s.phase === 'monitoring',
    'incident monitoring',
    60_000,
  );
  const id = start.id;
  const base = `/v1/incidents/${id}`;

  const ackKey = randomUUID();
  const ack1 = await post(`${base}/acknowledge`, ackKey);
  const ack2 = await post(`${base}/acknowledge`, ackKey);
  expect([ack1.status, ack2.status]).toEqual([200, 200]);
  expect(ack2.body).toEqual(ack1.body);
  expect((await incident(id)).acknowledgements).toHaveLength(1);

  const level0 = (await incident(id)).escalationLevel;
  expect(level0).toBeLessThanOrEqual(1);
  const escKey = randomUUID();
  const esc1 = await post(`${base}/escalate`, escKey);
  const esc2 = await post(`${base}/escalate`, escKey);
  expect([esc1.status, esc2.status]).toEqual([200, 200]);
  expect(esc2.body).toEqual(esc1.body);
  let s = await incident(id);
  expect(s.escalationLevel).toBe(level0 + 1);
  expect(count(s, 'escalated')).toBe(1);
  // The same key for another action is another action.
  expect((await post(`${base}/notes`, escKey, { text: 'looking' })).status).toBe(200);
  expect(count(await incident(id), 'note')).toBe(1);

  // Alerts one signal at a time until the run continues-as-new; then the retry still finds its first outcome.
  const firstRun = (await h.describe()).runId;
  const latest = stack.client.workflow.getHandle('incident-anthropic');
  for (let i = 0; (await latest.describe()).runId === firstRun; i++) {
    if (i > 400) throw new Error('the incident never continued-as-new');
    await latest.signal(alertsSignal, {
      alerts: [
        {
          provider: 'anthropic',
          kind: 'other',
          summary: `a${i}`,
          source: 'test',
          observedAt: new Date().toISOString(),
        },
      ],
    });
  }
  await waitFor(
    () => latest.query(incidentStateQuery),
    (x) => x.phase === 'monitoring',
    'resumed run monitoring',
  );
  const esc3 = await post(`${base}/escalate`, escKey);
  expect(esc3.status).toBe(200);
  expect(esc3.body).toEqual(esc1.body);
  s = await incident(id);
  expect(s.escalationLevel).toBe(level0 + 1);
  expect(count(s, 'escalated')).toBe(1);

  // A new key escalates again; two copies of it sent at once escalate once and get the same answer.
  const newKey = randomUUID();
  const [esc4, esc5] = await Promise.all([1, 2].map(() => post(`${base}/escalate`, newKey)));
  expect([esc4.status, esc5.status]).toEqual([200, 200]);
  expect(esc5.body).toEqual(esc4.body);
  expect(esc4.body.escalationLevel).toBe(level0 + 2);
  expect(count(await incident(id), 'escalated')).toBe(2);

  const resolveKey = randomUUID();
  const res1 = await post(`${base}/resolve`, resolveKey, { note: 'upstream fixed' });
  expect(res1.status).toBe(200);
  await waitFor(
    () => incident(id),
    (x) => x.status === 'resolved',
    'resolved',
  );
  await waitFor(
    () => latest.describe(),
    (d) => d.status.name !== 'RUNNING',
    'incident run closed',
  );
  const res2 = await post(`${base}/resolve`, resolveKey, { note: 'upstream fixed' });
  expect(res2.status).toBe(200);
  expect(res2.body).toEqual(res1.body);
  expect((await post(`${base}/resolve`, randomUUID(), { note: 'again' })).status).toBe(409);
  expect(count(await incident(id), 'resolve_requested')).toBe(1);
});

test('Slack: a redelivered click or command applies once; a new click applies again', async () => {
  const declared = await stack.http('POST', '/v1/incidents', {
    ...op,
    body: { provider: 'openai', title: 'slack retries', severity: 'SEV4' },
  });
  expect(declared.status).toBe(201);
  const id = declared.body.id as string;
  await waitFor(
    () => incident(id),
    (x) => x.phase !== 'detected',
    'incident running',
  );
  const level0 = (await incident(id)).escalationLevel;
  expect(level0).toBeLessThanOrEqual(1);

  const replies = async (n: number) =>
    (
      await waitFor(
        async () => sink.received.slice(),
        (r) => r.length >= n,
        `${n} Slack replies`,
      )
    ).slice(-2);
  const before = sink.received.length;
  const ids = { triggerId: `T${Date.now()}.1`, actionTs: `${Date.now() / 1000}` };
  expect((await postToSlackEndpoint(stack.apiUrl, buttonClick(ACTIONS.escalate, id, dana, sink.url, ids))).status).toBe(
    200,
  );
  expect((await postToSlackEndpoint(stack.apiUrl, buttonClick(ACTIONS.escalate, id, dana, sink.url, ids))).status).toBe(
    200,
  );
  const [r1, r2] = await replies(before + 2);
  expect(r2.text).toBe(r1.text);
  let s = await incident(id);
  expect(s.escalationLevel).toBe(level0 + 1);
  expect(count(s, 'escalated')).toBe(1);

  const n = sink.received.length;
  expect((await postToSlackEndpoint(stack.apiUrl, buttonClick(ACTIONS.escalate, id, dana, sink.url))).status).toBe(200);
  await replies(n + 1);
  s = await incident(id);
  expect(s.escalationLevel).toBe(level0 + 2);
  expect(count(s, 'escalated')).toBe(2);

  // A slash command redelivered with its trigger_id: one note.
  const note = slashCommand(`note ${id} checked the dashboards`, dana, sink.url, { triggerId: `T${Date.now()}.2` });
  for (let i = 0; i < 2; i++) expect((await postToSlackEndpoint(stack.apiUrl, note)).status).toBe(200);
  await waitFor(
    () => incident(id),
    (x) => count(x, 'note') >= 1,
    'note recorded',
  );
  expect(count(await incident(id), 'note')).toBe(1);
});
