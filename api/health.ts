// Liveness (the process answers: no I/O) and deep readiness: Temporal reachable, a worker polling our task
// queue for workflow and activity tasks, the entity workflows (one monitor per provider, one routing per
// chain) running, every monitor probing on schedule (advisory), and the notification channels' secrets present. Each check is timed and bounded; the
// channel check is advisory (a missing SMTP password must not take ingestion out of the load balancer):
// it can make the answer "degraded" but never 503.
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { notificationSecretEnvs } from '../config/notifications';
import { deliveryTargets } from '../channels';
import { withinDeadline } from '../client/bounded';
import { monitorWorkflowId, routingWorkflowId } from '../workflows/messages';
import { probeTaskQueue } from '../domain/task-queues';
import { describeStarved, describer, probeFreshness, type Describe } from './probe-freshness';

export interface ReadyCheck {
  name: string;
  ok: boolean;
  /** A failed critical check makes the answer 503; a failed advisory one makes it "degraded". */
  critical: boolean;
  detail: string;
  ms: number;
}

export interface Readiness {
  status: 'ready' | 'degraded' | 'not ready' | 'shutting down';
  checks: ReadyCheck[];
}

const CHECK_TIMEOUT_MS = 2500;
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

async function timed(
  name: string,
  critical: boolean,
  client: Client | null,
  fn: () => Promise<string>,
): Promise<ReadyCheck> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const detail = await withinDeadline(client, CHECK_TIMEOUT_MS, fn);
    return { name, ok: true, critical, detail, ms: ms() };
  } catch (err) {
    return { name, ok: false, critical, detail: (err as Error).message, ms: ms() };
  }
}

async function pollers(client: Client, config: LifelineConfig): Promise<string> {
  const describe = (taskQueueType: number) =>
    client.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: config.temporal.taskQueue },
      taskQueueType,
    });
  const probeQueue = probeTaskQueue(config.temporal.taskQueue);
  const [wf, act, probe] = await Promise.all([
    describe(TASK_QUEUE_TYPE.workflow),
    describe(TASK_QUEUE_TYPE.activity),
    client.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: probeQueue },
      taskQueueType: TASK_QUEUE_TYPE.activity,
    }),
  ]);
  const w = wf.pollers?.length ?? 0;
  const a = act.pollers?.length ?? 0;
  const pr = probe.pollers?.length ?? 0;
  if (!w || !a)
    throw new Error(`no worker polling ${config.temporal.taskQueue} (${w} workflow, ${a} activity poller(s))`);
  if (!pr) throw new Error(`no worker polling ${probeQueue}: monitors cannot probe`);
  return `${w} workflow and ${a} activity poller(s) on ${config.temporal.taskQueue}, ${pr} on ${probeQueue}`;
}

async function entities(config: LifelineConfig, describe: Describe): Promise<string> {
  const ids = [
    ...config.providers.map((p) => monitorWorkflowId(p.id)),
    ...config.chains.map((c) => routingWorkflowId(c.id)),
  ];
  const states = await Promise.all(ids.map((id) => describe(id).then((d) => d?.status.name ?? 'NOT_FOUND')));
  const down = ids.flatMap((id, i) => (states[i] === 'RUNNING' ? [] : [`${id} ${states[i].toLowerCase()}`]));
  if (down.length) throw new Error(`not running: ${down.join(', ')}`);
  return `${ids.length} entity workflow(s) running (${config.providers.length} monitor(s), ${config.chains.length} route(s))`;
}

/** Advisory: every monitor's probe loop has probed within twice its interval (api/probe-freshness.ts). */
async function probes(client: Client, config: LifelineConfig, describe: Describe): Promise<string> {
  const { starved, total } = await probeFreshness(client, config, describe);
  if (starved.length) throw new Error(describeStarved(starved, total));
  return `${total} monitor(s) probing on schedule`;
}

async function channels(config: LifelineConfig, env: NodeJS.ProcessEnv): Promise<string> {
  const secrets = notificationSecretEnvs(config);
  const missing = secrets.filter(([, name]) => !env[name]).map(([where, name]) => `${where} (${name})`);
  if (missing.length) throw new Error(`secrets not set: ${missing.join(', ')}`);
  const targets = deliveryTargets(config.notifications).filter((t) => t !== 'log');
  return `${targets.length ? targets.join(', ') : 'log only'}; ${secrets.length} secret(s) set`;
}

export async function readiness(
  client: Client,
  config: LifelineConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Readiness> {
  const temporal = await timed('temporal', true, client, async () => {
    await client.workflowService.getSystemInfo({});
    return `reachable (namespace ${config.temporal.namespace})`;
  });
  const skipped = (name: string): ReadyCheck => ({
    name,
    ok: false,
    critical: true,
    detail: 'not checked: Temporal unreachable',
    ms: 0,
  });
  const describe = describer(client);
  const rest = temporal.ok
    ? await Promise.all([
        timed('worker', true, client, () => pollers(client, config)),
        timed('entities', true, client, () => entities(config, describe)),
        // Starved probing is serious but not a reason to take ingestion out of the load balancer: degraded.
        timed('probes', false, client, () => probes(client, config, describe)),
      ])
    : [skipped('worker'), skipped('entities'), { ...skipped('probes'), critical: false }];
  const checks = [temporal, ...rest, await timed('channels', false, null, () => channels(config, env))];
  const status = checks.some((c) => c.critical && !c.ok)
    ? 'not ready'
    : checks.every((c) => c.ok)
      ? 'ready'
      : 'degraded';
  return { status, checks };
}

export function registerHealthRoutes(
  app: FastifyInstance,
  client: Client,
  config: LifelineConfig,
  opts: { env?: NodeJS.ProcessEnv; closing?: () => boolean } = {},
): void {
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  // Concurrent probes share one round of checks: an unauthenticated endpoint must not fan out to Temporal.
  let inFlight: Promise<Readiness> | undefined;
  app.get('/health/ready', { schema: { hide: true } }, async (_req, reply) => {
    if (opts.closing?.()) return reply.code(503).send({ status: 'shutting down', checks: [] } satisfies Readiness);
    inFlight ??= readiness(client, config, opts.env).finally(() => (inFlight = undefined));
    const r = await inFlight;
    return reply.code(r.status === 'not ready' ? 503 : 200).send(r);
  });
}
