// bench/peer: lifeline against the LiteLLM proxy on the same application traffic. Per fault, every system
// gets its own two fake OpenAI-compatible providers (bench/peer-provider.ts) and the same schedule: one
// request every 200 ms for 70 s; the primary's fault starts at 10 s and heals at 50 s (`flap`: down 5 s /
// up 5 s in between). After 70 s requests go on (not counted) until traffic is back on the primary, at most
// BENCH_TAIL_S. Systems of one fault run side by side (BENCH_PARALLEL=0: one after another).
//   npm run bench:peer          BENCH_FAULTS=outage,hang,rate_limit,flap  BENCH_SYSTEMS=litellm-default,…
//   BENCH_DURATION_S=70 BENCH_FAULT_AT_S=10 BENCH_HEAL_AT_S=50 BENCH_TAIL_S=60 BENCH_CLIENT_TIMEOUT_MS=10000
// Needs the LiteLLM proxy (.ci/install-litellm).
import { pct } from './stats';
import { startPeerProvider, type PeerFault } from './peer-provider';
import { SYSTEMS, startSystem, type PeerSystem, type Providers, type SystemName } from './peer-systems';
import { runBench, sleep } from './util';

const FAULTS = ['outage', 'hang', 'rate_limit', 'flap'] as const;
type Fault = (typeof FAULTS)[number];

const list = <T extends string>(env: string | undefined, all: readonly T[]): T[] => {
  const picked = (env ?? all.join(',')).split(',').map((s) => s.trim());
  const unknown = picked.filter((s) => !all.includes(s as T));
  if (unknown.length) throw new Error(`unknown: ${unknown.join(', ')} (choose from ${all.join(', ')})`);
  return picked as T[];
};
const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);

const CFG = {
  faults: list(process.env.BENCH_FAULTS, FAULTS),
  systems: list(process.env.BENCH_SYSTEMS, SYSTEMS),
  everyMs: 200,
  durationMs: num('BENCH_DURATION_S', 70) * 1000,
  faultAtMs: num('BENCH_FAULT_AT_S', 10) * 1000,
  healAtMs: num('BENCH_HEAL_AT_S', 50) * 1000,
  tailMs: num('BENCH_TAIL_S', 60) * 1000,
  clientTimeoutMs: num('BENCH_CLIENT_TIMEOUT_MS', 10_000),
  latencyMs: num('BENCH_PROVIDER_LATENCY_MS', 50),
  parallel: process.env.BENCH_PARALLEL !== '0',
  flapMs: 5_000,
};
/** Back on the primary: this many requests in a row answered by it (after the heal). */
const STREAK = 10;

interface Sample {
  startMs: number;
  latencyMs: number;
  ok: boolean;
  provider?: string;
}

interface Row {
  system: SystemName;
  fault: Fault;
  requests: number;
  failed: number;
  slow: number;
  p50: number;
  p95: number;
  max: number;
  dead: number;
  backMs: number | null;
}

/** The primary's fault at `t` ms into the run. */
function faultAt(fault: Fault, t: number): PeerFault {
  if (t < CFG.faultAtMs || t >= CFG.healAtMs) return 'healthy';
  if (fault !== 'flap') return fault;
  return Math.floor((t - CFG.faultAtMs) / CFG.flapMs) % 2 === 0 ? 'outage' : 'healthy';
}

/** ms from the heal to the first of STREAK requests in a row answered by the primary (null: not seen). */
function backOnPrimary(samples: Sample[]): number | null {
  const after = samples.filter((s) => s.startMs >= CFG.healAtMs).sort((a, b) => a.startMs - b.startMs);
  let run = 0;
  for (let i = 0; i < after.length; i++) {
    run = after[i].ok && after[i].provider === 'primary' ? run + 1 : 0;
    if (run >= STREAK) return Math.max(0, after[i - STREAK + 1].startMs - CFG.healAtMs);
  }
  return null;
}

