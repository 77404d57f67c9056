// bench/detect: how fast lifeline notices a provider failing. A simulated provider turns to persistent
// 503, and separately hangs; per trial, time from the fault to the incident opened and to the circuit
// breaker open, p50/p95 over the trials, at a 1 s probe interval. Between trials the provider recovers
// and the incident closes, so each trial starts from a healthy, closed breaker.
//   npm run bench:detect                 # 20 trials per mode
//   options: --trials N
import { incidentStateQuery, incidentWorkflowId, monitorStateQuery, monitorWorkflowId } from '../workflows/messages';
import { embeddedStack, pct, runBench, sleep, until } from './util';

const args = process.argv.slice(2);
const TRIALS = args.includes('--trials') ? Number(args[args.indexOf('--trials') + 1]) : 20;
const INTERVAL_MS = 1000;
const TIMEOUT_MS = 2000;

async function main() {
  const { services, stop } = await embeddedStack(
    (dataDir) => `
temporal: { address: embedded, port: 0, uiPort: false, taskQueue: bench-detect }
dataDir: ${dataDir}
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [m], probe: { intervalMs: ${INTERVAL_MS}, timeoutMs: ${TIMEOUT_MS} }, detection: { breakerCooldownMs: 1000 } }
`,
    'warn',
  );
  const sim = services.endpoints.simulator!;
  const monitor = services.client.workflow.getHandle(monitorWorkflowId('openai'));
  const incident = services.client.workflow.getHandle(incidentWorkflowId('openai'));
  console.log(
    `bench/detect: ${TRIALS} trials per mode, probe every ${INTERVAL_MS} ms (timeout ${TIMEOUT_MS} ms), default detection windows`,
  );
  try {
    for (const mode of ['outage', 'hang'] as const) {
      const toIncident: number[] = [];
      const toBreaker: number[] = [];
      for (let t = 0; t < TRIALS; t++) {
        await until(
          () => monitor.query(monitorStateQuery),
          (s) => s.breaker?.phase === 'closed' && s.healthy,
          'breaker closed',
          60_000,
        );
        // Land the fault at a random point of the probe cycle, as real faults do.
        await sleep(Math.random() * INTERVAL_MS);
        const opensBefore = (await monitor.query(monitorStateQuery)).breaker?.openedCount ?? 0;
        const faultAt = Date.now();
        sim.setFault('openai', { mode });
        const m = await until(
          () => monitor.query(monitorStateQuery),
          (s) => (s.breaker?.openedCount ?? 0) > opensBefore,
          'breaker open',
          60_000,
        );
        toBreaker.push(Date.parse(m.breaker!.since) - faultAt);
        const i = await until(
          () => incident.query(incidentStateQuery),
          (s) => s.status === 'open' && Date.parse(s.startedAt) >= faultAt,
          'incident open',
          60_000,
        );
        toIncident.push(Date.parse(i.startedAt) - faultAt);
        sim.setFault('openai', { mode: 'healthy' });
        await until(
          () => incident.query(incidentStateQuery),
          (s) => s.status === 'resolved',
          'incident resolved',
          120_000,
        );
      }
      const fmt = (v: number[]) =>
        `p50 ${Math.round(pct(v, 50))} ms, p95 ${Math.round(pct(v, 95))} ms, max ${Math.round(Math.max(...v))} ms`;
      const target =
        mode === 'outage' ? 'target p95 ≤ 2000 ms' : `target p95 ≤ ${TIMEOUT_MS + 2000} ms (probe timeout + 2 s)`;
      console.log(`\n${mode === 'outage' ? 'persistent 503' : 'silent hang'} (${TRIALS} trials; ${target})`);
      console.log(`  fault → breaker open      ${fmt(toBreaker)}`);
      console.log(`  fault → incident opened   ${fmt(toIncident)}`);
    }
  } finally {
    await stop();
  }
}

runBench('bench/detect', main);
