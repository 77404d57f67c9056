// bench/failover: how fast a chain's route moves off a failing provider, end to end on the embedded dev
// server with real activities against sim/ (probe every 1 s). Per trial: inject the fault, time until
// the route no longer sends traffic to openai; heal, time until the configured weights are back and the
// incident is closed. Prints p50/p95 beside the runbook's KPIs.
// Mode `flap`: fault, failover, heal; once failback has put some traffic back on openai (phase
// `restoring`), fault again → time until openai carries no traffic again, and check that the same incident
// counted the flap. Failback steps last 1 s in this mode so the re-failure lands mid-failback.
// Mode `crash` (bench/failover-crash.ts): two `lifeline worker` processes; kill -9 the one running the
// failing provider's probe loop just after the fault → time until the other worker moved traffic off it.
//   npm run build && node dist/bench/failover.js        (BENCH_TRIALS=20, BENCH_MODES=outage,hang,flap,crash)
import { getRoute } from '../client/routes';
import { incidentStateQuery, incidentWorkflowId } from '../workflows/messages';
import type { SimFaultMode } from '../sim';
import { crashTrials } from './failover-crash';
import { embeddedStack, pct, runBench, sec, until } from './util';

const TRIALS = Number(process.env.BENCH_TRIALS ?? 20);
const ALL_MODES = (process.env.BENCH_MODES ?? 'outage,hang').split(',');
const MODES = ALL_MODES.filter((m) => m !== 'crash' && m !== 'flap') as SimFaultMode[];
const PROBE_MS = 1000;
const TIMEOUT_MS = 1000;
const KPI = { detection: 30_000, failover: 60_000, restoration: 120_000, total: 300_000 };

async function main(): Promise<void> {
  if (MODES.length) await faultModes();
  if (ALL_MODES.includes('flap')) await flapTrials();
  if (ALL_MODES.includes('crash')) await crashTrials(Number(process.env.BENCH_CRASH_TRIALS ?? Math.min(TRIALS, 10)));
}

/** The embedded stack the fault modes run on: one chain openai → anthropic, probes every PROBE_MS. */
async function benchStack(shiftStepMs: number) {
  const { services, stop } = await embeddedStack(
    (dataDir) => `
temporal: { address: embedded, port: 0, uiPort: false, taskQueue: bench }
dataDir: ${dataDir}
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini], probe: { intervalMs: ${PROBE_MS}, timeoutMs: ${TIMEOUT_MS} }, detection: { failuresToOpen: 2, successesToClose: 2 } }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic", models: [claude-haiku-4-5], probe: { intervalMs: ${PROBE_MS}, timeoutMs: ${TIMEOUT_MS} } }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
services:
  - { id: bot, chains: [chat], users: 12000 }
recovery: { shiftStepMs: ${shiftStepMs}, failbackHealthyForMs: 200, failbackCheckEveryMs: 100 }
`,
  );
  const route = () => getRoute(services.client, 'chat');
  try {
    await until(route, (r) => r.weights.openai === 100, 'route');
  } catch (err) {
    await stop();
    throw err;
  }
  const sim = services.endpoints.simulator!;
  const incident = () => services.client.workflow.getHandle(incidentWorkflowId('openai'));
  /** Heal openai, wait for the configured weights and then for the incident to close; ms from heal to weights back. */
  const healAndClose = async (failbackTimeoutMs?: number): Promise<number> => {
    const healAt = Date.now();
    sim.setFault('openai', { mode: 'healthy' });
    await until(route, (r) => r.weights.openai === 100 && r.mode === 'normal', 'failback', failbackTimeoutMs);
    const restoredMs = Date.now() - healAt;
    await until(
      () => incident().describe(),
      (d) => d.status.name !== 'RUNNING',
      'incident closed',
    );
    return restoredMs;
  };
  return { sim, route, incident, healAndClose, stop };
}

