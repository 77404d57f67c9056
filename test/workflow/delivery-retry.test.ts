// Production retry policy under test: the incident's context comes from the real context activity over a
// config with no `notifications.retry` section (so the shipped defaults apply: 2 s doubling to 1 min, 20
// attempts, ~15 minutes), deliveries go through the real deliverNotification activity with real metrics,
// and PagerDuty refuses every connection. On the time-skipping server the policy runs to its end: the
// page is tried exactly the configured number of times with the configured backoff, `notification_failed`
// lands on the timeline, Slack delivered once, the incident completes, and the metrics count every attempt.
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import type { Client } from '@temporalio/client';
import { createContextActivities } from '../../activities/context';
import { createDeliverActivities } from '../../activities/deliver';
import type { Channel } from '../../activities/notify';
import { parseConfig } from '../../config/load';
import type { IncidentState } from '../../domain/incident';
import { createMetrics } from '../../metrics';
import { acknowledgeUpdate, alertsSignal, incidentStateQuery, providerRecoveredSignal } from '../../workflows/messages';
import { stubActivities } from '../helpers/activity-stubs';
import { useTimeSkippingEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const testEnv = useTimeSkippingEnv();

const YAML = `
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini] }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic", models: [claude-3-5-haiku-latest] }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
services:
  - { id: support-bot, chains: [chat], users: 12000 }
escalation:
  roles:
    technical_lead: [{ name: Dana, email: dana@example.com, slack: U0DANA }]
notifications:
  slack: { channel: C0INCIDENTS }
  pagerduty: { routingKeyEnv: PD_ROUTING_KEY }
`;

test('PagerDuty down for good: the shipped retry policy runs to notification_failed (20 attempts, 2 s doubling to 1 min), timeline and metrics agree', async () => {
  const config = parseConfig(YAML);
  // The policy under test is the configured default, not a value this test chose.
  expect(config.notifications.retry).toEqual({
    initialIntervalMs: 2_000,
    maximumIntervalMs: 60_000,
    maximumAttempts: 20,
  });
  const metrics = createMetrics({ processMetrics: false });
  const deps = {
    config,
    client: {} as Client,
    logger: pino({ level: 'silent' }),
    baseUrlFor: () => 'http://127.0.0.1:9',
    env: { PD_ROUTING_KEY: 'R0UTINGKEY0000000000000000RETRY' },
    metrics: metrics.activity,
  };
  const pdAttempts: { kind: string; level?: number; attempt: number; atMs: number }[] = [];
  const slackSends: string[] = [];
  const channels: Channel[] = [
    {
      name: 'pagerduty',
      send: async (n) => {
        // The server's clock (time skipping moves it, not the host's): when this attempt actually ran.
        pdAttempts.push({
          kind: n.kind,
          level: n.level,
          attempt: Context.current().info.attempt,
          atMs: await testEnv().currentTimeMs(),
        });
        throw new Error('connect ECONNREFUSED 127.0.0.1:443');
      },
    },
    { name: 'slack', send: async (n) => void slackSends.push(n.kind) },
  ];
  const activities = {
    ...stubActivities(),
    ...createContextActivities(deps),
    ...createDeliverActivities(deps, channels),
  };
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue: 'tq-delivery-retry',
    workflowBundle: workflowBundle(),
    activities,
  });
  const final = await worker.runUntil(async () => {
    const h = await testEnv().client.workflow.signalWithStart('incidentWorkflow', {
      taskQueue: 'tq-delivery-retry',
      workflowId: 'incident-delivery-retry',
      args: [{ scope: 'openai', provider: 'openai', title: 'openai down' }],
      signal: alertsSignal,
      signalArgs: [
        {
          alerts: [
            {
              provider: 'openai',
              kind: 'outage',
              summary: 'probe 503',
              source: 'probe',
              observedAt: new Date().toISOString(),
            },
          ],
        },
      ],
    });
    await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.phase === 'monitoring',
      'monitoring',
    );
    // Acknowledged at once, so no escalation adds pages while the first one is being retried.
    await h.executeUpdate(acknowledgeUpdate, { args: [{ by: 'dana' }] });
    await h.signal(providerRecoveredSignal, { at: new Date().toISOString(), detail: 'probe 200' });
    // Awaiting the result lets the server skip through the whole backoff.
    return (await h.result()) as IncidentState;
  });

  expect(final.status).toBe('resolved');
  const page = pdAttempts.filter((a) => a.kind === 'page');
  expect(page.map((a) => a.attempt)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  // Backoff between attempts, in the server's (skipped) time: 2, 4, 8, 16, 32 s, then capped at 60 s.
  const gaps = page.slice(1).map((a, i) => Math.round((a.atMs - page[i].atMs) / 1000));
  expect(gaps).toEqual([2, 4, 8, 16, 32, ...Array.from({ length: 14 }, () => 60)]);
  // Every PagerDuty notification (page, acknowledged, resolved) ran the same policy to its end.
  for (const kind of new Set(pdAttempts.map((a) => a.kind)))
    expect(`${kind}: ${pdAttempts.filter((a) => a.kind === kind).length}`).toBe(`${kind}: 20`);

  const failed = final.timeline.filter((e) => e.type === 'notification_failed').map((e) => e.message);
  expect(failed).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^page via pagerduty not delivered: connect ECONNREFUSED/),
      expect.stringMatching(/^resolved via pagerduty not delivered/),
    ]),
  );
  expect(failed.every((m) => m.includes('via pagerduty'))).toBe(true);
  expect(failed).toHaveLength(new Set(pdAttempts.map((a) => a.kind)).size);
  // Slack was never held up or re-sent by PagerDuty's retries.
  expect(slackSends.filter((k) => k === 'page')).toHaveLength(1);
  expect(final.timeline.filter((e) => e.type === 'notified' && e.message.startsWith('page via slack'))).toHaveLength(1);

  // Metrics: one retryable failure per attempt; Slack's deliveries counted as delivered.
  const failures = (await metrics.registry.getSingleMetric('lifeline_notification_failures_total')!.get()).values;
  expect(failures.find((v) => v.labels.channel === 'pagerduty' && v.labels.retryable === 'true')?.value).toBe(
    pdAttempts.length,
  );
  const text = await metrics.registry.metrics();
  expect(text).toMatch(/lifeline_notification_delivery_duration_seconds_count\{channel="pagerduty"\} (\d+)/);
  expect(
    Number(/lifeline_notification_delivery_duration_seconds_count\{channel="pagerduty"\} (\d+)/.exec(text)![1]),
  ).toBe(pdAttempts.length);
  process.stdout.write(
    `[figures] delivery retry: ${page.length} attempts of the page over ${Math.round((page[page.length - 1].atMs - page[0].atMs) / 1000)} s of skipped time; ${pdAttempts.length} PagerDuty attempts in all\n`,
  );
});
