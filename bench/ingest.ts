// bench/ingest: an alert storm against the real stack (Temporal dev server, worker, API) — many concurrent
// clients, ≥ 5 providers, duplicates — first through lifeline's group-commit path, then through a naive
// one-signal-with-start-per-alert path. Prints throughput, latency, incidents, alert counts and history.
//   npm run bench:ingest                 # 5,000 alerts (quick)
//   npm run bench:ingest -- --full       # 50,000 alerts
//   options: --alerts N --clients C --no-naive --naive-alerts N (the naive path is ~6× slower: at 50,000
//   alerts it alone takes ~20 minutes; a smaller naive storm gives the same per-alert cost)
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { buildApi } from '../api/server';
import { createAlertIngest, type AlertIngest } from '../api/ingest';
import { recordAlertsForScope } from '../client/incidents';
import { incidentStateQuery, incidentWorkflowId, intakeStateQuery, intakeWorkflowId } from '../workflows/messages';
import { runStormInThread as runStorm, type StormResult } from './storm';
import { embeddedConfigHead } from '../test/helpers/embedded-config';
import { embeddedStack, pct, runBench } from './util';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const num = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ALERTS = num('alerts', flag('full') ? 50_000 : 5_000);
const CLIENTS = num('clients', 100);
const NAIVE_ALERTS = Math.min(ALERTS, num('naive-alerts', ALERTS));
const PROVIDERS = ['openai', 'anthropic', 'bedrock', 'vertex', 'azure'];
const TOKEN = 'bench-ingest-token';
const KEYS = 200; // distinct dedup keys per provider: the rest of the storm are duplicates

function configYaml(dataDir: string): string {
  const kinds: Record<string, string> = {
    openai: 'openai',
    anthropic: 'anthropic',
    bedrock: 'bedrock',
    vertex: 'vertex',
    azure: 'azure-openai',
  };
  const head = embeddedConfigHead({
    taskQueue: 'bench-ingest',
    dataDir,
    token: { name: 'bench', env: 'BENCH_INGEST_TOKEN', scopes: ['ingest'] },
    ingestPerSecond: 1000000,
  });
  return `
${head}providers:
${PROVIDERS.map((p) => `  - { id: ${p}, kind: ${kinds[p]}, baseUrl: "sim:${p}", models: [m], probe: { intervalMs: 10000, timeoutMs: 2000 } }`).join('\n')}
`;
}

/** One signal-with-start per alert: what an ingestion path without group commit costs. */
function naiveIngest(client: Client, taskQueue: string): AlertIngest {
  return {
    batcher: undefined as never,
    async record(alerts) {
      return Promise.all(
        alerts.map(async (a) => {
          const r = await recordAlertsForScope(client, taskQueue, a.provider, [a]);
          return { provider: a.provider, incidentId: r.incidentId, deduplicated: r.deduplicated, alerts: 1 };
        }),
      );
    },
  };
}

