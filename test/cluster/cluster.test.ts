// lifeline as a cluster deployment runs it: the Temporal server built from go.temporal.io/server on
// PostgreSQL 15 (test/cluster/global-setup.ts), two `lifeline worker` and two `lifeline api` processes on
// one task queue, the store in PostgreSQL. Providers are simulated in this process and reached over HTTP;
// PagerDuty (HTTPS) and Slack are local receivers that can hold a delivery so a kill lands mid-flight.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { request } from 'undici';
import { startSimulator, type Simulator } from '../../sim';
import { startPagerDutyReceiver, startSlackReceiver, distinct } from '../helpers/receivers';
import { TEST_ENV, TOKENS } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { getFreePort } from '../../temporal-server/dev-server';
import { lastStart, startedDelivery, workerIdentity } from '../helpers/held-activity';
import { replayListed } from '../helpers/replay-all';
import { testWithProcessLogs } from '../helpers/process-logs';
import { waitForPhase } from '../helpers/incident-phase';
import { killProcess, readState, startTemporalServer, writeState } from './cluster';
import { startLifeline, type LifelineProcess } from './processes';

const PROVIDERS = ['pdedup', 'pkill', 'prestart', 'proute', 'pb1', 'pb2', 'pb3', 'spare'];
const INCIDENT_PROVIDERS = PROVIDERS.filter((p) => p !== 'spare');
const WORKER_ENV = { PD_ROUTING_KEY: 'R0UTINGKEY00000000000000000CLUSTER', SLACK_BOT_TOKEN: 'xoxb-cluster' };

let dir: string;
let configFile: string;
let sim: Simulator;
let temporal: { connection: Connection; client: Client };
let pd: Awaited<ReturnType<typeof startPagerDutyReceiver>>;
let slack: Awaited<ReturnType<typeof startSlackReceiver>>;
const workers: LifelineProcess[] = [];
const apis: LifelineProcess[] = [];
const started = Date.now();

function configYaml(address: string, storeUrlEnv: string): string {
  const provider = (id: string) =>
    `  - { id: ${id}, kind: openai, baseUrl: "${sim.baseUrlFor(id)}", models: [gpt-4o-mini], probe: { intervalMs: 1000, timeoutMs: 2000 } }`;
  return `
server: { host: 127.0.0.1, port: 0 }
temporal: { address: "${address}", namespace: default, taskQueue: lifeline-cluster }
dataDir: ${dir}/data
${storeUrlEnv ? `store: { kind: postgres, postgres: { urlEnv: ${storeUrlEnv} } }` : ''}
auth:
  tokens:
    - { name: detectors, tokenEnv: LIFELINE_INGEST_TOKEN, scopes: [ingest] }
    - { name: oncall, tokenEnv: LIFELINE_OPERATOR_TOKEN, scopes: [read, operate] }
ingest: { rateLimit: { perSecond: 1000, burst: 2000 } }
providers:
${PROVIDERS.map(provider).join('\n')}
chains:
${INCIDENT_PROVIDERS.map((p) => `  - { id: c${p}, providers: [${p}, spare], weights: { ${p}: 100 } }`).join('\n')}
services:
${INCIDENT_PROVIDERS.map((p) => `  - { id: svc-${p}, chains: [c${p}], users: 12000 }`).join('\n')}
escalation:
  roles:
    technical_lead: [{ name: Dana, email: dana@example.com, slack: U0DANA }]
recovery: { shiftStepMs: 150, failbackHealthyForMs: 300, failbackCheckEveryMs: 100 }
notifications:
  slack: { channel: C0CLUSTER, apiUrl: "${slack.url}", timeoutMs: 60000 }
  pagerduty: { routingKeyEnv: PD_ROUTING_KEY, server: "${pd.server}", timeoutMs: 60000 }
  routing:
    outage: { channels: [slack, pagerduty], escalateAfter: 1000, withinMs: 60000 }
`;
}

