// The load generator of bench/ingest: many concurrent HTTP clients sending one alert per request, with
// duplicates (a small set of dedup keys per provider), mostly as generic alerts and every tenth as a
// PagerDuty Events v2 trigger. Measures each request's latency.
import { Pool } from 'undici';

export interface StormPlan {
  alerts: number;
  providers: string[];
  clients: number;
  /** Distinct dedup keys per provider (the rest of the alerts are duplicates). */
  keysPerProvider: number;
  token: string;
}

export interface StormResult {
  accepted: number;
  rejected: Record<string, number>;
  seconds: number;
  latenciesMs: number[];
  /** When each slow request (over 100 ms) started, in s since the storm began, and its latency: where the tail is. */
  slow: [number, number][];
  incidentIds: Map<string, Set<string>>;
}

function requestFor(i: number, plan: StormPlan): { path: string; body: string; provider: string } {
  const provider = plan.providers[i % plan.providers.length];
  const key = `${provider}-k${(Math.floor(i / plan.providers.length) * 7919) % plan.keysPerProvider}`;
  if (i % 10 === 0) {
    return {
      provider,
      path: '/v2/enqueue',
      body: JSON.stringify({
        routing_key: plan.token,
        event_action: 'trigger',
        dedup_key: key,
        payload: {
          summary: `${provider} errors (storm ${i})`,
          source: 'bench',
          severity: 'critical',
          component: provider,
        },
      }),
    };
  }
  return {
    provider,
    path: '/v1/alerts',
    body: JSON.stringify({
      provider,
      kind: 'error_rate',
      summary: `${provider} 5xx above 5 % (storm ${i})`,
      source: 'bench',
      severity: 'error',
      dedupKey: key,
    }),
  };
}

export async function runStorm(apiUrl: string, plan: StormPlan): Promise<StormResult> {
  const pool = new Pool(apiUrl, { connections: plan.clients, pipelining: 1 });
  const latenciesMs: number[] = [];
  const slow: [number, number][] = [];
  const rejected: Record<string, number> = {};
  const incidentIds = new Map<string, Set<string>>(plan.providers.map((p) => [p, new Set<string>()]));
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  const client = async () => {
    for (let i = next++; i < plan.alerts; i = next++) {
      const r = requestFor(i, plan);
      const t0 = performance.now();
      const res = await pool.request({
        method: 'POST',
        path: r.path,
        body: r.body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.token}` },
      });
      const text = await res.body.text();
      const ms = performance.now() - t0;
      latenciesMs.push(ms);
      if (ms > 100) slow.push([(t0 - started) / 1000, ms]);
      if (res.statusCode === 202) {
        accepted += 1;
        const id = (JSON.parse(text) as { incidentId?: string }).incidentId;
        if (id) incidentIds.get(r.provider)!.add(id);
      } else rejected[res.statusCode] = (rejected[res.statusCode] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: plan.clients }, client));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { accepted, rejected, seconds, latenciesMs, slow, incidentIds };
}

/**
 * Runs the storm in a worker thread, so the load generator does not compete for the event loop of the
 * process under test (API + Temporal worker), as real senders would not.
 */
export function runStormInThread(apiUrl: string, plan: StormPlan): Promise<StormResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { apiUrl, plan } });
    w.once('message', (r: Omit<StormResult, 'incidentIds'> & { incidentIds: [string, string[]][] }) =>
      resolve({ ...r, incidentIds: new Map(r.incidentIds.map(([p, ids]) => [p, new Set(ids)])) }),
    );
    w.once('error', reject);
  });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const threads = require('node:worker_threads') as typeof import('node:worker_threads');
if (!threads.isMainThread && threads.workerData?.plan) {
  const { apiUrl, plan } = threads.workerData as { apiUrl: string; plan: StormPlan };
  void runStorm(apiUrl, plan).then((r) =>
    threads.parentPort!.postMessage({ ...r, incidentIds: [...r.incidentIds].map(([p, s]) => [p, [...s]]) }),
  );
}
