// Durable route publishing on the real stack: a webhook target that refuses connections while the route
// changes twice receives the current route when it comes back — and never an older version after a newer
// one — while routing itself never waits for it, and a LiteLLM target that stays up keeps getting every
// change meanwhile. The retry interval is shortened to simulate minutes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { startWebhookReceiver } from '../helpers/receivers';
import { Exposition } from '../helpers/prometheus';
import { waitFor } from '../helpers/wait';
import { routePublisherStateQuery, routePublisherWorkflowId } from '../../workflows/messages';

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
/** A LiteLLM proxy stand-in: records the weight set per deployment by each /model/update. */
let litellm: Server;
const weightsSet: { id: string; weight: number }[] = [];
beforeAll(async () => {
  receiver = await startWebhookReceiver('idempotency-key');
  litellm = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const b = JSON.parse(body) as { model_info: { id: string }; litellm_params: { weight: number } };
      weightsSet.push({ id: b.model_info.id, weight: b.litellm_params.weight });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => litellm.listen(0, '127.0.0.1', r));
  stack = await startStack({
    env: { ROUTE_SECRET: 'route-secret-test-3b7e' },
    extraYaml: `
publishers:
  webhook: { url: "${receiver.url}", secretEnv: ROUTE_SECRET }
  litellm: { url: "http://127.0.0.1:${(litellm.address() as AddressInfo).port}", deployments: { chat: { openai: dep-openai, anthropic: dep-anthropic } } }
  retry: { initialIntervalMs: 100, maximumIntervalMs: 400, attemptTimeoutMs: 10000 }
`,
  });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
  await new Promise((r) => litellm?.close(r));
});

const op = { token: TOKENS.operator };
const versions = () => receiver.hooks.map((h) => (h.body.route as { version: number }).version);
const publisher = () =>
  stack.client.workflow.getHandle(routePublisherWorkflowId('chat', 'webhook')).query(routePublisherStateQuery);
const metric = async (name: string) =>
  new Exposition((await stack.http('GET', '/metrics')).text).find(name, { chain: 'chat', target: 'webhook' })[0]
    ?.value ?? 0;

async function setWeights(weights: Record<string, number>): Promise<number> {
  const res = await stack.http('POST', '/v1/routes/chat/weights', { ...op, body: { weights } });
  expect(res.status).toBe(202);
  await waitFor(
    () => stack.http('GET', '/v1/routes/chat/shift', op),
    (r) => r.body.status === 'COMPLETED',
    'shift done',
  );
  const route = (await stack.http('GET', '/v1/routes/chat', op)).body;
  expect(route.weights).toEqual(weights);
  return route.version as number;
}

test('a target down while the route changes twice gets the latest version on return, never an older one after it', async () => {
  // The initial route reaches the target when the routing entity starts.
  await waitFor(
    async () => versions(),
    (v) => v.includes(1),
    'initial route published',
  );
  expect(receiver.hooks[0].id).toBe('chat:1');

  await receiver.down();
  const v2 = await setWeights({ openai: 50, anthropic: 50 }); // routing does not wait for the dead target
  const v3 = await setWeights({ anthropic: 100 });
  expect(v3).toBeGreaterThan(v2);
  const down = await waitFor(
    publisher,
    (s) => s.latestVersion === v3 && s.superseded >= 1,
    'newest version queued, older one superseded',
  );
  expect(down.publishedVersion).toBe(1);
  // Targets are independent: LiteLLM has the newest weights while the webhook is still down.
  await waitFor(
    () => stack.client.workflow.getHandle(routePublisherWorkflowId('chat', 'litellm')).query(routePublisherStateQuery),
    (s) => s.publishedVersion === v3,
    'LiteLLM has the newest version',
  );
  expect(weightsSet.slice(-2)).toEqual([
    { id: 'dep-openai', weight: 0 },
    { id: 'dep-anthropic', weight: 100 },
  ]);
  await waitFor(
    () => metric('lifeline_route_publish_failures_total'),
    (n) => n >= 2,
    'failed attempts counted',
  );
  expect(await metric('lifeline_route_publish_pending')).toBe(1);
  expect(versions()).toEqual([1]);

  await receiver.up();
  await waitFor(
    async () => versions(),
    (v) => v.includes(v3),
    'latest route delivered after the target returned',
  );
  const after = await waitFor(publisher, (s) => s.publishedVersion === v3, 'publisher settled');
  expect(after.lastError).toBeNull();
  // Latest wins: the superseded version is never sent after the newer one, and the last delivery is current.
  const seen = versions();
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  // Exactly once per version it needed: the initial one, then the latest; the superseded v2 never.
  expect(seen).toEqual([1, v3]);
  expect(seen.at(-1)).toBe(v3);
  expect(receiver.hooks.at(-1)!.id).toBe(`chat:${v3}`);
  expect(receiver.hooks.at(-1)!.body).toMatchObject({
    type: 'route.changed',
    route: { id: 'chat', version: v3, weights: { anthropic: 100 } },
  });
  expect(await metric('lifeline_route_publish_pending')).toBe(0);
  expect(await metric('lifeline_route_published_version')).toBe(v3);
});

test('a delivery in flight is never overtaken: the newer version follows once the held one is answered', async () => {
  const before = receiver.hooks.length;
  receiver.gate.hold(() => true);
  const v4 = await setWeights({ openai: 100 });
  await waitFor(
    async () => receiver.gate.held.length,
    (n) => n >= 1,
    'delivery held at the target',
  );
  const v5 = await setWeights({ openai: 50, anthropic: 50 });
  await waitFor(publisher, (s) => s.latestVersion === v5, 'newer version queued while the older is in flight');
  receiver.gate.release();
  await waitFor(publisher, (s) => s.publishedVersion === v5, 'newest version delivered');
  const seen = versions().slice(before);
  expect(seen[0]).toBe(v4);
  expect(seen.at(-1)).toBe(v5);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  expect(new Set(seen).size).toBe(seen.length); // each version delivered once
});
