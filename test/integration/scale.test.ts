// More monitors than activity slots, on the real dev server with real activities against sim/: 150
// providers (75 chains) on a worker whose incident-side budget is 20 activity slots. Probe loops run on
// their own queue and slot budget, so every provider is probed and an outage on any of them — the first
// or the last to start — opens an incident and moves its chain's traffic. Then the starvation the old
// design hid: a probe budget smaller than the monitors makes /health/ready degraded, naming the monitor.
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { Exposition } from '../helpers/prometheus';

const op = { token: TOKENS.operator };
const N = 150;

/** Replaces the test config's providers, chains and services with N simulated providers in pairs. */
function manyProviders(yaml: string): string {
  const providers = Array.from(
    { length: N },
    (_, i) =>
      `  - { id: p${i}, kind: openai, baseUrl: "sim:p${i}", models: [gpt-4o-mini], probe: { intervalMs: 2000, timeoutMs: 1000 }, detection: { failuresToOpen: 2 } }`,
  );
  const chains = Array.from(
    { length: N / 2 },
    (_, c) => `  - { id: c${c}, providers: [p${2 * c}, p${2 * c + 1}], weights: { p${2 * c}: 100 } }`,
  );
  const services = Array.from({ length: N / 2 }, (_, c) => `  - { id: s${c}, chains: [c${c}], users: 100 }`);
  const head = yaml.slice(0, yaml.indexOf('providers:'));
  const tail = yaml.slice(yaml.indexOf('escalation:'));
  return `${head}worker: { activitySlots: 20, probeSlots: 200 }\nproviders:\n${providers.join('\n')}\nchains:\n${chains.join('\n')}\nservices:\n${services.join('\n')}\n${tail}`;
}

describe('150 providers on 20 activity slots', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ editYaml: manyProviders });
  });
  afterAll(async () => stack?.stop());

  test('every provider is probed, and outages on the first and the last provider are handled', async () => {
    const sim = stack.endpoints.simulator!;
    const unprobed = () => Array.from({ length: N }, (_, i) => `p${i}`).filter((p) => sim.stats(p).requests === 0);
    await waitFor(
      async () => unprobed(),
      (u) => u.length === 0,
      'every provider probed',
      90_000,
      250,
    );
    const m = new Exposition((await stack.http('GET', '/metrics')).text);
    const probed = new Set(m.find('lifeline_probes_total').map((s) => s.labels.provider));
    expect(probed.size).toBe(N);

    for (const p of ['p0', 'p148']) sim.setFault(p, { mode: 'outage' });
    for (const [p, chain, backup] of [
      ['p0', 'c0', 'p1'],
      ['p148', 'c74', 'p149'],
    ]) {
      const opened = await waitFor(
        () => stack.http('GET', `/v1/incidents?status=open&provider=${p}`, op),
        (r) => r.body.incidents?.length === 1,
        `an incident for ${p}`,
        90_000,
        250,
      );
      expect(opened.body.incidents[0].id).toMatch(new RegExp(`^${p}-[0-9a-f]{8}$`));
      const route = await waitFor(
        () => stack.http('GET', `/v1/routes/${chain}`, op),
        (r) => r.body.weights?.[backup] === 100,
        `${chain} on ${backup}`,
        90_000,
        250,
      );
      expect(route.body.weights[p] ?? 0).toBe(0);
    }
    // Incident work never waited behind probe loops for a slot: schedule-to-start on the main queue stays short.
    const after = new Exposition((await stack.http('GET', '/metrics')).text);
    const started = after.histogram('lifeline_activity_schedule_to_start_seconds', { queue: 'main' });
    expect(started.count).toBeGreaterThan(0);
    // Every monitor's loop runs again (the two failed monitors' breakers are open: trial probes instead). A
    // loop that returned on a transition is restarted by its monitor: on a loaded machine a few are between
    // runs at any instant, so this waits rather than reading one scrape.
    await waitFor(
      async () => new Exposition((await stack.http('GET', '/metrics')).text).value('lifeline_probe_loops'),
      (n) => n >= N - 2,
      'every probe loop running',
      60_000,
      500,
    );

    const ready = await waitFor(
      () => stack.http('GET', '/health/ready'),
      (r) => r.body.status === 'ready',
      'ready with every monitor probing',
      60_000,
      500,
    );
    expect(ready.body.checks.find((c: { name: string }) => c.name === 'worker').detail).toMatch(
      /on lifeline-it-probes/,
    );
    expect(ready.body.checks.find((c: { name: string }) => c.name === 'probes').detail).toBe(
      `${N} monitor(s) probing on schedule`,
    );
    // Each step has its own deadline above (what failed is named there); the whole can take longer than
    // the default 3 min on a loaded 2-core machine, where 150 monitors start one by one.
  }, 420_000);
});

describe('a probe budget smaller than the monitors', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Two providers, one probe slot: one monitor's loop can never start (what 100 slots did to provider 101).
    stack = await startStack({ extraYaml: 'worker: { probeSlots: 1 }\n' });
  });
  afterAll(async () => stack?.stop());

  test('/health/ready is degraded and names the starved monitor; the unprobed gauge counts it', async () => {
    const r = await waitFor(
      () => stack.http('GET', '/health/ready'),
      (x) => x.body.checks?.find((c: { name: string }) => c.name === 'probes')?.ok === false,
      'probes check failing',
      60_000,
      250,
    );
    expect(r.status).toBe(200); // degraded, not out of the load balancer
    expect(r.body.status).toBe('degraded');
    const check = r.body.checks.find((c: { name: string }) => c.name === 'probes');
    expect(check.critical).toBe(false);
    expect(check.detail).toMatch(
      /^1 of 2 monitor\(s\) starved: monitor-(openai|anthropic) \(no probe for \d+ s: probe loop waiting for a worker slot\)$/,
    );
    const starved = /monitor-(\w+)/.exec(check.detail)![1];
    const sim = stack.endpoints.simulator!;
    expect(sim.stats(starved).requests).toBe(0);
    expect(sim.stats(starved === 'openai' ? 'anthropic' : 'openai').requests).toBeGreaterThan(0);
    const m = await waitFor(
      async () => new Exposition((await stack.http('GET', '/metrics')).text),
      (e) => e.value('lifeline_monitors_unprobed') === 1,
      'unprobed gauge 1',
      30_000,
      250,
    );
    expect(m.value('lifeline_monitors_unprobed')).toBe(1);
  });
});