const env = () => ({
  ...TEST_ENV,
  ...WORKER_ENV,
  NODE_EXTRA_CA_CERTS: pd.caFile,
  LIFELINE_STORE_URL: readState().storeUrl,
});
// One log per worker process, so a failure shows what the killed one and the survivor each did.
const startWorker = async () => {
  const w = await startLifeline('worker', configFile, env(), join(dir, `worker-${workers.length + 1}.log`));
  workers.push(w);
  return w;
};
const startApi = async () => {
  const a = await startLifeline('api', configFile, env(), join(dir, 'api.log'));
  apis.push(a);
  return a;
};
const live = (ps: LifelineProcess[]) => ps.filter((p) => !(p as { gone?: boolean }).gone);
const retire = async (p: LifelineProcess, how: 'kill9' | 'stop') => {
  (p as { gone?: boolean }).gone = true;
  await p[how]();
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeline-cluster-test-'));
  [pd, slack] = await Promise.all([startPagerDutyReceiver(), startSlackReceiver()]);
  sim = await startSimulator({
    providers: PROVIDERS.map((id) => ({ id, kind: 'openai' as const, models: ['gpt-4o-mini'] })),
  });
  const connection = await Connection.connect({ address: readState().address });
  temporal = { connection, client: new Client({ connection, namespace: 'default' }) };
  configFile = join(dir, 'lifeline.yaml');
  writeFileSync(
    configFile,
    configYaml(readState().address, process.env.LIFELINE_CLUSTER_STORE === 'local' ? '' : 'LIFELINE_STORE_URL'),
  );
  // Two of each, started concurrently as a deployment would roll them out.
  await Promise.all([startWorker(), startWorker(), startApi(), startApi()]);
  process.stdout.write(
    `[figures] cluster: server + PostgreSQL ${JSON.stringify(readState().figures)}; 2 workers + 2 APIs ready ${((Date.now() - started) / 1000).toFixed(1)} s after the suite began\n`,
  );
});

afterAll(async () => {
  await Promise.all([...apis, ...workers].map((p) => p.stop()));
  await Promise.all([pd, slack].map((r) => r?.close()));
  await sim?.close();
  await temporal?.connection.close();
  if (dir && !process.env.LIFELINE_CLUSTER_KEEP) rmSync(dir, { recursive: true, force: true });
});

// ---- API helpers ---------------------------------------------------------------------------------------
async function http(api: LifelineProcess, method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
  const res = await request(api.url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
const alert = (api: LifelineProcess, provider: string, summary = `${provider} is down`) =>
  http(api, 'POST', '/v1/alerts', TOKENS.ingest, {
    provider,
    kind: 'outage',
    summary,
    source: 'cluster-test',
    severity: 'critical',
  });
const incident = (id: string, api = live(apis)[0]) => http(api, 'GET', `/v1/incidents/${id}`, TOKENS.operator);
const inPhase = (id: string, phase: string, timeoutMs = 120_000) =>
  waitForPhase(() => incident(id), id, phase, timeoutMs);
async function resolveWhenMonitoring(id: string): Promise<void> {
  await inPhase(id, 'monitoring', 180_000);
  await waitFor(
    () => http(live(apis)[0], 'POST', `/v1/incidents/${id}/resolve`, TOKENS.operator, { by: 'cluster-test' }),
    (r) => r.status === 200,
    `resolve ${id}`,
    60_000,
    250,
  );
}

/** One PagerDuty trigger and one resolve (repeats only with the same dedup_key), one Slack incident message. */
function expectDeliveredOnce(id: string): void {
  const events = pd.events.filter((e) => e.dedup_key === `lifeline-${id}`);
  expect(distinct(events, (e) => e.event_action).sort()).toEqual(['resolve', 'trigger']);
  expect(slack.roots(`(${id})`)).toHaveLength(1);
  const replies = slack.calls
    .filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts && c.args.text?.includes(id))
    .map((c) => c.args.text);
  expect(replies).toEqual([...new Set(replies)]);
}
type Entry = { type: string; phase: string; message: string };
function expectStepsOnce(timeline: Entry[]): void {
  for (const step of ['paged', 'report'])
    expect(`${step} × ${timeline.filter((e) => e.type === step).length}`).toBe(`${step} × 1`);
  const notified = timeline.filter((e) => e.type === 'notified').map((e) => e.message);
  expect(notified).toEqual([...new Set(notified)]);
}

/** The closed incident's archive entry is a row in the store's PostgreSQL database, readable through both APIs. */
async function expectArchivedInPostgres(id: string): Promise<void> {
  if (process.env.LIFELINE_CLUSTER_STORE === 'local') return;
  const pool = new Pool({ connectionString: readState().storeUrl });
  try {
    await waitFor(
      async () =>
        (
          await pool.query('SELECT key FROM lifeline_documents WHERE collection = $1 AND starts_with(key, $2)', [
            'archive',
            `${id}/`,
          ])
        ).rows
          .map((r) => r.key as string)
          .sort(),
      (keys) => keys.includes(`${id}/incident.json`),
      `archive of ${id} in PostgreSQL`,
      60_000,
      250,
    );
  } finally {
    await pool.end();
  }
  for (const api of live(apis)) {
    const r = await request(`${api.url}/v1/incidents/${id}/report`, {
      headers: { authorization: `Bearer ${TOKENS.operator}`, accept: 'text/markdown' },
    });
    expect(`${r.statusCode} ${(await r.body.text()).includes(id)}`).toBe('200 true');
  }
  // Nothing of it on the processes' shared local disk.
  expect(existsSync(join(dir, 'data', 'archive'))).toBe(false);
  expect(existsSync(join(dir, 'data', 'notifications'))).toBe(false);
}

/** A test whose failure carries the warnings and errors the API and worker processes logged. */
const clusterTest = (name: string, body: () => Promise<void>, timeoutMs?: number) =>
  testWithProcessLogs(name, () => dir, body, timeoutMs);

// ---- the tests -----------------------------------------------------------------------------------------
clusterTest('alerts spread over both APIs deduplicate into one incident', async () => {
  const [a, b] = live(apis);
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => alert(i % 2 ? a : b, 'pdedup', `pdedup 503 #${i}`)),
  );
  expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
  const ids = new Set(results.map((r) => r.body.incidentId as string));
  expect(ids.size).toBe(1);
  const [id] = ids;
  for (const api of [a, b]) {
    const open = await http(api, 'GET', '/v1/incidents?status=open&provider=pdedup', TOKENS.operator);
    expect(open.body.incidents.map((i: { id: string }) => i.id)).toEqual([id]);
    const shown = await waitFor(
      () => incident(id, api),
      (r) => r.body?.alerts?.count === 20,
      `20 alerts on ${id} via ${api.url}`,
    );
    expect(shown.body.alerts.count).toBe(20);
  }
});

