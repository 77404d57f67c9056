// lifeline's route on the real LiteLLM proxy (1.108.7 from PyPI, installed by .ci/install-litellm; a
// missing install fails here, it never skips). Two simulated providers serve one LiteLLM model group
// `chat`; the proxy runs from a config file, without a database, with lifeline's route-following callback
// (integrations/litellm/lifeline_routes.py). An operator failover through lifeline's API moves the
// requests sent THROUGH the proxy to the backup, a proxy restart keeps them there, and the /model/update
// publisher, which such a proxy cannot serve, fails the version for good with the way out instead of
// retrying forever.
import { freePort, startLiteLlmProxy, type LiteLlmProxy } from '../../sim/litellm-proxy';
import { routePublisherStateQuery, routePublisherWorkflowId } from '../../workflows/messages';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
let proxy: LiteLlmProxy | undefined;
let proxyPort: number;

const proxyConfig = () => {
  const sim = stack.endpoints.simulator!;
  return `
model_list:
  - model_name: chat
    litellm_params: { model: openai/gpt-4o-mini, api_base: "${sim.baseUrlFor('openai')}/v1", api_key: sk-sim }
    model_info: { id: dep-openai, lifeline_chain: chat, lifeline_provider: openai }
  - model_name: chat
    litellm_params: { model: anthropic/claude-3-5-haiku-latest, api_base: "${sim.baseUrlFor('anthropic')}", api_key: sk-sim }
    model_info: { id: dep-anthropic, lifeline_chain: chat, lifeline_provider: anthropic }
litellm_settings:
  callbacks: lifeline_routes.proxy_handler_instance
`;
};
const startProxy = () =>
  startLiteLlmProxy({
    configYaml: proxyConfig(),
    withPlugin: true,
    port: proxyPort,
    env: { LIFELINE_URL: stack.apiUrl, LIFELINE_TOKEN: TOKENS.reader, LIFELINE_POLL_MS: '100' },
  });

beforeAll(async () => {
  proxyPort = await freePort();
  stack = await startStack({
    env: { LITELLM_MASTER_KEY: 'sk-lifeline-test-master' },
    extraYaml: `
publishers:
  litellm: { url: "http://127.0.0.1:${proxyPort}", apiKeyEnv: LITELLM_MASTER_KEY, deployments: { chat: { openai: dep-openai, anthropic: dep-anthropic } } }
  retry: { initialIntervalMs: 100, maximumIntervalMs: 400, attemptTimeoutMs: 10000 }
`,
  });
  proxy = await startProxy();
});
afterAll(async () => {
  await proxy?.stop();
  await stack?.stop();
});

/** One chat completion through the proxy; the deployment that served it (LiteLLM's x-litellm-model-id). */
async function viaProxy(): Promise<string> {
  const res = await fetch(`${proxy!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${proxy!.masterKey}` },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'ping' }], max_tokens: 5 }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`proxy answered ${res.status}: ${text}\n${proxy!.output().slice(-2000)}`);
  return res.headers.get('x-litellm-model-id') ?? '(no x-litellm-model-id)';
}

/** Deployments that served `n` requests in a row. */
async function served(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await viaProxy());
  return ids;
}
const all = (id: string) => (ids: string[]) => ids.every((x) => x === id);

test('an operator failover in lifeline moves the requests sent through the real proxy to the backup', async () => {
  // Without lifeline, LiteLLM shuffles the group across both deployments; with the route (openai 100),
  // 20 requests in a row all go to the primary.
  await waitFor(() => served(20), all('dep-openai'), 'proxy follows the initial route', 60_000);

  const failover = await stack.http('POST', '/v1/routes/chat/failover', {
    token: TOKENS.operator,
    body: { from: 'openai', to: 'anthropic', mode: 'immediate', force: true },
  });
  expect(failover.status).toBe(202);
  const changed = await waitFor(
    () => stack.http('GET', '/v1/routes/chat', { token: TOKENS.reader }),
    (r) => r.body.weights.anthropic === 100 && !r.body.weights.openai,
    'route moved to anthropic',
  );
  const movedAt = Date.now();
  const anthropicBefore = stack.endpoints.simulator!.stats('anthropic').byStatus['200'] ?? 0;
  await waitFor(() => served(20), all('dep-anthropic'), 'proxy follows the failover', 30_000);
  process.stdout.write(`proxy followed route v${changed.body.version} within ${Date.now() - movedAt} ms\n`);
  // The backup really answered them (its simulator counted at least those 20 successes).
  expect((stack.endpoints.simulator!.stats('anthropic').byStatus['200'] ?? 0) - anthropicBefore).toBeGreaterThanOrEqual(
    20,
  );
});

test('a restarted proxy reads the route again: no request goes to the old primary', async () => {
  await proxy!.stop();
  proxy = undefined;
  proxy = await startProxy();
  // The first request starts the callback's reader; until it has the route LiteLLM may shuffle.
  await viaProxy();
  await waitFor(() => served(20), all('dep-anthropic'), 'restarted proxy follows the route', 30_000);
});

test('the /model/update publisher on a DB-less proxy fails each version for good, naming the way out', async () => {
  const state = await waitFor(
    () => stack.client.workflow.getHandle(routePublisherWorkflowId('chat', 'litellm')).query(routePublisherStateQuery),
    (s) => s.failed >= 1 && s.lastError !== null,
    'publication settled as failed',
  );
  expect(state.lastError).toContain('No DB Connected');
  expect(state.lastError).toContain('lifeline_routes.py');
  expect(state.publishedVersion).toBe(0);
});
