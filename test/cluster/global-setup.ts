// The `cluster` tier's global setup: PostgreSQL 15, Temporal's schema, the Temporal server and the
// namespace, once for the tier. The tests (other processes) find it through LIFELINE_CLUSTER_STATE.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTemporalBinary } from '../../temporal-server/binaries';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/messages';
import {
  applyTemporalSchema,
  clusterInstallDir,
  createDatabase,
  killProcess,
  setUpNamespace,
  startPostgres,
  startTemporalServer,
  stateFile,
  stopPostgres,
  writeServerConfig,
  writeState,
  type ClusterState,
} from './cluster';

export default async function clusterSetup(): Promise<void> {
  const log = (l: string) => process.stderr.write(`[cluster] ${l}\n`);
  const started = Date.now();
  const installDir = clusterInstallDir();
  const cli = await resolveTemporalBinary('cli', { log: () => undefined });
  const root = mkdtempSync(join(tmpdir(), 'lifeline-cluster-'));
  const figures: Record<string, number> = {};
  let t = Date.now();
  const { pgData, pgPort } = await startPostgres(root);
  figures.postgresMs = Date.now() - t;
  log(`postgresql 15 on 127.0.0.1:${pgPort} (${root}/pg): ${figures.postgresMs} ms`);
  // A failed start-up must not leave PostgreSQL or the server running (the teardown only knows a finished setup).
  let serverPid = 0;
  try {
    t = Date.now();
    applyTemporalSchema(installDir, pgPort, log);
    createDatabase(pgPort, 'lifeline');
    figures.schemaMs = Date.now() - t;
    const { address } = await writeServerConfig(installDir, root, pgPort);
    const serverLog = join(root, 'temporal-server.log');
    t = Date.now();
    serverPid = await startTemporalServer(installDir, root, address, serverLog);
    figures.serverStartMs = Date.now() - t;
    log(`temporal server ${installDir}/server on ${address}: ${figures.serverStartMs} ms`);
    t = Date.now();
    await setUpNamespace(cli.path, address, SEARCH_ATTRIBUTE_TYPES, log);
    figures.namespaceMs = Date.now() - t;
    const state: ClusterState = {
      root,
      installDir,
      pgData,
      pgPort,
      address,
      serverPid,
      serverLog,
      figures,
      storeUrl: `postgres://postgres@127.0.0.1:${pgPort}/lifeline`,
    };
    writeState(state);
  } catch (err) {
    if (serverPid) await killProcess(serverPid);
    stopPostgres(pgData);
    throw err;
  }
  process.env.LIFELINE_CLUSTER_STATE = stateFile(root);
  process.env.LIFELINE_TEMPORAL_CLI ??= cli.path;
  log(`ready in ${Date.now() - started} ms`);
}