clusterTest(
  'kill -9 of the worker holding the page mid-incident: the other resends it and completes the incident, nothing sent twice',
  async () => {
    const alive = live(workers);
    expect(alive).toHaveLength(2);
    pd.gate.hold((e) => e.dedup_key.startsWith('lifeline-pkill-') && e.event_action === 'trigger');
    const opened = await alert(live(apis)[1], 'pkill');
    expect(opened.status).toBe(202);
    const id = opened.body.incidentId as string;
    await waitFor(
      async () => pd.gate.held.some((e) => e.dedup_key === `lifeline-${id}`),
      Boolean,
      'page of pkill in flight',
    );
    // Kill the worker the server says started the held delivery, not one chosen by position.
    const holding = await waitFor(
      () => startedDelivery(temporal.client, id, 'pagerduty'),
      (d) => !!d && alive.some((w) => workerIdentity(w.pid) === d.identity),
      'the started page delivery and its worker',
    );
    const holder = alive.find((w) => workerIdentity(w.pid) === holding!.identity)!;
    const survivor = alive.find((w) => w !== holder)!;
    await retire(holder, 'kill9');
    const killedAt = Date.now();
    pd.gate.release();
    await resolveWhenMonitoring(id);
    const done = await inPhase(id, 'resolved', 180_000);
    expectStepsOnce(done.body.timeline);
    expectDeliveredOnce(id);
    // The killed worker's attempt was cut mid-request: the survivor sent the same trigger again as a later
    // attempt of the same activity (same dedup_key: one PagerDuty incident).
    const triggers = pd.events.filter((e) => e.dedup_key === `lifeline-${id}` && e.event_action === 'trigger');
    expect(triggers).toHaveLength(2);
    const last = await lastStart(temporal.client, id, holding!.activityId);
    expect(last.identity).toBe(workerIdentity(survivor.pid));
    expect(last.attempt).toBeGreaterThanOrEqual(2);
    await expectArchivedInPostgres(id);
    process.stdout.write(
      `[figures] cluster: the worker holding the page killed; the other resent it (attempt ${last.attempt}) and resolved the incident ${((Date.now() - killedAt) / 1000).toFixed(1)} s later\n`,
    );
    await startWorker();
  },
  // The promise is completion on the other worker, not a speed: each step above has its own deadline and
  // names the phase it stopped in. The killed attempt is retried only after its 30 s start-to-close timeout;
  // the sum can pass jest's default 3 min on a loaded CI machine, which would hide where it stood.
  480_000,
);

clusterTest('the Temporal server killed -9 and restarted mid-incident: the incident completes', async () => {
  const opened = await alert(live(apis)[0], 'prestart');
  const id = opened.body.incidentId as string;
  await inPhase(id, 'monitoring', 180_000);
  const state = readState();
  await killProcess(state.serverPid, 'SIGKILL');
  const killedAt = Date.now();
  state.serverPid = await startTemporalServer(state.installDir, state.root, state.address, state.serverLog);
  writeState(state);
  const upAt = Date.now();
  // Both APIs and both workers reconnect on their own; the resolve goes through once they have.
  await waitFor(
    () => http(live(apis)[1], 'POST', `/v1/incidents/${id}/resolve`, TOKENS.operator, { by: 'cluster-test' }),
    (r) => r.status === 200,
    'resolve after the server restart',
    120_000,
    250,
  );
  const done = await inPhase(id, 'resolved', 180_000);
  expectStepsOnce(done.body.timeline);
  expectDeliveredOnce(id);
  await expectArchivedInPostgres(id);
  process.stdout.write(
    `[figures] cluster: Temporal server down ${((upAt - killedAt) / 1000).toFixed(1)} s (restart on PostgreSQL); incident resolved ${((Date.now() - upAt) / 1000).toFixed(1)} s after\n`,
  );
});

