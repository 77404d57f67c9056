// bench:failover's `crash` mode: worker death mid-outage. Two `lifeline worker` processes share the
// monitors (bench/cluster.ts; probe every 1 s, 2 failures open). Per trial: fail p0 (primary of chain c0),
// and 300 ms later kill -9 the worker whose probe loop watches p0 (found from the loop's pending activity:
// its worker identity is `<pid>@host`). Time from the kill until c0 sends no traffic to p0: the loop's
// heartbeat timeout (8 s), its retry on the surviving worker resuming the failure streak, detection,
// incident and failover. Then a replacement worker starts, p0 heals, and the chain fails back.
import { getRoute } from '../client/routes';
import { incidentWorkflowId, monitorWorkflowId } from '../workflows/messages';
import { startCluster } from './cluster';
import { pct, sec, sleep, until as untilAny } from './util';

const TARGET_MS = 15_000;
const until = <T>(probe: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 180_000) =>
  untilAny(probe, done, what, timeoutMs, 50);

export async function crashTrials(trials: number): Promise<void> {
  const cluster = await startCluster({
    providers: 2,
    intervalMs: 1000,
    timeoutMs: 1000,
    failuresToOpen: 2,
    breakerCooldownMs: 1000,
    extraYaml: 'recovery: { shiftStepMs: 100, failbackHealthyForMs: 500, failbackCheckEveryMs: 100 }',
  });
  const afterKill: number[] = [];
  const afterFault: number[] = [];
  try {
    await Promise.all([cluster.addWorker(), cluster.addWorker()]);
    process.stdout.write(
      `bench/failover crash: ${trials} trial(s), 2 worker processes, probe every 1 s (2 failures open); kill -9 300 ms after the fault\n`,
    );
    for (let i = 0; i < trials; i++) {
      await until(
        () => getRoute(cluster.client, 'c0'),
        (r) => r.weights.p0 === 100 && r.mode === 'normal',
        'c0 on p0',
      );
      await until(
        () =>
          cluster.client.workflow
            .getHandle(incidentWorkflowId('p0'))
            .describe()
            .then(
              (d) => d.status.name,
              () => 'NONE',
            ),
        (s) => s !== 'RUNNING',
        'no open incident',
      );
      // The worker running p0's probe loop.
      const loop = await until(
        () => cluster.client.workflow.getHandle(monitorWorkflowId('p0')).describe(),
        (d) =>
          !!d.raw.pendingActivities?.find(
            (a) => a.activityType?.name === 'watchProvider' && a.state === 2 && a.lastWorkerIdentity,
          ),
        'p0 probe loop running',
      );
      const identity = loop.raw.pendingActivities!.find(
        (a) => a.activityType?.name === 'watchProvider',
      )!.lastWorkerIdentity!;
      const victim = cluster.workers.find((w) => identity.startsWith(`${w.pid}@`));
      if (!victim) throw new Error(`no worker process matches identity ${identity}`);
      const before = (await getRoute(cluster.client, 'c0')).version;
      const faultAt = Date.now();
      cluster.sim.setFault('p0', { mode: 'outage' });
      await sleep(300);
      const killAt = Date.now();
      await victim.kill9();
      await until(
        () => getRoute(cluster.client, 'c0'),
        (r) => r.version > before && !r.weights.p0,
        'traffic off p0',
        120_000,
      );
      afterKill.push(Date.now() - killAt);
      afterFault.push(Date.now() - faultAt);
      process.stdout.write(
        `  crash #${i + 1}: traffic off p0 ${sec(afterKill[i])} after kill -9 (${sec(afterFault[i])} after the fault)\n`,
      );
      await cluster.addWorker();
      cluster.sim.setFault('p0', { mode: 'healthy' });
    }
    await until(
      () => getRoute(cluster.client, 'c0'),
      (r) => r.weights.p0 === 100,
      'last failback',
    );
    process.stdout.write(`\ncrash (${trials} trials)          p50        p95\n`);
    process.stdout.write(
      `  kill -9 → traffic off  ${sec(pct(afterKill, 50)).padStart(9)}  ${sec(pct(afterKill, 95)).padStart(9)}\n`,
    );
    process.stdout.write(
      `  fault → traffic off    ${sec(pct(afterFault, 50)).padStart(9)}  ${sec(pct(afterFault, 95)).padStart(9)}\n`,
    );
    process.stdout.write(
      `  issue target: kill -9 → traffic off within ${sec(TARGET_MS)} (p95) → ${pct(afterKill, 95) <= TARGET_MS ? 'met' : 'NOT met'}\n\n`,
    );
  } finally {
    await cluster.stop();
  }
}
