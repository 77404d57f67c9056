// The PostgreSQL store (store.kind: postgres): every worker and API replica reads and writes the same
// documents. Its own database (store.postgres.urlEnv), never Temporal's. The schema is versioned
// (lifeline_schema_migrations); pending migrations run at start-up under an advisory lock, so replicas
// starting together apply each one exactly once.
import { Pool, type PoolClient } from 'pg';
import { checkName, type DocumentStore } from './documents';

/** Append-only: a released migration is never edited, a change is a new version. */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'documents',
    sql: `CREATE TABLE lifeline_documents (
            collection text NOT NULL,
            key text NOT NULL,
            value text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (collection, key)
          )`,
  },
];

// Any constant works; it only has to be the same in every lifeline process.
const MIGRATION_LOCK = 0x1f1e11fe;

export async function migrate(pool: Pool, log: (line: string) => void = () => undefined): Promise<number[]> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await c.query(`CREATE TABLE IF NOT EXISTS lifeline_schema_migrations (
                     version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await c.query<{ version: number }>('SELECT version FROM lifeline_schema_migrations')).rows.map((r) => r.version),
    );
    const newest = Math.max(0, ...done);
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    // A database migrated by a newer lifeline: refuse rather than write in a shape it no longer reads.
    if (newest > known)
      throw new Error(
        `the store's schema is at version ${newest}, newer than this lifeline knows (${known}): upgrade lifeline`,
      );
    const applied: number[] = [];
    for (const m of MIGRATIONS.filter((x) => !done.has(x.version))) {
      await c.query('BEGIN');
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO lifeline_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK');
        throw new Error(`store migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
      }
      log(`store: applied migration ${m.version} (${m.name})`);
      applied.push(m.version);
    }
    return applied;
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    c.release();
  }
}

export class PostgresDocumentStore implements DocumentStore {
  readonly describe: string;

  private constructor(
    private readonly pool: Pool,
    url: string,
  ) {
    const u = new URL(url);
    this.describe = `postgres://${u.host}${u.pathname}`; // never the password
  }

  /** Connects, runs pending migrations, and fails with the reason (never the password) if either fails. */
  static async open(
    url: string,
    opts: { max?: number; log?: (line: string) => void } = {},
  ): Promise<PostgresDocumentStore> {
    const pool = new Pool({ connectionString: url, max: opts.max ?? 5, connectionTimeoutMillis: 10_000 });
    // An idle client losing its server (PostgreSQL restarting) must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    const store = new PostgresDocumentStore(pool, url);
    try {
      await migrate(pool, opts.log);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new Error(`store ${store.describe}: ${(err as Error).message}`);
    }
    return store;
  }

  async get(collection: string, key: string): Promise<string | null> {
    const r = await this.pool.query<{ value: string }>(
      'SELECT value FROM lifeline_documents WHERE collection = $1 AND key = $2',
      [name(collection), keyOf(key)],
    );
    return r.rows[0]?.value ?? null;
  }

  async put(collection: string, key: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO lifeline_documents (collection, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (collection, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [name(collection), keyOf(key), value],
    );
  }

  async putIfAbsent(collection: string, key: string, value: string): Promise<string> {
    await this.pool.query(
      'INSERT INTO lifeline_documents (collection, key, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [name(collection), keyOf(key), value],
    );
    return (await this.get(collection, key))!;
  }

  async update<T>(
    collection: string,
    key: string,
    fn: (current: string | null) => { value?: string; result: T },
  ): Promise<T> {
    return this.transaction(async (c) => {
      // A transaction-scoped lock on the document's name: also serialises two first-time updates, which a
      // row lock could not (there is no row yet).
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${name(collection)}\n${keyOf(key)}`]);
      const r = await c.query<{ value: string }>(
        'SELECT value FROM lifeline_documents WHERE collection = $1 AND key = $2',
        [collection, key],
      );
      const out = fn(r.rows[0]?.value ?? null);
      if (out.value !== undefined) {
        await c.query(
          `INSERT INTO lifeline_documents (collection, key, value) VALUES ($1, $2, $3)
           ON CONFLICT (collection, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          [collection, key, out.value],
        );
      }
      return out.result;
    });
  }

  async keys(collection: string, prefix = ''): Promise<string[]> {
    const r = await this.pool.query<{ key: string }>(
      'SELECT key FROM lifeline_documents WHERE collection = $1 AND starts_with(key, $2) ORDER BY key',
      [name(collection), prefix],
    );
    return r.rows.map((x) => x.key);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async transaction<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }
}

const name = (collection: string) => {
  if (collection !== '') checkName('collection', collection);
  return collection;
};
const keyOf = (key: string) => {
  checkName('key', key);
  return key;
};
