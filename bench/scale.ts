// bench/scale: N simulated providers probed every 30 s by one `lifeline worker` process, then two, on the
// embedded dev server (bench/cluster.ts). Per configuration, over a steady-state window after every
// provider has been probed once: probe lateness p50/p95 (worker histogram, window delta), outages on a few
// primaries → incident opened after detection and route switched after the fault (p95), worker CPU and
// RSS (per worker and per 100 monitors), history events per monitor per hour, and the main queue's
// schedule-to-start p95. Prints a table against the targets.
//   npm run bench:scale [-- --providers 100,500,1000 --workers 1,2 --interval 30000 --window 60000 --outages 5]
import { Command } from 'commander';
import { getRoute } from '../client/routes';
import { incidentWorkflowId, monitorStateQuery, monitorWorkflowId } from '../workflows/messages';
import { histogramQuantile, startCluster, type Cluster, type WorkerProc } from './cluster';
import { pct, runBench, sleep, until } from './util';

const TARGET = { latenessP95S: 1, incidentAfterDetectionP95S: 2 };
const list = (v: string) => v.split(',').map(Number);

async function scrape(w: WorkerProc): Promise<string> {
  const res = await fetch(w.metricsUrl);
  return res.text();
}

/** The histogram's bucket lines of `after` minus those of `before` (a window's observations). */
function windowOf(before: string, after: string, family: string): string {
  const counts = (text: string) => {
    const m = new Map<string, number>();
    for (const line of text.split('\n'))
      if (line.startsWith(`${family}_bucket`))
        m.set(line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1)));
    return m;
  };
  const b = counts(before);
  return [...counts(after)].map(([k, v]) => `${k} ${v - (b.get(k) ?? 0)}`).join('\n');
}

/** Sums the same histogram over several workers' expositions (bucket by bucket). */
function mergeHistograms(texts: string[], family: string, labelFilter = ''): string {
  const sum = new Map<string, number>();
  for (const t of texts) {
    for (const line of t.split('\n')) {
      if (!line.startsWith(`${family}_bucket`) || !line.includes(labelFilter)) continue;
      const le = /le="([^"]+)"/.exec(line)![1];
      sum.set(le, (sum.get(le) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
  }
  return [...sum].map(([le, v]) => `${family}_bucket{le="${le}"} ${v}`).join('\n');
}

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);

interface Row {
  providers: number;
  workers: number;
  latenessP50: number;
  latenessP95: number;
  incidentP95: number;
  routeP95: number;
  cpuPerWorker: number[];
  rssPerWorkerMb: number[];
  monitorsPerWorker: number[];
  eventsPerMonitorHour: number;
  startP95Main: number;
  serverCpu: number;
}

async function outages(
  cluster: Cluster,
  providers: number,
  n: number,
): Promise<{ incident: number[]; route: number[] }> {
  const chains = Math.floor(providers / 2);
  const picks = Array.from({ length: Math.min(n, chains) }, (_, i) =>
    Math.floor(((i + 0.5) * chains) / Math.min(n, chains)),
  );
  const faultAt = Date.now();
  for (const c of picks) cluster.sim.setFault(`p${2 * c}`, { mode: 'outage' });
  const results = await Promise.all(
    picks.map(async (c) => {
      const p = `p${2 * c}`;
      const opened = await until(
        () => cluster.client.workflow.getHandle(monitorWorkflowId(p)).query(monitorStateQuery),
        (s) => s.breaker?.phase === 'open',
        `${p} breaker open`,
        180_000,
        100,
      );
      const detectedAt = Date.parse(opened.breaker!.since);
      const d = await until(
        () => cluster.client.workflow.getHandle(incidentWorkflowId(p)).describe(),
        (x) => !!x.startTime,
        `incident ${p}`,
        180_000,
        100,
      );
      const routed = await until(
        () => getRoute(cluster.client, `c${c}`),
        (r) => !r.weights[p],
        `route c${c}`,
        180_000,
        50,
      );
      void routed;
      return { incident: d.startTime.getTime() - detectedAt, route: Date.now() - faultAt };
    }),
  );
  for (const c of picks) cluster.sim.setFault(`p${2 * c}`, { mode: 'healthy' });
  return { incident: results.map((r) => r.incident), route: results.map((r) => r.route) };
}

