/**
 * Run `temporal server start-dev` (Temporal CLI 1.9.1) as a child process backed by a SQLite file, wait until its
 * frontend answers, make sure the namespace has the wanted retention and the custom search attributes exist, and
 * hand back a handle whose `stop()` shuts it down.
 *
 * Facts about CLI 1.9.1 this relies on (checked against `temporal server start-dev --help`):
 *  - flags: --db-filename, --ip, --port, --ui-port | --headless, --http-port, --metrics-port, --namespace,
 *    --search-attribute KEY=TYPE, --dynamic-config-value, and the global --log-level;
 *  - there is NO retention flag for start-dev (namespaces are created with 24h), so retention is applied afterwards with
 *    `temporal operator namespace update --retention <days>d` and verified with `temporal operator namespace describe`;
 *  - on a reused SQLite file start-dev does not register new --search-attribute values (and silently ignores a type
 *    clash), so after start the attributes are reconciled: missing ones are created with
 *    `temporal operator search-attribute create` (idempotent for the same type), a type clash is a clear error;
 *  - history/matching/worker service ports are always random; --http-port/--metrics-port default to random free ports
 *    too, but we pick them explicitly like the frontend port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';

export type SearchAttributeTypeName = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

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

const INDEXED_VALUE_TYPE: Record<SearchAttributeTypeName, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};
const TYPE_NAME_BY_INDEX: Record<number, SearchAttributeTypeName> = Object.fromEntries(
  Object.entries(INDEXED_VALUE_TYPE).map(([k, v]) => [v, k as SearchAttributeTypeName]),
);

const STOP_GRACE_MS = 10_000;
const STDERR_TAIL_LINES = 40;
const PORT_RETRIES = 3;

/** Children still running, killed if the parent process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

export interface StartDevArgsInput {
  dbFilename: string;
  host: string;
  port: number;
  uiPort?: number;
  httpPort?: number;
  metricsPort?: number;
  namespace: string;
  searchAttributes: Record<string, SearchAttributeTypeName>;
}

/** The exact argv passed to the CLI (exported so callers/tests can see it). */
export function buildStartDevArgs(i: StartDevArgsInput): string[] {
  const args = ['server', 'start-dev', '--db-filename', i.dbFilename, '--ip', i.host, '--port', String(i.port)];
  if (i.uiPort !== undefined) args.push('--ui-port', String(i.uiPort));
  else args.push('--headless');
  if (i.httpPort !== undefined) args.push('--http-port', String(i.httpPort));
  if (i.metricsPort !== undefined) args.push('--metrics-port', String(i.metricsPort));
  args.push('--namespace', i.namespace);
  for (const [name, type] of Object.entries(i.searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  // The dev server otherwise phones home for a version check; pointless (and noisy) on offline machines.
  args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false');
  args.push('--log-level', 'warn');
  return args;
}

export async function startDevServer(opts: StartDevServerOptions): Promise<DevServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const retentionDays = opts.retentionDays ?? 30;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  validate(opts, retentionDays);

  await fsp.mkdir(opts.dataDir, { recursive: true });
  const dbFilename = path.resolve(opts.dataDir, DEV_SERVER_DB_FILENAME);

  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await getFreePort(host));
    const uiPort = opts.uiPort === false || opts.uiPort === undefined ? undefined : opts.uiPort || (await getFreePort(host));
    const args = buildStartDevArgs({
      dbFilename,
      host,
      port,
      uiPort,
      httpPort: await getFreePort(host),
      metricsPort: await getFreePort(host),
      namespace,
      searchAttributes: opts.searchAttributes,
    });
    const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const server = spawnServer(opts.cliPath, args, log);
    log(`dev-server: started pid ${server.pid} → ${opts.cliPath} ${args.join(' ')}`);
    try {
      await waitUntilReady(server, address, namespace, deadline);
      await ensureSearchAttributes(server, opts.cliPath, address, namespace, opts.searchAttributes, log, deadline);
      await ensureRetention(server, opts.cliPath, address, namespace, retentionDays, log, deadline);
    } catch (err) {
      await server.stop();
      const portClash = /address already in use/i.test(server.tail());
      // Our pre-picked free ports can be taken in between (rare); pick fresh ones and try again.
      if (portClash && attempt < PORT_RETRIES && Date.now() < deadline) {
        log(`dev-server: port clash, retrying with new ports (attempt ${attempt + 1})`);
        continue;
      }
      throw err;
    }
    log(`dev-server: ready at ${address} (namespace ${namespace}, retention ${retentionDays}d)`);
    return {
      address,
      uiUrl: uiPort !== undefined ? `http://${host.includes(':') ? `[${host}]` : host}:${uiPort}` : undefined,
      pid: server.pid,
      stop: server.stop,
    };
  }
}

