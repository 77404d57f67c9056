// Notifications end to end on the dev server with real activities: an injected outage pages Slack,
// PagerDuty and email (local fakes on 127.0.0.1); the acknowledgement and the recovery update the same
// Slack message and the same PagerDuty alert (one dedup_key), and customers hear start and resolution.
import { Agent } from 'node:https';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath } from '../helpers/temporal';
import { findIncident } from '../../client/incidents';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { header, startPagerDutyFake, startSlackFake, startSmtp, type PagerDutyFake } from '../helpers/fakes';
import { waitFor } from '../helpers/wait';
import { pagerdutyChannel } from '../../channels/pagerduty';
import { historyFixtureDir, recordingFixtures } from '../helpers/fixtures';

let stack: Stack;
let pd: PagerDutyFake;
let slack: Awaited<ReturnType<typeof startSlackFake>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const env = { PD_ROUTING_KEY: 'R0UTINGKEY00000000000000000000E2E', SLACK_BOT_TOKEN: 'xoxb-e2e' };

beforeAll(async () => {
  [pd, slack, smtp] = await Promise.all([startPagerDutyFake(), startSlackFake(), startSmtp()]);
  stack = await startStack({
    env,
    extraYaml: `notifications:
  slack: { channel: C0INCIDENTS, apiUrl: "${slack.url}" }
  pagerduty: { routingKeyEnv: PD_ROUTING_KEY, server: "${pd.server}" }
  email: { host: 127.0.0.1, port: ${smtp.port}, from: "lifeline <alerts@example.org>", customers: [ops@customer.test] }
`,
    channels: [
      pagerdutyChannel(
        { routingKeyEnv: 'PD_ROUTING_KEY', server: pd.server, timeoutMs: 5000 },
        { env, agent: new Agent({ ca: pd.ca }) },
      ),
    ],
  });
});
afterAll(async () => {
  await stack?.stop();
  await Promise.all([pd?.close(), slack?.close(), smtp?.close()]);
});

const op = { token: TOKENS.operator };
let firstIncident = '';

