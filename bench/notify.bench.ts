// bench/notify: detection → first notification delivered, per channel, p50/p95 (target p95 ≤ 1 s).
// "Detection" is the moment POST /v1/alerts accepted the alert; "delivered" is when the local fake of
// each channel (Slack Web API, PagerDuty Events over HTTPS, SMTP, signed webhook) received it. Real dev
// server, real worker and activities, everything on 127.0.0.1. Run: npx jest --selectProjects bench
// The target is checked: a channel whose p95 misses it fails the bench (jest exits non-zero). The target
// can be set with BENCH_NOTIFY_P95_MS (e.g. to record a slower machine's figure without failing).
import { Agent } from 'node:https';
import { startStack, TOKENS, type Stack } from '../test/helpers/stack';
import { startPagerDutyFake, startSlackFake, startSmtp, startWebhookReceiver } from '../test/helpers/fakes';
import { waitFor } from '../test/helpers/wait';
import { pagerdutyChannel } from '../channels/pagerduty';
import { incidentWorkflowId } from '../workflows/messages';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TARGET_P95_MS = Number(process.env.BENCH_NOTIFY_P95_MS ?? 1000);
const env = {
  PD_ROUTING_KEY: 'R0UTINGKEY0000000000000000000BENCH',
  SLACK_BOT_TOKEN: 'xoxb-bench',
  HOOK_SECRET: 'bench-secret',
};

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

test(`detection → first notification per channel over ${RUNS} incidents`, async () => {
  const [pd, slack, smtp, hook] = await Promise.all([
    startPagerDutyFake(),
    startSlackFake(),
    startSmtp(),
    startWebhookReceiver(env.HOOK_SECRET),
  ]);
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      env,
      extraYaml: `notifications:
  slack: { channel: C0BENCH, apiUrl: "${slack.url}" }
  pagerduty: { routingKeyEnv: PD_ROUTING_KEY, server: "${pd.server}" }
  email: { host: 127.0.0.1, port: ${smtp.port}, from: "lifeline <alerts@example.org>" }
  webhooks: [{ name: bench, url: "${hook.url}", secretEnv: HOOK_SECRET }]
  routing: { outage: { channels: [slack, pagerduty, email, webhook], escalateAfter: 2, withinMs: 180000 } }
`,
      channels: [
        pagerdutyChannel(
          { routingKeyEnv: 'PD_ROUTING_KEY', server: pd.server, timeoutMs: 5000 },
          { env, agent: new Agent({ ca: pd.ca }) },
        ),
      ],
    });
    const s = stack;
    const latencies: Record<string, number[]> = { slack: [], pagerduty: [], email: [], webhook: [] };
    for (let i = 0; i < RUNS; i++) {
      const before = {
        slack: slack.calls.length,
        pagerduty: pd.times.length,
        email: smtp.mails.length,
        webhook: hook.accepted.length,
      };
      const t0 = Date.now();
      const r = await s.http('POST', '/v1/alerts', {
        token: TOKENS.ingest,
        body: { provider: 'openai', kind: 'outage', summary: `bench outage ${i}`, source: 'bench' },
      });
      expect(r.status).toBe(202);
      await waitFor(
        async () => [
          slack.calls.length > before.slack,
          pd.times.length > before.pagerduty,
          smtp.mails.length > before.email,
          hook.accepted.length > before.webhook,
        ],
        (got) => got.every(Boolean),
        `run ${i}: every channel`,
        30_000,
        10,
      );
      latencies.slack.push(slack.calls[before.slack].at - t0);
      latencies.pagerduty.push(pd.times[before.pagerduty] - t0);
      latencies.email.push(smtp.mails[before.email].at - t0);
      latencies.webhook.push(hook.accepted[before.webhook].at - t0);
      await s.http('POST', `/v1/incidents/${r.body.incidentId}/resolve`, {
        token: TOKENS.operator,
        body: { note: 'bench' },
      });
      await s.client.workflow.getHandle(incidentWorkflowId('openai')).result(); // its deliveries are drained
    }
    const lines = Object.entries(latencies).map(
      ([ch, xs]) =>
        `${ch.padEnd(10)} p50 ${String(pct(xs, 50)).padStart(5)} ms   p95 ${String(pct(xs, 95)).padStart(5)} ms   max ${String(Math.max(...xs)).padStart(5)} ms`,
    );
    process.stdout.write(
      `\nbench/notify — detection → first notification delivered (${RUNS} incidents)\n${lines.join('\n')}\n`,
    );
    for (const xs of Object.values(latencies)) expect(xs).toHaveLength(RUNS);
    const missed = Object.entries(latencies)
      .filter(([, xs]) => pct(xs, 95) > TARGET_P95_MS)
      .map(([ch, xs]) => `${ch} p95 ${pct(xs, 95)} ms`);
    process.stdout.write(
      `target p95 ≤ ${TARGET_P95_MS} ms: ${missed.length ? `MISSED (${missed.join(', ')})` : 'met'}\n`,
    );
    expect(missed).toEqual([]);
  } finally {
    await stack?.stop();
    await Promise.all([pd.close(), slack.close(), smtp.close(), hook.close()]);
  }
});
