// A drill's start and result reach Slack as plain messages marked DRILL (no incident card, no buttons,
// nobody mentioned), once per drill and event even when the activity is retried; with Slack not
// configured they go to the log only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Client } from '@temporalio/client';
import { createDrillActivities } from '../../activities/drill';
import { parseConfig } from '../../config/load';
import { startSlackFake } from '../helpers/fakes';

let slack: Awaited<ReturnType<typeof startSlackFake>>;
let dataDir: string;
beforeAll(async () => {
  slack = await startSlackFake();
  dataDir = mkdtempSync(join(tmpdir(), 'lifeline-drill-announce-'));
});
afterAll(async () => {
  await slack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const activities = (slackSection: string) =>
  createDrillActivities({
    config: parseConfig(`
dataDir: ${dataDir}
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai" }
${slackSection}
`),
    client: {} as Client,
    logger: pino({ level: 'silent' }),
    baseUrlFor: () => 'http://127.0.0.1:9',
    env: { SLACK_BOT_TOKEN: 'xoxb-drill-test' },
  });

test('start and result go to the Slack channel once each, as plain DRILL messages', async () => {
  const a = activities(`notifications: { slack: { channel: C0DRILL, apiUrl: "${slack.url}" } }`);
  const start = { id: 'drill-chat-0a1b2c3d', event: 'start' as const, text: '[DRILL] chat started' };
  expect(await a.announceDrill(start)).toEqual({ delivered: ['log', 'slack'] });
  await a.announceDrill(start); // a retried activity
  await a.announceDrill({ ...start, event: 'result', text: '[DRILL] chat: PASSED' });
  const posts = slack.calls.filter((c) => c.method === 'chat.postMessage');
  expect(posts.map((p) => [p.args.channel, p.args.text])).toEqual([
    ['C0DRILL', ':test_tube: [DRILL] chat started'],
    ['C0DRILL', ':test_tube: [DRILL] chat: PASSED'],
  ]);
  for (const p of posts) {
    expect(p.args.blocks).toBeUndefined();
    expect(p.token).toBe('Bearer xoxb-drill-test');
  }
});

test('without Slack configured, the log only', async () => {
  const before = slack.calls.length;
  const a = activities('');
  expect(await a.announceDrill({ id: 'drill-chat-1', event: 'start', text: '[DRILL] x' })).toEqual({
    delivered: ['log'],
  });
  expect(slack.calls.length).toBe(before);
});