async function runCell(name: SystemName, fault: Fault): Promise<Row> {
  const p: Providers = {
    primary: await startPeerProvider({ latencyMs: CFG.latencyMs }),
    backup: await startPeerProvider({ latencyMs: CFG.latencyMs }),
  };
  let system: PeerSystem | undefined;
  try {
    system = await startSystem(name, p);
    for (let i = 0; i < 5; i++) await system.send(CFG.clientTimeoutMs); // warm-up (lazy imports, connections)
    const t0 = Date.now();
    const samples: Sample[] = [];
    const inflight: Promise<void>[] = [];
    let current: PeerFault = 'healthy';
    for (let i = 0; ; i++) {
      const due = t0 + i * CFG.everyMs;
      if (due > Date.now()) await sleep(due - Date.now());
      const t = Date.now() - t0;
      const f = faultAt(fault, t);
      if (f !== current) p.primary.setFault((current = f));
      if (t >= CFG.durationMs && (backOnPrimary(samples) !== null || t >= CFG.durationMs + CFG.tailMs)) break;
      const sys = system;
      inflight.push(
        sys.send(CFG.clientTimeoutMs).then((r) => {
          samples.push({ startMs: t, latencyMs: Date.now() - t0 - t, ok: r.ok, provider: r.provider });
        }),
      );
    }
    await Promise.all(inflight);
    const counted = samples.filter((s) => s.startMs < CFG.durationMs);
    const inFault = counted
      .filter((s) => s.startMs >= CFG.faultAtMs && s.startMs < CFG.healAtMs)
      .map((s) => s.latencyMs);
    const row: Row = {
      system: name,
      fault,
      requests: counted.length,
      failed: counted.filter((s) => !s.ok).length,
      slow: counted.filter((s) => s.latencyMs > 2_000).length,
      p50: pct(inFault, 50),
      p95: pct(inFault, 95),
      max: Math.max(...inFault),
      dead: p.primary.attempts.filter((a) => a.at >= t0 && a.fault !== 'healthy').length,
      backMs: backOnPrimary(samples),
    };
    process.stdout.write(`  done: ${name} × ${fault}\n`);
    return row;
  } finally {
    await system?.stop().catch(() => undefined);
    await p.primary.close();
    await p.backup.close();
  }
}

const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : '-');
const back = (r: Row) =>
  r.backMs === null
    ? `> ${Math.round((CFG.durationMs + CFG.tailMs - CFG.healAtMs) / 1000)} s`
    : `${(r.backMs / 1000).toFixed(1)} s`;

function printTable(rows: Row[]): void {
  process.stdout.write(
    `\n| system | fault | requests | failed | > 2 s | p50 | p95 | max | attempts at the dead primary | heal → back on primary |\n` +
      `|---|---|---|---|---|---|---|---|---|---|\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.system} | ${r.fault} | ${r.requests} | ${r.failed} | ${r.slow} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.max)} | ${r.dead} | ${back(r)} |\n`,
    );
  process.stdout.write(
    `\nLatency columns: requests started in the fault window (${CFG.faultAtMs / 1000}–${CFG.healAtMs / 1000} s). ` +
      `Failed: an error answer or no answer within the app's ${CFG.clientTimeoutMs / 1000} s timeout. ` +
      `Back on primary: from the heal to the first of ${STREAK} requests in a row answered by the primary.\n`,
  );
}

async function main(): Promise<void> {
  process.stdout.write(
    `bench/peer: faults ${CFG.faults.join(', ')}; systems ${CFG.systems.join(', ')}; one request every ${CFG.everyMs} ms for ${CFG.durationMs / 1000} s, ` +
      `fault ${CFG.faultAtMs / 1000}–${CFG.healAtMs / 1000} s${CFG.parallel ? ', systems side by side' : ''}\n`,
  );
  const rows: Row[] = [];
  for (const fault of CFG.faults) {
    if (CFG.parallel) rows.push(...(await Promise.all(CFG.systems.map((s) => runCell(s, fault)))));
    else for (const s of CFG.systems) rows.push(await runCell(s, fault));
  }
  printTable(rows);
}

runBench('bench/peer', main);
