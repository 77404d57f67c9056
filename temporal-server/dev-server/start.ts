/** Start the dev server: pick ports, spawn, wait for readiness, configure the namespace; retry on a port clash. */
import path from 'node:path';
import { buildStartDevArgs } from './args';
import { getFreePort, portInUse } from './ports';
import { spawnServer } from './process';
import { waitUntilReady } from './readiness';
import { configureNamespace, SEARCH_ATTRIBUTE_TYPES, type SearchAttributeTypeName } from './namespace-setup';
import { lockDataDir, type InstanceLock } from './instance-lock';

export interface StartDevServerOptions {
  /** Path of the `temporal` CLI (see resolveTemporalBinaries). */
  cliPath: string;
  /** Directory holding `temporal.sqlite`; created if missing. Reusing it keeps all state. */
  dataDir: string;
  /** Bind address of the frontend (and UI). Default 127.0.0.1. */
  host?: string;
  /** Frontend gRPC port; 0 or undefined = pick a free port. */
  port?: number;
  /** Web UI port (0 = pick a free one); false or undefined = headless. */
  uiPort?: number | false;
  /** Namespace to create/use. Default 'default'. */
  namespace?: string;
  /** Workflow execution retention for the namespace. Default 30. */
  retentionDays?: number;
  /** Custom search attributes that must exist in the namespace. */
  searchAttributes: Record<string, SearchAttributeTypeName>;
  /** Progress and server output lines. Default: stderr. */
  log?: (line: string) => void;
  /** SQLite durability: `normal` (WAL) or `full`; undefined = the CLI's default. */
  sqliteSync?: 'normal' | 'full';
  /** Overall start timeout (spawn → ready → namespace configured). Default 60 s. */
  startTimeoutMs?: number;
}

export interface DevServerHandle {
  /** host:port of the gRPC frontend. */
  address: string;
  uiUrl?: string;
  /** SIGTERM, wait for exit (SIGKILL after 10 s). Idempotent. */
  stop(): Promise<void>;
  pid: number;
}

export const DEV_SERVER_DB_FILENAME = 'temporal.sqlite';

const PORT_RETRIES = 3;

/** The options with every default filled in, plus what one start shares across its port retries. */
type Resolved = StartDevServerOptions &
  Required<Pick<StartDevServerOptions, 'host' | 'namespace' | 'retentionDays' | 'log'>>;

export async function startDevServer(options: StartDevServerOptions): Promise<DevServerHandle> {
  const opts: Resolved = {
    ...options,
    host: options.host ?? '127.0.0.1',
    namespace: options.namespace ?? 'default',
    retentionDays: options.retentionDays ?? 30,
    log: options.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
  };
  validate(opts);
  // One owner per SQLite file, and ports that are really ours: a second instance fails here, clearly.
  const lock = await lockDataDir(opts.dataDir, process.pid, opts.log);
  try {
    for (const [what, p] of [
      ['temporal.port', opts.port],
      ['temporal.uiPort', opts.uiPort],
    ] as const) {
      if (typeof p === 'number' && p > 0 && (await portInUse(opts.host, p)))
        throw new Error(
          `${what} ${p} on ${opts.host} is already in use — is another lifeline or Temporal server running? Stop it, or set ${what} to another port (0 = any free port)`,
        );
    }
    const handle = await startLocked(opts, lock, Date.now() + (opts.startTimeoutMs ?? 60_000));
    return { ...handle, stop: () => handle.stop().then(() => lock.release()) };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function startLocked(opts: Resolved, lock: InstanceLock, deadline: number): Promise<DevServerHandle> {
  const { host, namespace, retentionDays, log } = opts;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await getFreePort(host));
    const uiPort =
      opts.uiPort === false || opts.uiPort === undefined ? undefined : opts.uiPort || (await getFreePort(host));
    const args = buildStartDevArgs({
      dbFilename: path.resolve(opts.dataDir, DEV_SERVER_DB_FILENAME),
      host,
      port,
      uiPort,
      httpPort: await getFreePort(host),
      metricsPort: await getFreePort(host),
      namespace,
      searchAttributes: opts.searchAttributes,
      ...(opts.sqliteSync ? { sqliteSync: opts.sqliteSync } : {}),
    });
    const address = `${hostInUrl}:${port}`;
    const server = spawnServer(opts.cliPath, args, log);
    log(`dev-server: started pid ${server.pid} → ${opts.cliPath} ${args.join(' ')}`);
    await lock.recordServer(server.pid);
    const clash = () =>
      server
        .tail()
        .split('\n')
        .find((l) => /address already in use/i.test(l));
    try {
      await waitUntilReady(server, address, namespace, deadline);
      // Readiness means *our* child answers: one that failed to bind may still be alive for a moment while
      // another server on the port answered the probe.
      if (server.hasExited() || clash())
        throw new Error(`the dev server could not bind ${address}: ${clash() ?? 'it exited'}`);
      await configureNamespace(server, address, namespace, { ...opts, deadline });
    } catch (err) {
      await server.stop();
      // Our pre-picked free ports can be taken in between (rare); pick fresh ones and try again.
      if (clash() && attempt < PORT_RETRIES && Date.now() < deadline) {
        log(`dev-server: port clash, retrying with new ports (attempt ${attempt + 1})`);
        continue;
      }
      throw err;
    }
    log(`dev-server: ready at ${address} (namespace ${namespace}, retention ${retentionDays}d)`);
    const uiUrl = uiPort !== undefined ? `http://${hostInUrl}:${uiPort}` : undefined;
    return { address, uiUrl, pid: server.pid, stop: server.stop };
  }
}

function validate({ cliPath, dataDir, retentionDays, searchAttributes }: Resolved): void {
  if (!cliPath) throw new Error('startDevServer: cliPath is required');
  if (!dataDir) throw new Error('startDevServer: dataDir is required');
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new Error(`startDevServer: retentionDays must be a positive integer, got ${retentionDays}`);
  for (const [name, type] of Object.entries(searchAttributes)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new Error(`startDevServer: invalid search attribute name ${JSON.stringify(name)}`);
    if (!SEARCH_ATTRIBUTE_TYPES.includes(type))
      throw new Error(`startDevServer: search attribute ${name} has unknown type ${JSON.stringify(type)}`);
  }
}
