// Liveness (the process answers) and readiness (Temporal reachable and a worker polling our task queue).
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';

export interface ReadyCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export async function readinessChecks(client: Client, config: LifelineConfig): Promise<ReadyCheck[]> {
  const checks: ReadyCheck[] = [];
  try {
    await client.workflowService.getSystemInfo({}, );
    checks.push({ name: 'temporal', ok: true, detail: `reachable (namespace ${config.temporal.namespace})` });
  } catch (err) {
    checks.push({ name: 'temporal', ok: false, detail: (err as Error).message });
    checks.push({ name: 'worker', ok: false, detail: 'unknown: Temporal unreachable' });
    return checks;
  }
  try {
    const res = await client.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: config.temporal.taskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    const pollers = res.pollers ?? [];
    checks.push({
      name: 'worker',
      ok: pollers.length > 0,
      detail: pollers.length ? `${pollers.length} poller(s) on ${config.temporal.taskQueue}` : `no worker polling ${config.temporal.taskQueue}`,
    });
  } catch (err) {
    checks.push({ name: 'worker', ok: false, detail: (err as Error).message });
  }
  return checks;
}

export function registerHealthRoutes(app: FastifyInstance, client: Client, config: LifelineConfig): void {
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { hide: true } }, async (_req, reply) => {
    // Temporal being down must answer quickly, not hang the probe.
    const checks = await Promise.race([
      readinessChecks(client, config),
      new Promise<ReadyCheck[]>((resolve) => setTimeout(() => resolve([{ name: 'temporal', ok: false, detail: 'timed out after 3 s' }]), 3000).unref()),
    ]);
    const ok = checks.every((c) => c.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });
}
