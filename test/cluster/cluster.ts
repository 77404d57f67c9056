// A real Temporal cluster for the `cluster` tier: PostgreSQL 15 (Debian) in a temp dir on a free port,
// Temporal's schema applied with its own SQL tool, and the Temporal server (go.temporal.io/server, built
// by .ci/install-temporal-cluster) started from the module's development-postgres12.yaml with every port
// moved to a free one. No dev server anywhere: a missing piece is an error naming the install script.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { parse, stringify } from 'yaml';
import { getFreePort } from '../../temporal-server/dev-server';

export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
const PG_BIN = ['/usr/lib/postgresql/15/bin', '/usr/local/bin', '/usr/bin'];

/** Where .ci/install-temporal-cluster put the server, the sql tool, the schema and the sample config. */
export function clusterInstallDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir =
    env.LIFELINE_TEMPORAL_CLUSTER_DIR ??
    join(env.LIFELINE_CACHE ?? join(homedir(), '.cache', 'lifeline'), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  for (const f of ['server', 'sql', 'config/development-postgres12.yaml', 'schema/postgresql/v12/temporal/versioned']) {
    if (!existsSync(join(dir, f)))
      throw new Error(
        `the cluster tier needs the Temporal server built by .ci/install-temporal-cluster: ${join(dir, f)} is missing (run .ci/install-temporal-cluster)`,
      );
  }
  return dir;
}

function pgTool(name: string): string {
  for (const d of PG_BIN) if (existsSync(join(d, name))) return join(d, name);
  throw new Error(
    `PostgreSQL's ${name} not found in ${PG_BIN.join(', ')} (run .ci/install-temporal-cluster: it installs postgresql-15)`,
  );
}

/** The state the global setup hands to the tests and the teardown (a JSON file: they are other processes). */
export interface ClusterState {
  root: string;
  installDir: string;
  pgData: string;
  pgPort: number;
  /** postgres://… for the lifeline store's own database. */
  storeUrl: string;
  address: string;
  serverPid: number;
  serverLog: string;
  figures: Record<string, number>;
}

export const stateFile = (root: string) => join(root, 'cluster.json');
export const readState = (file = process.env.LIFELINE_CLUSTER_STATE): ClusterState => {
  if (!file)
    throw new Error(
      'LIFELINE_CLUSTER_STATE is not set: run the cluster tier through jest (test/cluster/global-setup.ts)',
    );
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
};
export const writeState = (s: ClusterState) => writeFileSync(stateFile(s.root), JSON.stringify(s, null, 2));

const asRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses root). */
function runPg(tool: string, args: string[]): void {
  const bin = pgTool(tool);
  if (asRoot())
    execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', [bin, ...args].map(shellQuote).join(' ')], {
      stdio: 'pipe',
    });
  else execFileSync(bin, args, { stdio: 'pipe' });
}
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function startPostgres(root: string): Promise<{ pgData: string; pgPort: number }> {
  const pgData = join(root, 'pg');
  mkdirSync(pgData, { recursive: true });
  if (asRoot()) chownSync(root, uidOf('postgres'), gidOf('postgres'));
  if (asRoot()) chownSync(pgData, uidOf('postgres'), gidOf('postgres'));
  runPg('initdb', ['-D', pgData, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const pgPort = await getFreePort('127.0.0.1');
  await pgCtlStart(pgData, pgPort);
  return { pgData, pgPort };
}

export async function pgCtlStart(pgData: string, pgPort: number): Promise<void> {
  // fsync off: a test database, and the machine is shared; the socket lives in the data dir.
  runPg('pg_ctl', [
    '-D',
    pgData,
    '-l',
    join(pgData, 'server.log'),
    '-w',
    '-o',
    `-p ${pgPort} -k ${pgData} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    'start',
  ]);
}

export function stopPostgres(pgData: string): void {
  try {
    runPg('pg_ctl', ['-D', pgData, '-m', 'immediate', '-w', 'stop']);
  } catch {
    /* already down */
  }
}

const uidOf = (user: string) => Number(execFileSync('id', ['-u', user]).toString().trim());
const gidOf = (user: string) => Number(execFileSync('id', ['-g', user]).toString().trim());

/** Temporal's two databases with the SQL tool, exactly as the README's production steps do it. */
export function applyTemporalSchema(installDir: string, pgPort: number, log: (l: string) => void): void {
  const sql = (db: string, ...args: string[]) =>
    execFileSync(
      join(installDir, 'sql'),
      ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pgPort), '-u', 'postgres', '--db', db, ...args],
      { stdio: 'pipe' },
    );
  for (const [db, dir] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ]) {
    const t0 = Date.now();
    sql(db, 'create-database');
    sql(db, 'setup-schema', '-v', '0.0');
    sql(db, 'update-schema', '-d', join(installDir, 'schema', 'postgresql', 'v12', dir, 'versioned'));
    log(`schema ${db}: ${Date.now() - t0} ms`);
  }
}

/** lifeline's own database (store.postgres), beside Temporal's. */
export function createDatabase(pgPort: number, name: string): void {
  runPg('psql', [
    '-h',
    '127.0.0.1',
    '-p',
    String(pgPort),
    '-U',
    'postgres',
    '-d',
    'postgres',
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    `CREATE DATABASE ${name}`,
  ]);
}

/** The module's development-postgres12.yaml, pointed at our PostgreSQL, every port free. */
export async function writeServerConfig(
  installDir: string,
  root: string,
  pgPort: number,
): Promise<{ configDir: string; address: string }> {
  const configDir = join(root, 'temporal-config');
  mkdirSync(join(configDir, 'dynamicconfig'), { recursive: true });
  const cfg = parse(readFileSync(join(installDir, 'config', 'development-postgres12.yaml'), 'utf8')) as any;
  for (const ds of Object.values(cfg.persistence.datastores) as any[]) {
    ds.sql.connectAddr = `127.0.0.1:${pgPort}`;
    ds.sql.user = 'postgres';
    ds.sql.password = '';
  }
  const free = () => getFreePort('127.0.0.1');
  for (const svc of Object.values(cfg.services) as any[]) {
    svc.rpc.grpcPort = await free();
    // Stored in a smallint column (cluster_membership.rpc_port): must stay below 32768.
    svc.rpc.membershipPort = await freeLowPort();
    if (svc.rpc.httpPort) svc.rpc.httpPort = await free();
  }
  const address = `127.0.0.1:${cfg.services.frontend.rpc.grpcPort}`;
  cfg.global.pprof.port = await free();
  cfg.global.metrics.prometheus.listenAddress = `127.0.0.1:${await free()}`;
  cfg.clusterMetadata.clusterInformation.active.rpcAddress = address;
  // History archival is not part of lifeline (it archives closed incidents itself).
  cfg.archival = { history: { state: 'disabled' }, visibility: { state: 'disabled' } };
  delete cfg.namespaceDefaults;
  copyFileSync(
    join(installDir, 'config', 'dynamicconfig', 'development-sql.yaml'),
    join(configDir, 'dynamicconfig', 'development-sql.yaml'),
  );
  cfg.dynamicConfigClient.filepath = join(configDir, 'dynamicconfig', 'development-sql.yaml');
  writeFileSync(join(configDir, 'development-postgres12.yaml'), stringify(cfg));
  return { configDir, address };
}

/** A free port below 32768 (ephemeral ports, which the OS hands out for port 0, are above it). */
async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const ok = await new Promise<boolean>((done) => {
      const srv = createServer();
      srv.once('error', () => done(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
    });
    if (ok) return port;
  }
}

/** Starts the server detached (it outlives the test process that restarts it); resolves when the frontend answers. */
export async function startTemporalServer(
  installDir: string,
  root: string,
  address: string,
  logFile: string,
  timeoutMs = 120_000,
): Promise<number> {
  const out = openSync(logFile, 'a');
  const child = spawn(
    join(installDir, 'server'),
    ['--root', root, '--config', 'temporal-config', '--env', 'development-postgres12', '--allow-no-auth', 'start'],
    {
      cwd: root,
      stdio: ['ignore', out, out],
      detached: true,
    },
  );
  child.unref();
  const pid = child.pid!;
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited)
      throw new Error(
        `the Temporal server exited during start-up; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-3000)}`,
      );
    try {
      const c = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await c.workflowService.getSystemInfo({});
        return pid;
      } finally {
        await c.close();
      }
    } catch {
      if (Date.now() > deadline)
        throw new Error(`the Temporal server did not answer on ${address} within ${timeoutMs} ms; see ${logFile}`);
      await sleep(250);
    }
  }
}

export async function killProcess(pid: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}

/** Namespace `default` (90-day retention) and lifeline's search attributes, with the Temporal CLI. */
export async function setUpNamespace(
  cli: string,
  address: string,
  searchAttributes: Record<string, string>,
  log: (l: string) => void,
): Promise<void> {
  const run = (args: string[]) => execFileSync(cli, [...args, '--address', address], { stdio: 'pipe' }).toString();
  const retry = async <T>(what: string, fn: () => T): Promise<T> => {
    for (let i = 0; ; i++) {
      try {
        return fn();
      } catch (err) {
        if (i >= 120)
          throw new Error(`${what}: ${(err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message}`);
        await sleep(500);
      }
    }
  };
  const t0 = Date.now();
  await retry('namespace create', () => {
    try {
      run(['operator', 'namespace', 'describe', '--namespace', 'default']);
    } catch {
      run(['operator', 'namespace', 'create', '--namespace', 'default', '--retention', '2160h']);
    }
  });
  // One at a time, each checked against the list first (create is not idempotent on SQL visibility).
  for (const name of Object.keys(searchAttributes)) {
    await retry(`search attribute ${name}`, () => {
      if (run(['operator', 'search-attribute', 'list', '--namespace', 'default']).includes(name)) return;
      run(['operator', 'search-attribute', 'create', '--namespace', 'default', '--type', 'Keyword', '--name', name]);
      if (!run(['operator', 'search-attribute', 'list', '--namespace', 'default']).includes(name))
        throw new Error(`${name} not yet listed`);
    });
  }
  log(`namespace default + ${Object.keys(searchAttributes).length} search attributes: ${Date.now() - t0} ms`);
}