/** Alerts reach the incident through the scope's intake about a second after their 202: wait for that. */
async function drained(client: Client, provider: string, accepted: number, withIntake: boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const intake = withIntake
      ? await client.workflow
          .getHandle(intakeWorkflowId(provider))
          .query(intakeStateQuery)
          .catch(() => null)
      : null;
    const state = await client.workflow.getHandle(incidentWorkflowId(provider)).query(incidentStateQuery);
    const settled = !intake || (intake.pending === 0 && intake.totals.forwarded === intake.totals.received);
    if ((settled && state.alerts.count >= accepted) || Date.now() > deadline) return { state, intake };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function runFigures(client: Client, query: string) {
  let runs = 0;
  let events = 0;
  let maxRunEvents = 0;
  for await (const ex of client.workflow.list({ query })) {
    // Visibility does not carry the history length of a running workflow on the dev server: ask the run.
    const n = (await client.workflow.getHandle(ex.workflowId, ex.runId).describe()).historyLength;
    runs += 1;
    events += n;
    maxRunEvents = Math.max(maxRunEvents, n);
  }
  return { runs, events, maxRunEvents };
}

async function incidentFigures(
  client: Client,
  acceptedPerProvider: Map<string, number> = new Map(),
  withIntake = false,
) {
  let recorded = 0;
  let distinct = 0;
  const ids = new Set<string>();
  const history: {
    provider: string;
    runs: number;
    events: number;
    maxRunEvents: number;
    intake?: Awaited<ReturnType<typeof runFigures>> & { forwards: number };
  }[] = [];
  for (const p of PROVIDERS) {
    const wfId = incidentWorkflowId(p);
    const { state, intake } = await drained(client, p, acceptedPerProvider.get(p) ?? 0, withIntake);
    recorded += state.alerts.count;
    distinct += state.alerts.distinct ?? 0;
    ids.add(state.id);
    const inc = await runFigures(client, `WorkflowId = '${wfId}' AND LifelineIncidentId = '${state.id}'`);
    const intakeRuns = intake
      ? { ...(await runFigures(client, `WorkflowId = '${intakeWorkflowId(p)}'`)), forwards: intake.totals.forwards }
      : undefined;
    history.push({ provider: p, ...inc, ...(intakeRuns ? { intake: intakeRuns } : {}) });
  }
  return { recorded, distinct, ids, history };
}

/** Accepted alerts per provider: the storm sends alert i to provider i mod n. */
function acceptedBy(r: StormResult): Map<string, number> {
  const total = r.accepted + Object.values(r.rejected).reduce((a, b) => a + b, 0);
  return new Map(
    PROVIDERS.map((p, i) => [
      p,
      r.accepted === total ? Math.floor(total / PROVIDERS.length) + (i < total % PROVIDERS.length ? 1 : 0) : 0,
    ]),
  );
}

function print(label: string, r: StormResult, f: Awaited<ReturnType<typeof incidentFigures>>, signals?: number) {
  const responseIds = new Set([...r.incidentIds.values()].flatMap((s) => [...s]));
  const line = (k: string, v: string | number) => console.log(`  ${k.padEnd(34)} ${v}`);
  console.log(`\n${label}`);
  line('alerts sent', r.accepted + Object.values(r.rejected).reduce((a, b) => a + b, 0));
  line('accepted (202)', r.accepted);
  line('rejected', JSON.stringify(r.rejected));
  line('accepted/s', Math.round(r.accepted / r.seconds));
  line('latency p50 / p99 (ms)', `${pct(r.latenciesMs, 50).toFixed(1)} / ${pct(r.latenciesMs, 99).toFixed(1)}`);
  line('requests over 100 ms', `${r.slow.length} (${((100 * r.slow.length) / Math.max(1, r.accepted)).toFixed(2)} %)`);
  if (flag('slow-report')) {
    const bySecond = new Map<number, number>();
    for (const [t] of r.slow) bySecond.set(Math.floor(t), (bySecond.get(Math.floor(t)) ?? 0) + 1);
    line('  … by second of the storm', [...bySecond].map(([s, n]) => `${s}s:${n}`).join(' '));
  }
  line('distinct scopes', PROVIDERS.length);
  line(
    'incidents created',
    `${f.ids.size} (IDs in responses: ${responseIds.size}) ${f.ids.size === PROVIDERS.length && responseIds.size === PROVIDERS.length ? 'OK' : 'MISMATCH'}`,
  );
  line(
    'alerts recorded',
    `${f.recorded} ${f.recorded === r.accepted ? 'OK (= accepted)' : `LOST ${r.accepted - f.recorded}`}`,
  );
  line('distinct alerts (dedup keys)', `${f.distinct} (expected ${PROVIDERS.length * KEYS})`);
  if (signals !== undefined)
    line('signals sent', `${signals} (${(r.accepted / Math.max(1, signals)).toFixed(1)} alerts/signal)`);
  for (const h of f.history) {
    line(`history ${h.provider}`, `incident ${h.events} events in ${h.runs} run(s), largest run ${h.maxRunEvents}`);
    if (h.intake)
      line(
        '',
        `intake ${h.intake.events} events in ${h.intake.runs} run(s), largest run ${h.intake.maxRunEvents}; ${h.intake.forwards} summaries forwarded`,
      );
  }
  const largest = Math.max(...f.history.flatMap((h) => [h.maxRunEvents, h.intake?.maxRunEvents ?? 0]));
  line('largest run (events)', `${largest} ${largest <= 2000 ? 'OK (≤ 2,000)' : 'OVER 2,000'}`);
}

async function main() {
  process.env.BENCH_INGEST_TOKEN = TOKEN;
  console.log(
    `bench/ingest: ${ALERTS} alerts, ${PROVIDERS.length} providers, ${CLIENTS} concurrent clients; starting the stack…`,
  );
  const { config, logger, services, stop } = await embeddedStack(configYaml, 'warn');
  const listen = async (ingest: AlertIngest) => {
    const api = await buildApi({ config, client: services.client, logger, env: process.env, ingest });
    await api.listen({ host: '127.0.0.1', port: 0 });
    return { api, url: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}` };
  };
  try {
    const plan = { alerts: ALERTS, providers: PROVIDERS, clients: CLIENTS, keysPerProvider: KEYS, token: TOKEN };
    const ingest = createAlertIngest(services.client, config.temporal.taskQueue, {
      groupCommitDelayMs: config.ingest.groupCommitDelayMs,
    });
    const grouped = await listen(ingest);
    const stormStart = Date.now();
    const r1 = await runStorm(grouped.url, plan);
    await grouped.api.close();
    const f1 = await incidentFigures(services.client, acceptedBy(r1), true);
    print('group commit (lifeline)', r1, f1, ingest.batcher.stats.signals);
    if (flag('slow-report')) {
      const rolled: string[] = [];
      for await (const ex of services.client.workflow.list({
        query: `WorkflowType = 'intakeWorkflow' AND ExecutionStatus != 'Running'`,
      })) {
        if (ex.closeTime) rolled.push(`${ex.workflowId}@${((ex.closeTime.getTime() - stormStart) / 1000).toFixed(1)}s`);
      }
      console.log(`  intake runs closed (continue-as-new)  ${rolled.sort().join(' ')}`);
    }

    if (!flag('no-naive')) {
      // Start the naive run from scratch: close the incidents of the first run.
      await Promise.all(
        PROVIDERS.flatMap((p) =>
          [incidentWorkflowId(p), intakeWorkflowId(p)].map((id) =>
            services.client.workflow.getHandle(id).terminate('bench: next run'),
          ),
        ),
      );
      const naive = await listen(naiveIngest(services.client, config.temporal.taskQueue));
      const r2 = await runStorm(naive.url, { ...plan, alerts: NAIVE_ALERTS });
      await naive.api.close();
      const f2 = await incidentFigures(services.client);
      print('naive (one signal-with-start per alert)', r2, f2, r2.accepted);
      console.log(
        `\n  group commit vs naive throughput     ${(r1.accepted / r1.seconds / (r2.accepted / r2.seconds)).toFixed(1)}×`,
      );
    }
  } finally {
    await stop();
  }
}

runBench('bench/ingest', main);