clusterTest('routes read from either API agree, before and after a failover', async () => {
  const [a, b] = live(apis);
  const both = async () => Promise.all([a, b].map((api) => http(api, 'GET', '/v1/routes/cproute', TOKENS.operator)));
  const [ra, rb] = await both();
  expect(ra.body).toEqual(rb.body);
  expect(ra.headers.etag).toBe(rb.headers.etag);
  expect(
    (await http(a, 'POST', '/v1/routes/cproute/failover', TOKENS.operator, { from: 'proute', mode: 'immediate' }))
      .status,
  ).toBe(202);
  await waitFor(
    () => http(b, 'GET', '/v1/routes/cproute', TOKENS.operator),
    (r) => r.body?.weights?.spare === 100,
    'failover seen through the other API',
  );
  const [fa, fb] = await both();
  expect(fa.body).toEqual(fb.body);
  expect(fa.body.version).toBeGreaterThan(ra.body.version);
  expect(fa.headers.etag).toBe(fb.headers.etag);
});

clusterTest(
  "a worker with worker.sdkMetricsPort serves the SDK's own metrics (pollers, long polls) beside lifeline's",
  async () => {
    const port = await getFreePort('127.0.0.1');
    const file = join(dir, 'lifeline-sdk-metrics.yaml');
    writeFileSync(file, `${readFileSync(configFile, 'utf8')}\nworker: { sdkMetricsPort: ${port} }\n`);
    const w = await startLifeline('worker', file, env(), join(dir, 'worker-sdk-metrics.log'));
    try {
      // Task-driven series (schedule-to-start, sticky cache) appear once this worker has run tasks; the
      // poller series are there from the first poll.
      const text = await waitFor(
        async () => (await request(`http://127.0.0.1:${port}/metrics`)).body.text(),
        (t) =>
          /temporal_num_pollers\{[^}]*poller_type="workflow_task"/.test(t) &&
          /operation="PollActivityTaskQueue"/.test(t),
        'SDK metrics',
        60_000,
        500,
      );
      expect(text).toMatch(/task_queue="lifeline-cluster"/);
    } finally {
      await w.stop();
    }
  },
);

clusterTest('a rolling restart of the workers under an alert burst loses nothing', async () => {
  const burst = ['pb1', 'pb2', 'pb3'];
  const accepted = new Map<string, Set<string>>(burst.map((p) => [p, new Set()]));
  const sent: Record<string, number> = Object.fromEntries(burst.map((p) => [p, 0]));
  let rolling = true;
  let n = 0;
  const sender = async (lane: number) => {
    while (rolling) {
      const provider = burst[n % burst.length];
      const i = n++;
      const r = await alert(live(apis)[(i + lane) % 2], provider, `${provider} burst #${i}`);
      expect(r.status).toBe(202);
      sent[provider]++;
      accepted.get(provider)!.add(r.body.incidentId as string);
    }
  };
  const senders = Array.from({ length: 6 }, (_, lane) => sender(lane));
  const t0 = Date.now();
  for (const old of live(workers)) {
    await retire(old, 'stop'); // SIGTERM: drains like a rolling deployment
    await startWorker();
  }
  const rolledIn = Date.now() - t0;
  rolling = false;
  await Promise.all(senders);
  const total = Object.values(sent).reduce((x, y) => x + y, 0);
  for (const p of burst) {
    expect(accepted.get(p)!.size).toBe(1);
    const [id] = accepted.get(p)!;
    const seen = await waitFor(
      () => incident(id, live(apis)[1]),
      (r) => r.body?.alerts?.count === sent[p],
      `${sent[p]} alerts on ${id}`,
      60_000,
      200,
    );
    expect(seen.body.alerts.count).toBe(sent[p]);
  }
  process.stdout.write(
    `[figures] cluster: rolling restart of 2 workers took ${(rolledIn / 1000).toFixed(1)} s under ${total} alerts (${(total / (rolledIn / 1000)).toFixed(0)}/s over 2 APIs); all ${total} counted\n`,
  );
});

// Last, over everything the tests above ran: each history replays on today's workflow code, as it would on a
// worker that picks the workflow up after another died. The kill test alone only catches a replay bug
// if its timing happens to produce the history that triggers it.
clusterTest('every workflow history the cluster recorded replays on today’s code', async () => {
  const { replayed, failures } = await replayListed(temporal.client);
  expect(replayed).toBeGreaterThan(20);
  expect(failures).toEqual([]);
  process.stdout.write(`[figures] cluster: ${replayed} workflow histories replayed on today's code\n`);
});
