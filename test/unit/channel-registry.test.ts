// The channel list (channels/index.ts) is the one place channels are named: config sections, delivery
// targets, secrets, what each carries and which ones thread all come from it. Route publishers likewise (publishers/index.ts).
import pino from 'pino';
import type { Client } from '@temporalio/client';
import { parseConfig } from '../../config/load';
import { notificationSecretEnvs } from '../../config/notifications';
import { CHANNELS, CHANNEL_NAMES, channelCarries, deliveryTargets, threadingChannels } from '../../channels';
import { DEFAULT_ALERT_ROUTING, DEFAULT_ROUTE, LEGACY_CARRIES, deliveryTargetsFor } from '../../domain/alert-rules';
import { createDeliverActivities } from '../../activities/deliver';
import type { Channel } from '../../channels/channel';
import type { Notification } from '../../activities/types';
import { PUBLISHERS, createExternalPublishers, publisherSecretEnvs } from '../../publishers';

const base = 'providers: [{ id: openai, kind: openai, baseUrl: "sim:openai" }]\n';
const full =
  parseConfig(`${base}smtp: { host: smtp.test, from: "lifeline <a@example.org>", userEnv: SMTP_USER, passwordEnv: SMTP_PASS }
notifications:
  slack: { channel: C1 }
  email: { customers: [c@customer.test] }
  pagerduty: { routingKeyEnv: PD_KEY }
  webhooks: [{ name: ops, url: "https://hooks.test/x", secretEnv: HOOK_A }, { name: audit, url: "https://hooks.test/y", secretEnv: HOOK_B }]
`);

test('every channel has its own config section, and the routing names are the list', () => {
  expect(CHANNEL_NAMES.slice(0, 4)).toEqual(['slack', 'email', 'pagerduty', 'webhook']);
  expect(new Set(CHANNELS.map((c) => c.configKey)).size).toBe(CHANNELS.length);
  expect(() =>
    parseConfig(`${base}notifications: { routing: { quota: { channels: [sms], escalateAfter: 1, withinMs: 1 } } }\n`),
  ).toThrow(/routing\.quota\.channels\.0: Invalid option: expected one of "slack"\|"email"\|"pagerduty"\|"webhook"/);
  // The defaults shipped in domain/ only name channels that exist.
  const defaults = [DEFAULT_ROUTE, ...Object.values(DEFAULT_ALERT_ROUTING)].flatMap((r) => r!.channels);
  expect(defaults.filter((c) => !CHANNEL_NAMES.includes(c))).toEqual([]);
});

test('delivery targets and secrets follow the configured sections, in list order', () => {
  expect(deliveryTargets(full.notifications)).toEqual([
    'log',
    'slack',
    'email',
    'pagerduty',
    'webhook:ops',
    'webhook:audit',
  ]);
  expect(deliveryTargets(parseConfig(base).notifications)).toEqual(['log']);
  expect(notificationSecretEnvs(full).map(([, env]) => env)).toEqual([
    'SLACK_BOT_TOKEN',
    'SMTP_USER',
    'SMTP_PASS',
    'PD_KEY',
    'HOOK_A',
    'HOOK_B',
  ]);
});

test('what each channel carries matches what recorded incidents assumed, and only Slack threads', () => {
  // New contexts carry channelCarries(); histories recorded before it fall back to LEGACY_CARRIES: the same
  // notification must go to the same targets either way.
  const carries = channelCarries();
  for (const [name, kinds] of Object.entries(LEGACY_CARRIES)) expect([name, carries[name]]).toEqual([name, kinds]);
  const configured = deliveryTargets(full.notifications);
  for (const kind of ['page', 'status_update', 'acknowledged', 'resolved']) {
    expect(deliveryTargetsFor(kind, CHANNEL_NAMES, configured, carries)).toEqual(
      deliveryTargetsFor(kind, CHANNEL_NAMES, configured),
    );
  }
  expect(deliveryTargetsFor('acknowledged', CHANNEL_NAMES, configured, carries)).toEqual([
    'log',
    'slack',
    'pagerduty',
    'webhook:ops',
    'webhook:audit',
  ]);
  expect(threadingChannels()).toEqual(['slack']);
});

test('a threading channel gets its ref back, also from a delivery scheduled with the old slackTs field', async () => {
  const seen: (string | undefined)[] = [];
  const slack: Channel = { name: 'slack', send: async (_n, _r, _k, opts) => void seen.push(opts?.ref) };
  const { deliverNotification } = createDeliverActivities(
    { config: full, client: {} as Client, logger: pino({ level: 'silent' }), baseUrlFor: () => '', env: {} },
    [slack],
  );
  const notification: Notification = {
    incidentId: 'i-1',
    kind: 'status_update',
    seq: 1,
    roles: [],
    severity: 'SEV2',
    title: 't',
    message: 'm',
  };
  await deliverNotification({ channel: 'slack', notification, ref: '1.000100' });
  await deliverNotification({ channel: 'slack', notification, slackTs: '1.000200' });
  await deliverNotification({ channel: 'slack', notification });
  expect(seen).toEqual(['1.000100', '1.000200', undefined]);
});

test('route publishers come from their list the same way: config sections, targets and secrets', () => {
  const c = parseConfig(`${base}publishers:
  webhook: { url: "https://hooks.test/routes", secretEnv: ROUTE_HOOK }
  litellm: { url: "http://litellm.test", apiKeyEnv: LITELLM_KEY, deployments: {} }
`);
  expect(PUBLISHERS.map((p) => p.name)).toEqual(['webhook', 'litellm']);
  expect(createExternalPublishers(c.publishers).map((p) => p.name)).toEqual(['webhook', 'litellm']);
  expect(createExternalPublishers(parseConfig(base).publishers)).toEqual([]);
  expect(publisherSecretEnvs(c.publishers)).toEqual([
    ['publishers.webhook.secretEnv', 'ROUTE_HOOK'],
    ['publishers.litellm.apiKeyEnv', 'LITELLM_KEY'],
  ]);
  expect(() => parseConfig(`${base}publishers: { kafka: { url: "http://x.test" } }\n`)).toThrow(/publishers/);
});
