// Stops what the cluster tier started: the Temporal server (whichever process runs it now) and PostgreSQL.
import { rmSync } from 'node:fs';
import { killProcess, readState, stopPostgres } from './cluster';

export default async function clusterTeardown(): Promise<void> {
  if (!process.env.LIFELINE_CLUSTER_STATE) return;
  const s = readState();
  await killProcess(s.serverPid, 'SIGTERM');
  await killProcess(s.serverPid, 'SIGKILL');
  stopPostgres(s.pgData);
  if (!process.env.LIFELINE_CLUSTER_KEEP) rmSync(s.root, { recursive: true, force: true });
}