async function historyLengths(cluster: Cluster, ids: string[]): Promise<number> {
  const ds = await Promise.all(ids.map((id) => cluster.client.workflow.getHandle(id).describe()));
  return ds.reduce((s, d) => s + (d.historyLength ?? 0), 0);
}

async function runOne(
  providers: number,
  workers: number,
  o: { interval: number; window: number; outages: number },
): Promise<Row> {
  const cluster = await startCluster({
    providers,
    intervalMs: o.interval,
    timeoutMs: 5_000,
    breakerCooldownMs: 600_000,
    extraYaml: 'recovery: { shiftStepMs: 100, failbackHealthyForMs: 600000 }',
  });
  try {
    // Together, as a deployment starts its replicas: the probe loops spread over the workers polling when
    // the monitors start (a worker that joins later gets its share as loops return: worker.probeLoopMaxMs).
    await Promise.all(Array.from({ length: workers }, () => cluster.addWorker()));
    const ids = Array.from({ length: providers }, (_, i) => `p${i}`);
    // Warm-up: every provider probed once (first probes are spread over one interval), then a few seconds.
    await until(
      async () => ids.filter((id) => cluster.sim.stats(id).requests === 0).length,
      (n) => n === 0,
      'every provider probed',
      o.interval * 3 + 120_000,
      500,
    );
    await sleep(5_000);
    const ws = cluster.workers;
    const healthySample = ids
      .filter((_, i) => i % 2 === 1)
      .slice(0, 50)
      .map(monitorWorkflowId);
    // What the window is measured between: metrics, CPU/memory of workers and server, history lengths.
    const snapshot = async () => ({
      at: Date.now(),
      texts: await Promise.all(ws.map(scrape)),
      usage: ws.map((w) => w.usage()),
      server: cluster.serverUsage(),
      events: await historyLengths(cluster, healthySample),
    });
    const before = await snapshot();
    const trial = await outages(cluster, providers, o.outages);
    const rest = before.at + o.window - Date.now();
    if (rest > 0) await sleep(rest);
    const after = await snapshot();
    const secs = (after.at - before.at) / 1000;
    const lateness = mergeHistograms(
      ws.map((_, i) => windowOf(before.texts[i], after.texts[i], 'lifeline_probe_lateness_seconds')),
      'lifeline_probe_lateness_seconds',
    );
    const starts = mergeHistograms(
      ws.map((_, i) => windowOf(before.texts[i], after.texts[i], 'lifeline_activity_schedule_to_start_seconds')),
      'lifeline_activity_schedule_to_start_seconds',
      'queue="main"',
    );
    return {
      providers,
      workers,
      latenessP50: histogramQuantile(lateness, 'lifeline_probe_lateness_seconds', 0.5),
      latenessP95: histogramQuantile(lateness, 'lifeline_probe_lateness_seconds', 0.95),
      incidentP95: pct(trial.incident, 95) / 1000,
      routeP95: pct(trial.route, 95) / 1000,
      cpuPerWorker: ws.map((_, i) => ((after.usage[i].cpuS - before.usage[i].cpuS) / secs) * 100),
      rssPerWorkerMb: ws.map((_, i) => after.usage[i].rssBytes / 2 ** 20),
      monitorsPerWorker: after.texts.map((t) => gauge(t, 'lifeline_probe_loops')),
      eventsPerMonitorHour: ((after.events - before.events) / healthySample.length) * (3600 / secs),
      startP95Main: histogramQuantile(starts, 'lifeline_activity_schedule_to_start_seconds', 0.95),
      serverCpu: ((after.server.cpuS - before.server.cpuS) / secs) * 100,
    };
  } finally {
    await cluster.stop();
  }
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  const opts = new Command()
    .option('--providers <list>', 'provider counts', '100,500,1000')
    .option('--workers <list>', 'worker process counts', '1,2')
    .option('--interval <ms>', 'probe interval', '30000')
    .option('--window <ms>', 'measurement window after warm-up', '60000')
    .option('--outages <n>', 'primaries failed at once per configuration', '5')
    .parse()
    .opts<{ providers: string; workers: string; interval: string; window: string; outages: string }>();
  const o = { interval: Number(opts.interval), window: Number(opts.window), outages: Number(opts.outages) };
  process.stdout.write(
    `bench/scale: probe every ${o.interval} ms, ${o.window / 1000} s window, ${o.outages} outage(s) per configuration; worker processes measured from /proc\n`,
  );
  const rows: Row[] = [];
  for (const n of list(opts.providers)) {
    for (const k of list(opts.workers)) {
      process.stdout.write(`  ${n} providers, ${k} worker(s)…\n`);
      const r = await runOne(n, k, o);
      rows.push(r);
      process.stdout.write(
        `    lateness p50 ${f(r.latenessP50)} s p95 ${f(r.latenessP95)} s; incident after detection p95 ${f(r.incidentP95)} s; route switched after fault p95 ${f(r.routeP95)} s; CPU ${r.cpuPerWorker.map((c) => `${f(c, 0)} %`).join(' / ')}; RSS ${r.rssPerWorkerMb.map((m) => `${f(m, 0)} MB`).join(' / ')}; loops ${r.monitorsPerWorker.join(' / ')}; server CPU ${f(r.serverCpu, 0)} %\n`,
      );
    }
  }
  process.stdout.write(
    '\n| providers | workers | probe lateness p50 / p95 | incident opened after detection p95 | route switched after fault p95 | CPU per worker (per 100 monitors) | RSS per worker (per 100 monitors) | history events / monitor / h | main-queue schedule-to-start p95 | Temporal dev server CPU |\n|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    const per100 = (xs: number[]) =>
      xs.map((x, i) => `${f(x, 0)} (${f(x / Math.max(1, r.monitorsPerWorker[i] / 100), 1)})`).join(' / ');
    process.stdout.write(
      `| ${r.providers} | ${r.workers} | ${f(r.latenessP50)} / ${f(r.latenessP95)} s | ${f(r.incidentP95)} s | ${f(r.routeP95, 1)} s | ${per100(r.cpuPerWorker)} % | ${per100(r.rssPerWorkerMb)} MB | ${f(r.eventsPerMonitorHour, 1)} | ${f(r.startP95Main, 3)} s | ${f(r.serverCpu, 0)} % |\n`,
    );
  }
  process.stdout.write(
    '\nhistory: a healthy monitor writes no events while probing (heartbeats are not history); each loop return\nwrites 6, i.e. ≈ 36 per monitor per hour at worker.probeLoopMaxMs = 10 min (a window shorter than that sees none).\n',
  );
  const big = rows.filter((r) => r.providers === Math.max(...rows.map((x) => x.providers)));
  const one = big.find((r) => r.workers === 1);
  const two = big.find((r) => r.workers === 2);
  process.stdout.write('\ntargets:\n');
  if (one) {
    process.stdout.write(
      `  ${one.providers} providers on one worker: probe lateness p95 ${f(one.latenessP95)} s ≤ ${TARGET.latenessP95S} s → ${one.latenessP95 <= TARGET.latenessP95S ? 'met' : 'NOT met'}\n`,
    );
    process.stdout.write(
      `  incident opened p95 ${f(one.incidentP95)} s after detection ≤ ${TARGET.incidentAfterDetectionP95S} s → ${one.incidentP95 <= TARGET.incidentAfterDetectionP95S ? 'met' : 'NOT met'}\n`,
    );
  }
  if (one && two) {
    const ratio = Math.max(...two.cpuPerWorker) / one.cpuPerWorker[0];
    process.stdout.write(
      `  two workers: busiest worker's CPU ${f(ratio * 100, 0)} % of one worker's, monitors split ${two.monitorsPerWorker.join(' / ')} → ${ratio <= 0.65 ? 'halved (≤ 65 %)' : 'NOT halved'}\n`,
    );
  }
}

runBench('bench/scale', main);