test('an outage pages every routed channel once; ack and recovery update the same Slack message and PagerDuty alert', async () => {
  stack.endpoints.simulator!.setFault('openai', { mode: 'outage' });
  const opened = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open&provider=openai', op),
    (r) => r.body.incidents?.length === 1,
    'an open incident',
  );
  const id: string = opened.body.incidents[0].id;
  firstIncident = id;

  await waitFor(
    async () => pd.events.length,
    (n) => n >= 1,
    'PagerDuty trigger',
  );
  await waitFor(
    async () => slack.calls.length,
    (n) => n >= 1,
    'Slack post',
  );
  await waitFor(
    async () => smtp.mails.length,
    (n) => n >= 2,
    'team and customer email',
  );
  expect(pd.events[0]).toMatchObject({
    event_action: 'trigger',
    routing_key: env.PD_ROUTING_KEY,
    dedup_key: `lifeline-${id}`,
    payload: { severity: 'critical', source: 'lifeline' },
  });
  expect(slack.calls[0]).toMatchObject({ method: 'chat.postMessage', args: { channel: 'C0INCIDENTS' } });
  const subjects = smtp.mails.map((m) => header(m.raw, 'Subject'));
  expect(subjects).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^\\[SEV1\\] openai failing health probes .*— level 3 page \\(${id}\\)$`)),
      'Service alert: we are working on a problem affecting our AI features',
    ]),
  );

  const acked = await stack.http('POST', `/v1/incidents/${id}/acknowledge`, { ...op, body: { by: 'dana' } });
  expect(acked.status).toBe(200);
  await waitFor(
    async () => pd.events.map((e) => e.event_action),
    (a) => a.includes('acknowledge'),
    'PagerDuty acknowledge',
  );

  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
  const resolved = await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'resolved',
    'resolution',
    60_000,
  );

  // PagerDuty: trigger → acknowledge → resolve, all on the incident's one dedup_key.
  expect(pd.events.map((e) => e.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
  expect(new Set(pd.events.map((e) => e.dedup_key))).toEqual(new Set([`lifeline-${id}`]));
  // Slack: posted once, then updated in place, with the later notices in the thread.
  const roots = slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
  expect(roots).toHaveLength(1);
  const updates = slack.calls.filter((c) => c.method === 'chat.update');
  expect(updates.length).toBeGreaterThanOrEqual(2); // acknowledged, resolved
  expect(new Set(updates.map((u) => u.args.ts))).toEqual(new Set(['1700000000.000001']));
  expect(slack.calls.filter((c) => c.args.thread_ts).map((c) => c.args.text.split(' ')[0])).toEqual(
    expect.arrayContaining(['*acknowledged*', '*resolved*']),
  );
  // Customers: start and resolution.
  expect(smtp.mails.map((m) => header(m.raw, 'Subject'))).toContain(
    'Resolved: our AI features are working normally again',
  );
  // Every delivery is on the timeline.
  const notified = resolved.body.timeline
    .filter((e: { type: string }) => e.type === 'notified')
    .map((e: { message: string }) => e.message);
  expect(notified).toEqual(
    expect.arrayContaining([
      'page via slack: posted',
      'page via pagerduty',
      'page via email',
      'acknowledged via pagerduty',
      'resolved via slack: updated',
      'resolved via pagerduty',
      'resolved via email',
    ]),
  );
  expect(resolved.body.timeline.some((e: { type: string }) => e.type === 'notification_failed')).toBe(false);

  // A replay fixture of the per-channel delivery path (UPDATE_HISTORY_FIXTURES=1 refreshes it).
  if (recordingFixtures()) {
    const handle = (await findIncident(stack.client, id))!;
    const runId = (await handle.describe()).runId;
    const json = execFileSync(cliPath(), [
      'workflow',
      'show',
      '--workflow-id',
      handle.workflowId,
      '--run-id',
      runId,
      '--address',
      stack.address,
      '-o',
      'json',
    ]);
    writeFileSync(join(historyFixtureDir(), 'incident-notify-channels.json'), json);
  }
});

test('a worker restarted (gracefully) between pages, while the ack timer runs, pages nobody twice — kill -9 mid-delivery is test/integration/crash.test.ts', async () => {
  const counts = () => ({
    triggers: pd.events.filter((e) => e.event_action === 'trigger').length,
    roots: slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts).length,
    teamMails: smtp.mails.filter((m) => m.to.includes('dana@example.com')).length,
  });
  const before = counts();
  stack.endpoints.simulator!.setFault('openai', { mode: 'outage' });
  // Visibility is eventually consistent: the first incident can still be listed as open for a moment.
  const isNew = (i: { id: string }) => i.id !== firstIncident;
  const opened = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open&provider=openai', op),
    (r) => r.body.incidents?.some(isNew),
    'a second incident',
  );
  const id: string = opened.body.incidents.find(isNew).id;
  await waitFor(
    async () => counts(),
    (c) => c.triggers > before.triggers && c.roots > before.roots && c.teamMails > before.teamMails,
    'first page on every channel',
  );
  await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'monitoring',
    'waiting on the ack timer',
  );

  await stack.restartWorker();

  // The new worker picks the incident up from its history: acknowledging and recovering still work…
  expect((await stack.http('POST', `/v1/incidents/${id}/acknowledge`, { ...op, body: { by: 'sam' } })).status).toBe(
    200,
  );
  stack.endpoints.simulator!.setFault('openai', { mode: 'healthy' });
  await waitFor(
    () => stack.http('GET', `/v1/incidents/${id}`, op),
    (r) => r.body.phase === 'resolved',
    'resolution',
    60_000,
  );
  // …and the page that went out before the restart was not sent again on any channel.
  expect(counts()).toEqual({ triggers: before.triggers + 1, roots: before.roots + 1, teamMails: before.teamMails + 1 });
  expect(pd.events.filter((e) => e.dedup_key === `lifeline-${id}`).map((e) => e.event_action)).toEqual([
    'trigger',
    'acknowledge',
    'resolve',
  ]);
});
