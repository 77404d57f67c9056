import { promises as fsp } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import {
  DEV_SERVER_DB_FILENAME,
  startDevServer,
  type DevServerHandle,
  type SearchAttributeTypeName,
} from '../../temporal-server/dev-server';
import { resolveTemporalBinary } from '../../temporal-server/binaries';

// What the server reports, straight from the proto enum (KeywordList → INDEXED_VALUE_TYPE_KEYWORD_LIST).
const INDEXED = (type: SearchAttributeTypeName): number =>
  temporal.api.enums.v1.IndexedValueType[
    `INDEXED_VALUE_TYPE_${type.replace(/\B(?=[A-Z])/g, '_').toUpperCase()}` as keyof typeof temporal.api.enums.v1.IndexedValueType
  ];

const SEARCH_ATTRIBUTES: Record<string, SearchAttributeTypeName> = {
  LifelineIncidentId: 'Keyword',
  LifelineProvider: 'Keyword',
  LifelineSeverity: 'Int',
  LifelineScore: 'Double',
  LifelineResolved: 'Bool',
  LifelineOpenedAt: 'Datetime',
  LifelineSummary: 'Text',
  LifelineTags: 'KeywordList',
};
const NAMESPACE = 'lifeline-it';

let cliPath: string;
let root: string;
const running: DevServerHandle[] = [];

beforeAll(async () => {
  // Uses LIFELINE_TEMPORAL_CLI from the jest globalSetup when present, else resolves (and caches) it here.
  cliPath = (await resolveTemporalBinary('cli', { log: () => undefined })).path;
});
beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'lifeline-devserver-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  await fsp.rm(root, { recursive: true, force: true });
});

async function start(dataDir: string, extra: Partial<Parameters<typeof startDevServer>[0]> = {}, lines: string[] = []) {
  const h = await startDevServer({
    cliPath,
    dataDir,
    namespace: NAMESPACE,
    searchAttributes: SEARCH_ATTRIBUTES,
    uiPort: false,
    sqliteSync: 'normal', // what `lifeline up` runs with (WAL): restarts on the same file must keep state
    log: (l) => lines.push(l),
    ...extra,
  });
  running.push(h);
  return h;
}

async function inspect(address: string, namespace: string) {
  const connection = await Connection.connect({ address });
  try {
    const ns = await connection.workflowService.describeNamespace({ namespace });
    const ttl = ns.config?.workflowExecutionRetentionTtl;
    const retentionSeconds = Number(ttl?.seconds?.toString() ?? 0);
    const sa = await connection.operatorService.listSearchAttributes({ namespace });
    const custom: Record<string, number> = {};
    for (const [k, v] of Object.entries(sa.customAttributes ?? {})) custom[k] = Number(v);
    return { retentionSeconds, custom };
  } finally {
    await connection.close();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

function portOpen(address: string): Promise<boolean> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const s = net.connect(Number(address.slice(i + 1)), address.slice(0, i));
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

test('starts on a fresh SQLite file with 30-day retention and the custom search attributes; stops; restarts on the same file', async () => {
  const dataDir = path.join(root, 'data');
  const first = await start(dataDir);
  expect(first.address).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(first.uiUrl).toBeUndefined();
  expect(pidAlive(first.pid)).toBe(true);
  await expect(fsp.stat(path.join(dataDir, DEV_SERVER_DB_FILENAME))).resolves.toBeTruthy();

  const a = await inspect(first.address, NAMESPACE);
  expect(a.retentionSeconds).toBeGreaterThanOrEqual(30 * 86_400);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES))
    expect([name, a.custom[name]]).toEqual([name, INDEXED(type)]);

  await first.stop();
  await first.stop(); // idempotent
  expect(pidAlive(first.pid)).toBe(false);
  expect(await portOpen(first.address)).toBe(false);

  // Same SQLite file again, plus one new attribute: already-registered ones must not fail the start,
  // the new one must get registered, and the retention must have persisted (no re-set needed).
  const lines: string[] = [];
  const second = await start(
    dataDir,
    { searchAttributes: { ...SEARCH_ATTRIBUTES, LifelineRunbook: 'Keyword' } },
    lines,
  );
  const b = await inspect(second.address, NAMESPACE);
  expect(b.retentionSeconds).toBe(30 * 86_400);
  expect(b.custom.LifelineRunbook).toBe(INDEXED('Keyword'));
  expect(b.custom.LifelineSeverity).toBe(INDEXED('Int'));
  expect(lines.join('\n')).not.toMatch(/setting retention/);
  expect(lines.join('\n')).toMatch(/registering search attributes LifelineRunbook \(Keyword\)/);
  await second.stop();
  expect(pidAlive(second.pid)).toBe(false);
});

test('default namespace, custom retention, UI port, and two servers side by side', async () => {
  const [x, y] = await Promise.all([
    start(path.join(root, 'x'), { namespace: undefined, retentionDays: 45, uiPort: 0 }),
    start(path.join(root, 'y'), { namespace: undefined }),
  ]);
  expect(x.address).not.toBe(y.address);
  expect(x.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(await httpStatus(x.uiUrl!)).toBeLessThan(500);
  expect((await inspect(x.address, 'default')).retentionSeconds).toBe(45 * 86_400);
  expect((await inspect(y.address, 'default')).retentionSeconds).toBe(30 * 86_400);
  await Promise.all([x.stop(), y.stop()]);
});

test('a search attribute whose type changed on a reused SQLite file is a clear error', async () => {
  const dataDir = path.join(root, 'clash');
  const h = await start(dataDir, { searchAttributes: { LifelineSeverity: 'Int' } });
  await h.stop();
  await expect(start(dataDir, { searchAttributes: { LifelineSeverity: 'Keyword' } })).rejects.toThrow(
    /LifelineSeverity is Int, wanted Keyword/,
  );
});

test('a server that dies at startup reports its last stderr lines', async () => {
  const fake = path.join(root, 'broken-temporal');
  await fsp.writeFile(fake, '#!/bin/sh\necho "booting" >&2\necho "fatal: could not open sqlite file" >&2\nexit 3\n', {
    mode: 0o755,
  });
  await expect(start(path.join(root, 'd'), { cliPath: fake })).rejects.toThrow(
    /exited with code 3[\s\S]*fatal: could not open sqlite file/,
  );
});

test('a server that never answers times out with its output, and is killed', async () => {
  const fake = path.join(root, 'hung-temporal');
  await fsp.writeFile(fake, '#!/bin/sh\necho "still warming up" >&2\nexec sleep 600\n', { mode: 0o755 });
  const t0 = Date.now();
  const err = (await start(path.join(root, 'd'), { cliPath: fake, startTimeoutMs: 2000 }).catch(
    (e: unknown) => e,
  )) as Error;
  // The start timeout is 2 s and the fake would sleep 600 s: 60 s leaves room for a loaded machine (the
  // kill and stderr collection included) and still fails if the timeout were ignored.
  expect(Date.now() - t0).toBeLessThan(60_000);
  expect(err.message).toMatch(/did not become ready at 127\.0\.0\.1:\d+ before the start timeout/);
  expect(err.message).toContain('still warming up');
  const pid = Number(/pid (\d+)/.exec(err.message)?.[1]);
  expect(pidAlive(pid)).toBe(false);
});