function printTable(title: string, m: Record<string, number[]>, kpi: Record<string, number>): void {
  process.stdout.write(`\n${title}      p50        p95        runbook KPI\n`);
  for (const k of Object.keys(m)) {
    process.stdout.write(
      `  ${k.padEnd(12)} ${sec(pct(m[k], 50)).padStart(9)}  ${sec(pct(m[k], 95)).padStart(9)}   ${kpi[k] ? `< ${kpi[k] / 1000} s` : ''}\n`,
    );
  }
}

async function faultModes(): Promise<void> {
  const { sim, route, incident, healAndClose, stop } = await benchStack(100);
  try {
    process.stdout.write(
      `bench/failover: ${TRIALS} trial(s) per mode, probe every ${PROBE_MS} ms (timeout ${TIMEOUT_MS} ms, 2 failures open)\n`,
    );
    for (const mode of MODES) {
      const m = {
        detection: [] as number[],
        failover: [] as number[],
        restoration: [] as number[],
        total: [] as number[],
      };
      for (let i = 0; i < TRIALS; i++) {
        const before = (await route()).version;
        const faultAt = Date.now();
        sim.setFault('openai', { mode });
        await until(route, (r) => r.version > before && !r.weights.openai, 'failover');
        m.failover.push(Date.now() - faultAt);
        const s = await incident().query(incidentStateQuery);
        m.detection.push(Date.parse(s.detectedAt) - faultAt);
        m.restoration.push(await healAndClose());
        m.total.push(Date.now() - faultAt);
        process.stdout.write(
          `  ${mode} #${i + 1}: failover ${sec(m.failover[i])}, restored ${sec(m.restoration[i])}\n`,
        );
      }
      printTable(`${mode} (${TRIALS} trials)`, m, KPI);
      const target = mode === 'hang' ? TIMEOUT_MS + 2_000 : 3_000;
      process.stdout.write(
        `  issue target: failover p95 ≤ ${sec(target)} → ${pct(m.failover, 95) <= target ? 'met' : 'NOT met'}\n\n`,
      );
    }
  } finally {
    await stop();
  }
}

async function flapTrials(): Promise<void> {
  const { sim, route, incident, healAndClose, stop } = await benchStack(1_000);
  try {
    const m = { failover: [] as number[], refailover: [] as number[], total: [] as number[] };
    for (let i = 0; i < TRIALS; i++) {
      const faultAt = Date.now();
      sim.setFault('openai', { mode: 'outage' });
      await until(route, (r) => !r.weights.openai, 'failover');
      m.failover.push(Date.now() - faultAt);
      sim.setFault('openai', { mode: 'healthy' });
      // Failback has begun: openai carries some traffic, not yet all of it.
      await until(route, (r) => (r.weights.openai ?? 0) > 0 && (r.weights.openai ?? 0) < 100, 'failback under way');
      const again = Date.now();
      sim.setFault('openai', { mode: 'outage' });
      await until(route, (r) => !r.weights.openai, 'traffic off openai again');
      m.refailover.push(Date.now() - again);
      const s = await until(
        () => incident().query(incidentStateQuery),
        (st) => (st.flaps ?? 0) >= 1,
        'flap counted',
      );
      await healAndClose(180_000);
      m.total.push(Date.now() - faultAt);
      process.stdout.write(
        `  flap #${i + 1}: failover ${sec(m.failover[i])}, off again ${sec(m.refailover[i])} after the re-failure (flaps ${s.flaps}, phase ${s.phase})\n`,
      );
    }
    printTable(`flap (${TRIALS} trials)`, m, { failover: KPI.failover, refailover: KPI.failover, total: KPI.total });
    process.stdout.write(
      `  issue target: traffic off the re-failed provider p95 ≤ ${sec(3_000)} → ${pct(m.refailover, 95) <= 3_000 ? 'met' : 'NOT met'}\n\n`,
    );
  } finally {
    await stop();
  }
}

runBench('bench/failover', main);