function validate(opts: StartDevServerOptions, retentionDays: number): void {
  if (!opts.cliPath) throw new Error('startDevServer: cliPath is required');
  if (!opts.dataDir) throw new Error('startDevServer: dataDir is required');
  if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new Error(`startDevServer: retentionDays must be a positive integer, got ${retentionDays}`);
  for (const [name, type] of Object.entries(opts.searchAttributes)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`startDevServer: invalid search attribute name ${JSON.stringify(name)}`);
    if (!(type in INDEXED_VALUE_TYPE)) throw new Error(`startDevServer: search attribute ${name} has unknown type ${JSON.stringify(type)}`);
  }
}

// ---- the child process ---------------------------------------------------------------------------------------------

interface RunningServer {
  pid: number;
  child: ChildProcess;
  /** Resolves with a description once the process has exited. */
  exited: Promise<string>;
  hasExited(): boolean;
  tail(): string;
  stop(): Promise<void>;
}

function spawnServer(cliPath: string, args: string[], log: (line: string) => void): RunningServer {
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: scrubbedEnv() });
  const lines: string[] = [];
  let stopping: Promise<void> | undefined;
  const collect = (stream: NodeJS.ReadableStream | null, tag: string) => {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > STDERR_TAIL_LINES) lines.shift();
        // Once we asked it to stop, its shutdown chatter (dial errors, poll failures) is just noise.
        if (!stopping) log(`[temporal ${tag}] ${line}`);
      }
    });
  };
  collect(child.stdout, 'out');
  collect(child.stderr, 'err');

  let exitInfo: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      exitInfo = `failed to spawn: ${err.message}`;
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
      live.delete(child);
      resolve(exitInfo);
    });
  });
  trackChild(child);

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitInfo === undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(killer);
      }
      live.delete(child);
    })();
    return stopping;
  };
  return {
    pid: child.pid ?? -1,
    child,
    exited,
    hasExited: () => exitInfo !== undefined,
    tail: () => lines.join('\n'),
    stop,
  };
}

/** The CLI reads TEMPORAL_ADDRESS, TEMPORAL_TLS_*, TEMPORAL_API_KEY etc.; our local commands must not pick those up. */
function scrubbedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TEMPORAL_')) env[k] = v;
  return env;
}

function startError(server: RunningServer, what: string, cause?: unknown): Error {
  const tail = server.tail();
  return new Error(
    `Temporal dev server (pid ${server.pid}) ${what}` +
      (cause ? `: ${cause instanceof Error ? cause.message : String(cause)}` : '') +
      `\n--- last server output ---\n${tail || '(no output)'}`,
  );
}

/** Rejects as soon as the child exits; used to race every wait against an early death. */
function diedPromise(server: RunningServer): Promise<never> {
  return server.exited.then((how) => {
    throw startError(server, how + ' during startup');
  });
}

// ---- readiness -----------------------------------------------------------------------------------------------------

