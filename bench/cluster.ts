// A small lifeline cluster for benches: one embedded Temporal dev server, one simulator holding N
// providers (in the bench process, served over HTTP so worker processes probe it like a real endpoint),
// and K `lifeline worker` OS processes (dist/: `npm run build` first) that can be measured (CPU, RSS,
// their /metrics) and killed with SIGKILL. Providers come in pairs: chain c<k> = [p<2k>, p<2k+1>],
// all traffic on p<2k>.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { connectClient } from '../client/connect';
import { startDevServer } from '../temporal-server/dev-server/start';
import { resolveTemporalBinary } from '../temporal-server/binaries';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/messages';
import { startSimulator, type Simulator } from '../sim';

const BIN = resolve(__dirname, '..', '..', 'bin', 'lifeline.js');
const TICKS_PER_S = 100; // Linux USER_HZ

export interface ClusterOptions {
  providers: number;
  intervalMs: number;
  timeoutMs: number;
  /** Extra top-level YAML (recovery, worker sizing...). */
  extraYaml?: string;
  failuresToOpen?: number;
  /** Breaker cooldown (default 1 s); a long one keeps `breaker.since` = the time it opened, for timing. */
  breakerCooldownMs?: number;
}

export interface WorkerProc {
  pid: number;
  metricsUrl: string;
  /** CPU seconds (user + system) used so far; RSS in bytes now. */
  usage(): { cpuS: number; rssBytes: number };
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export interface Cluster {
  client: Client;
  sim: Simulator;
  workers: WorkerProc[];
  /** The Temporal dev server's CPU seconds and RSS (heartbeats and history writes land there). */
  serverUsage(): { cpuS: number; rssBytes: number };
  addWorker(): Promise<WorkerProc>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function procUsage(pid: number): { cpuS: number; rssBytes: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime are fields 14 and 15 (1-based) of /proc/<pid>/stat; index 11 and 12 after the comm.
    const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuS, rssBytes: rss ? Number(rss[1]) * 1024 : 0 };
  } catch {
    return { cpuS: 0, rssBytes: 0 };
  }
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-cluster-'));
  const ids = Array.from({ length: o.providers }, (_, i) => `p${i}`);
  const sim = await startSimulator({ providers: ids.map((id) => ({ id, kind: 'openai' as const })) });
  const cli = await resolveTemporalBinary('cli', { log: () => undefined });
  const dev = await startDevServer({
    cliPath: cli.path,
    dataDir: join(dir, 'temporal'),
    port: 0,
    uiPort: false,
    searchAttributes: SEARCH_ATTRIBUTE_TYPES,
    sqliteSync: 'normal',
    log: () => undefined,
    startTimeoutMs: 120_000,
  });
  const client = await connectClient(dev.address, 'default');
  const procs: { child: ChildProcess; proc: WorkerProc }[] = [];
  const usedPorts = new Set<number>();

  const yaml = (metricsPort: number) => `
temporal: { address: "${dev.address}", taskQueue: bench }
dataDir: ${join(dir, 'data')}
worker: { metricsPort: ${metricsPort} }
${o.extraYaml ?? ''}
providers:
${ids.map((id) => `  - { id: ${id}, kind: openai, baseUrl: "${sim.baseUrlFor(id)}", models: [gpt-4o-mini], probe: { intervalMs: ${o.intervalMs}, timeoutMs: ${o.timeoutMs} }, detection: { failuresToOpen: ${o.failuresToOpen ?? 2}, breakerCooldownMs: ${o.breakerCooldownMs ?? 1000} } }`).join('\n')}
chains:
${Array.from({ length: Math.floor(o.providers / 2) }, (_, c) => `  - { id: c${c}, providers: [p${2 * c}, p${2 * c + 1}], weights: { p${2 * c}: 100 } }`).join('\n')}
services:
${Array.from({ length: Math.floor(o.providers / 2) }, (_, c) => `  - { id: s${c}, chains: [c${c}], users: 100 }`).join('\n')}
`;

  const addWorker = async (): Promise<WorkerProc> => {
    // Ports handed out once each: two workers starting together must not get the same free port.
    let port = await freePort();
    while (usedPorts.has(port)) port = await freePort();
    usedPorts.add(port);
    const file = join(dir, `worker-${port}.yaml`);
    writeFileSync(file, yaml(port));
    const child = spawn(process.execPath, [BIN, '--config', file, 'worker'], {
      env: { ...process.env, LIFELINE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString('utf8')).slice(-4000)));
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`worker not ready in 300 s: ${out}`)), 300_000);
      let polling = false;
      child.stdout!.on('data', (d: Buffer) => {
        // Tested before trimming: the "polling" line lists every provider and can outgrow the kept tail.
        polling ||= /worker: polling task queue/.test(out.slice(-100) + d.toString('utf8'));
        out = (out + d.toString('utf8')).slice(-4000);
        if (polling) {
          clearTimeout(timer);
          ready();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`worker exited (${code}): ${out}`));
      });
    }).catch((err: Error) => {
      child.kill('SIGKILL'); // never leave a half-started worker behind
      throw err;
    });
    const pid = child.pid!;
    let stopping = false;
    child.once('exit', (code, sig) => {
      if (!stopping && sig !== 'SIGKILL')
        process.stderr.write(`[cluster] worker ${pid} exited (${code ?? sig}): ${out.slice(-1500)}\n`);
    });
    const proc: WorkerProc = {
      pid,
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
      usage: () => procUsage(pid),
      async kill9() {
        stopping = true;
        child.kill('SIGKILL');
        await exited;
      },
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        stopping = true;
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(t);
      },
    };
    procs.push({ child, proc });
    return proc;
  };

  return {
    client,
    sim,
    get workers() {
      return procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null).map((p) => p.proc);
    },
    addWorker,
    serverUsage: () => procUsage(dev.pid),
    async stop() {
      await Promise.all(procs.map((p) => p.proc.stop()));
      await client.connection.close().catch(() => undefined);
      await sim.close();
      await dev.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Quantile of a Prometheus histogram from its cumulative buckets (linear within a bucket, like histogram_quantile). */
export function histogramQuantile(text: string, family: string, q: number): number {
  const buckets: { le: number; count: number }[] = [];
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${family}_bucket\\{(?:[^}]*,)?le="([^"]+)"[^}]*\\} (\\S+)`).exec(line);
    if (m) buckets.push({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) });
  }
  if (!buckets.length) return NaN;
  buckets.sort((a, b) => a.le - b.le);
  const total = buckets[buckets.length - 1].count;
  if (!total) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / Math.max(1, b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}
