// Config changes reach running entity workflows when a worker starts (ensureEntityWorkflows): a provider
// added to a chain and new weights reach the routing workflow (one new version, published; a second
// start with the same config changes nothing; a chain it cannot take is reported, not fatal), and new
// detection settings reach the monitor while its long-running probe activity keeps running.
import { parseConfig } from '../../config/load';
import { ensureEntityWorkflows } from '../../worker/entities';
import {
  monitorStateQuery,
  monitorWorkflowId,
  reconfigureRouteUpdate,
  routeQuery,
  routingWorkflowId,
} from '../../workflows/messages';
import { startStack, testConfigYaml, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

const route = () => stack.client.workflow.getHandle(routingWorkflowId('chat')).query(routeQuery);

test('a provider added to a chain and new weights reach the running route on the next start; the same config again is a no-op', async () => {
  const before = await waitFor(route, (r) => r.version >= 1, 'route');
  expect(before.providers).toEqual(['openai', 'anthropic']);
  const changed = parseConfig(
    testConfigYaml(stack.dataDir)
      .replace(
        '  - { id: anthropic,',
        '  - { id: mistral, kind: openai-compatible, baseUrl: "sim:mistral", models: [m] }\n  - { id: anthropic,',
      )
      .replace(
        '{ id: chat, providers: [openai, anthropic], weights: { openai: 100 } }',
        '{ id: chat, providers: [openai, anthropic, mistral], weights: { openai: 60, anthropic: 40 } }',
      ),
  );
  await ensureEntityWorkflows(stack.client, changed, { monitors: false });
  const after = await waitFor(route, (r) => r.version === before.version + 1, 'reconfigured route');
  expect(after).toMatchObject({
    providers: ['openai', 'anthropic', 'mistral'],
    weights: { openai: 60, anthropic: 40 },
    mode: 'normal',
  });
  // Published like any change: the API serves it.
  const served = await stack.http('GET', '/v1/routes/chat', { token: TOKENS.operator });
  expect(served.body).toMatchObject({ weights: { openai: 60, anthropic: 40 }, version: after.version });

  const lines: string[] = [];
  await ensureEntityWorkflows(stack.client, changed, { monitors: false, log: (l) => lines.push(l) });
  // Accepted and completed without a new version (the update's own completion, awaited here).
  const handle = stack.client.workflow.getHandle(routingWorkflowId('chat'));
  const again = await handle.executeUpdate(reconfigureRouteUpdate, {
    args: [{ providers: ['openai', 'anthropic', 'mistral'], weights: { openai: 60, anthropic: 40 } }],
  });
  expect(again.version).toBe(after.version);
  expect((await route()).version).toBe(after.version);
  expect(lines).toEqual([]);
});

test('a chain the route cannot take is refused and reported; the worker start goes on', async () => {
  const before = await route();
  const lines: string[] = [];
  const cfg = parseConfig(testConfigYaml(stack.dataDir));
  const broken = { ...cfg, chains: [{ id: 'chat', providers: ['openai'], weights: { anthropic: 100 } }] };
  await ensureEntityWorkflows(stack.client, broken, { monitors: false, log: (l) => lines.push(l) });
  await waitFor(
    async () => lines,
    (l) => l.length > 0,
    'the refusal reported',
  );
  expect(lines).toEqual([
    expect.stringMatching(
      /^warning: route chat keeps its previous configuration: .*weights\.anthropic: provider is not in the chain/,
    ),
  ]);
  expect(await route()).toEqual(before);
});

test('new detection settings reach the running monitor', async () => {
  const monitor = () => stack.client.workflow.getHandle(monitorWorkflowId('openai')).query(monitorStateQuery);
  const before = await waitFor(monitor, (m) => !!m.settings, 'monitor settings');
  expect(before.settings).toMatchObject({ breakerCooldownMs: 5000, trialsToClose: 2 });
  const cfg = parseConfig(
    testConfigYaml(stack.dataDir).replace(
      'probe: { intervalMs: 150, timeoutMs: 1000 } }',
      'probe: { intervalMs: 150, timeoutMs: 1000 }, detection: { breakerCooldownMs: 7000, trialsToClose: 4 } }',
    ),
  );
  await ensureEntityWorkflows(stack.client, cfg);
  const after = await waitFor(monitor, (m) => m.settings?.breakerCooldownMs === 7000, 'new monitor settings');
  expect(after.settings).toEqual({ breakerCooldownMs: 7000, trialsToClose: 4, trialIntervalMs: 150 });
  const other = await stack.client.workflow.getHandle(monitorWorkflowId('anthropic')).query(monitorStateQuery);
  expect(other.settings?.breakerCooldownMs).toBe(5000);
});
