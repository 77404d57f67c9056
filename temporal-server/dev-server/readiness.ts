/** Waiting until a freshly spawned dev server answers (TCP, gRPC health, namespace), or reporting why it never did. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { portInUse } from './ports';
import { diedPromise, startError, type RunningServer } from './process';

export async function waitUntilReady(
  server: RunningServer,
  address: string,
  namespace: string,
  deadline: number,
): Promise<void> {
  const died = diedPromise(server);
  died.catch(() => undefined);
  let lastErr: unknown;
  while (Date.now() < deadline) {
    if (server.hasExited()) await died;
    try {
      await probeOnce(address, namespace, Math.max(500, Math.min(2000, deadline - Date.now())), died);
      return;
    } catch (err) {
      if (server.hasExited()) await died;
      lastErr = err;
    }
    await Promise.race([died, sleep(250)]);
  }
  throw startError(server, `did not become ready at ${address} before the start timeout`, lastErr);
}

/**
 * One readiness check: connect, health SERVING, namespace describable. The connection is always closed — also when
 * the server died meanwhile — so no gRPC channel keeps retrying in the background.
 */
async function probeOnce(address: string, namespace: string, timeoutMs: number, died: Promise<never>): Promise<void> {
  // Cheap TCP check first: a gRPC connect attempt against a closed port leaves a deadline timer behind (grpc-js
  // waitForReady) that keeps the event loop alive for up to connectTimeout even after the client is closed.
  const i = address.lastIndexOf(':');
  if (!(await portInUse(address.slice(0, i).replace(/^\[|\]$/g, ''), Number(address.slice(i + 1)), timeoutMs)))
    throw new Error(`nothing listening on ${address} yet`);
  const connection = Connection.lazy({ address, connectTimeout: timeoutMs });
  try {
    await Promise.race([died, connection.ensureConnected()]);
    const deadline = new Date(Date.now() + timeoutMs);
    await Promise.race([
      died,
      connection.withDeadline(deadline, async () => {
        const health = await connection.healthService.check({});
        if (health.status !== 1 /* SERVING */) throw new Error(`health status ${health.status}`);
        await connection.workflowService.describeNamespace({ namespace });
      }),
    ]);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
