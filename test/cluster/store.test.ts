// The PostgreSQL store on the cluster's PostgreSQL: versioned migrations applied once however many
// replicas start together, updates serialised across processes' pools, first-writer-wins secrets, and
// the archive/subscriber/Slack stores reading what another replica wrote.
import { Pool } from 'pg';
import { DocumentArchiveStore } from '../../client/archive-store';
import { MIGRATIONS, PostgresDocumentStore } from '../../store/postgres';
import { SubscriberStore } from '../../status/subscribers';
import { slackStore } from '../../channels/slack-store';
import { readState } from './cluster';

let db: string;
let admin: Pool;
const stores: PostgresDocumentStore[] = [];
const open = async () => {
  const s = await PostgresDocumentStore.open(db);
  stores.push(s);
  return s;
};

beforeAll(async () => {
  // A database of its own, so this file does not share rows with the lifeline processes of cluster.test.ts.
  const state = readState();
  admin = new Pool({ connectionString: `postgres://postgres@127.0.0.1:${state.pgPort}/postgres` });
  const name = `lifeline_store_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  db = `postgres://postgres@127.0.0.1:${state.pgPort}/${name}`;
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await admin?.end();
});

test('replicas starting together apply each migration once; a newer schema is refused', async () => {
  const [a, b, c] = await Promise.all([open(), open(), open()]);
  expect([a, b, c].map((s) => s.describe)).toEqual(Array(3).fill(db.replace('postgres@', '')));
  const check = new Pool({ connectionString: db });
  try {
    const rows = (await check.query('SELECT version, name FROM lifeline_schema_migrations ORDER BY version')).rows;
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await check.query(`INSERT INTO lifeline_schema_migrations (version, name) VALUES (999, 'from the future')`);
    await expect(PostgresDocumentStore.open(db)).rejects.toThrow('newer than this lifeline knows');
    await check.query('DELETE FROM lifeline_schema_migrations WHERE version = 999');
  } finally {
    await check.end();
  }
});

test('updates from two pools are serialised: no lost update', async () => {
  const [a, b] = await Promise.all([open(), open()]);
  const bump = (s: PostgresDocumentStore) =>
    s.update('counters', 'n', (cur) => {
      const next = Number(cur ?? 0) + 1;
      return { value: String(next), result: next };
    });
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) => bump(i % 2 ? a : b)));
  expect(await a.get('counters', 'n')).toBe('60');
  expect([...results].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
});

test('putIfAbsent: the first writer wins for every replica (the subscriber link secret)', async () => {
  const [a, b] = await Promise.all([open(), open()]);
  const got = await Promise.all(
    Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).putIfAbsent('secrets', 'k', `value-${i}`)),
  );
  expect(new Set(got).size).toBe(1);
  // Two API replicas sign unsubscribe links with the same secret: a link from one works on the other.
  const subsA = new SubscriberStore(a, {});
  const subsB = new SubscriberStore(b, {});
  const { subscriber, tokens } = await subsA.subscribe('ops@example.com', []);
  expect((await subsB.confirm(tokens!.confirm))?.status).toBe('confirmed');
  expect((await subsA.confirmed()).map((s) => s.email)).toEqual(['ops@example.com']);
  expect(await subsB.unsubscribe(await subsA.unsubscribeToken(subscriber))).toMatchObject({ email: 'ops@example.com' });
  expect(await subsA.all()).toEqual([]);
});

test('a Slack record written on one worker is what a retry on another reads; the archive lists across replicas', async () => {
  const [a, b] = await Promise.all([open(), open()]);
  await slackStore(a).write('openai-0a1b2c3d', { ts: '1700000000.000001', channel: 'C1', replies: ['k1'] });
  expect(await slackStore(b).read('openai-0a1b2c3d')).toEqual({
    ts: '1700000000.000001',
    channel: 'C1',
    replies: ['k1'],
    posting: false,
  });
  expect(await new DocumentArchiveStore(b).list()).toEqual([]);
  await expect(a.get('archive', '../etc/passwd')).rejects.toThrow('not a valid store key');
});