async function waitUntilReady(server: RunningServer, address: string, namespace: string, deadline: number): Promise<void> {
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
  if (!(await tcpOpen(address, timeoutMs))) throw new Error(`nothing listening on ${address} yet`);
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

function tcpOpen(address: string, timeoutMs: number): Promise<boolean> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

// ---- search attributes -----------------------------------------------------------------------------------------------

async function listCustomSearchAttributes(address: string, namespace: string): Promise<Record<string, number>> {
  const connection = Connection.lazy({ address, connectTimeout: 5000 });
  try {
    await connection.ensureConnected();
    const res = await connection.operatorService.listSearchAttributes({ namespace });
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(res.customAttributes ?? {})) out[k] = Number(v);
    return out;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function ensureSearchAttributes(
  server: RunningServer,
  cliPath: string,
  address: string,
  namespace: string,
  wanted: Record<string, SearchAttributeTypeName>,
  log: (line: string) => void,
  deadline: number,
): Promise<void> {
  if (Object.keys(wanted).length === 0) return;
  const existing = await listCustomSearchAttributes(address, namespace);
  const missing: Partial<Record<SearchAttributeTypeName, string[]>> = {};
  const clashes: string[] = [];
  for (const [name, type] of Object.entries(wanted)) {
    const have = existing[name];
    if (have === undefined) (missing[type] ??= []).push(name);
    else if (have !== INDEXED_VALUE_TYPE[type]) clashes.push(`${name} is ${TYPE_NAME_BY_INDEX[have] ?? `type #${have}`}, wanted ${type}`);
  }
  if (clashes.length) {
    throw startError(
      server,
      `has search attributes of the wrong type in namespace ${namespace} (${clashes.join('; ')}); ` +
        `the SQLite file keeps old registrations — delete it or rename the attribute`,
    );
  }
  for (const [type, names] of Object.entries(missing) as [SearchAttributeTypeName, string[]][]) {
    log(`dev-server: registering search attributes ${names.join(', ')} (${type}) in ${namespace}`);
    const args = ['operator', 'search-attribute', 'create', '--address', address, '--namespace', namespace, '--type', type];
    for (const n of names) args.push('--name', n);
    const r = await runCli(cliPath, args, deadline);
    if (r.code !== 0) throw startError(server, `could not register search attributes ${names.join(', ')}`, r.output);
  }
  // Verify (visibility may lag a moment behind the create call).
  for (;;) {
    const now = await listCustomSearchAttributes(address, namespace);
    const absent = Object.entries(wanted).filter(([n, t]) => now[n] !== INDEXED_VALUE_TYPE[t]);
    if (absent.length === 0) return;
    if (Date.now() > deadline) throw startError(server, `search attributes ${absent.map(([n]) => n).join(', ')} not visible in ${namespace}`);
    await sleep(250);
  }
}

// ---- retention ---------------------------------------------------------------------------------------------------------

async function describeRetentionSeconds(cliPath: string, address: string, namespace: string, deadline: number): Promise<number> {
  const r = await runCli(cliPath, ['operator', 'namespace', 'describe', '--address', address, '--namespace', namespace, '-o', 'json'], deadline);
  if (r.code !== 0) throw new Error(`temporal operator namespace describe failed: ${r.output}`);
  const parsed = JSON.parse(r.stdout) as { config?: { workflowExecutionRetentionTtl?: string } };
  const ttl = parsed.config?.workflowExecutionRetentionTtl ?? '';
  const m = /^(\d+(?:\.\d+)?)s$/.exec(ttl);
  if (!m) throw new Error(`unexpected workflowExecutionRetentionTtl ${JSON.stringify(ttl)} from namespace describe`);
  return Number(m[1]);
}

async function ensureRetention(
  server: RunningServer,
  cliPath: string,
  address: string,
  namespace: string,
  days: number,
  log: (line: string) => void,
  deadline: number,
): Promise<void> {
  const want = days * 86_400;
  const have = await describeRetentionSeconds(cliPath, address, namespace, deadline);
  if (have === want) return;
  log(`dev-server: setting retention of ${namespace} from ${have / 86_400}d to ${days}d`);
  const r = await runCli(cliPath, ['operator', 'namespace', 'update', '--address', address, '--namespace', namespace, '--retention', `${days}d`], deadline);
  if (r.code !== 0) throw startError(server, `could not set retention of ${namespace} to ${days}d`, r.output);
  const after = await describeRetentionSeconds(cliPath, address, namespace, deadline);
  if (after !== want) throw startError(server, `retention of ${namespace} is ${after}s after update, expected ${want}s`);
}

interface CliResult {
  code: number | null;
  stdout: string;
  output: string;
}

function runCli(cliPath: string, args: string[], deadline: number): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: scrubbedEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(5000, deadline - Date.now()));
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, output: err.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const output = `${signal ? `killed by ${signal}` : `exit ${code}`}: ${(stderr || stdout).trim().slice(-2000)}`;
      resolve({ code, stdout, output });
    });
  });
}

// ---- ports -------------------------------------------------------------------------------------------------------------

/**
 * A TCP port that is free on `host`: bind port 0, then (like the Temporal SDK core) connect to it and close the
 * accepted socket from the server side first, leaving the port in TIME_WAIT so the kernel does not hand it out again to
 * other bind(0) callers for a while — while an explicit bind (SO_REUSEADDR, the Go default) still succeeds.
 */
export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  if (process.platform === 'linux') {
    await new Promise<void>((resolve) => {
      server.once('connection', (sock) => sock.destroy());
      const client = net.connect(port, host);
      client.on('error', () => resolve());
      client.on('close', () => resolve());
      client.on('end', () => client.destroy());
    });
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
