// The process's store, chosen by config (`store.kind`): files under dataDir, or PostgreSQL shared by
// every replica. One per process and backend, opened on first use (PostgreSQL: migrations then) —
// `lifeline worker|api|up` open it at start-up so a bad URL or schema stops them before they serve.
import { resolve } from 'node:path';
import type { LifelineConfig } from '../config/schema';
import type { DocumentStore } from './documents';
import { FileDocumentStore } from './file';
import { PostgresDocumentStore } from './postgres';

export type { DocumentStore } from './documents';
export { FileDocumentStore } from './file';
export { PostgresDocumentStore } from './postgres';

const opened = new Map<string, Promise<DocumentStore>>();

export function storeFor(
  config: Pick<LifelineConfig, 'dataDir' | 'store'>,
  env: NodeJS.ProcessEnv = process.env,
  log?: (line: string) => void,
): Promise<DocumentStore> {
  if (config.store.kind === 'local' || !config.store.postgres) {
    const id = `file:${resolve(config.dataDir)}`;
    if (!opened.has(id)) opened.set(id, Promise.resolve(new FileDocumentStore(config.dataDir)));
    return opened.get(id)!;
  }
  const { urlEnv, maxConnections } = config.store.postgres;
  const url = env[urlEnv];
  if (!url) {
    // Rejects for whoever awaits it; a store handed out but never used must not be an unhandled rejection.
    const missing = Promise.reject(new Error(`store.postgres.urlEnv: ${urlEnv} is not set`));
    missing.catch(() => undefined);
    return missing;
  }
  const id = `pg:${url}`;
  if (!opened.has(id)) {
    const p = PostgresDocumentStore.open(url, { max: maxConnections, log });
    // A failed open is not cached: the next caller (a retried activity) tries again.
    p.catch(() => opened.delete(id));
    opened.set(id, p);
  }
  return opened.get(id)!;
}

/** Closes every store this process opened (shutdown). */
export async function closeStores(): Promise<void> {
  const all = [...opened.values()];
  opened.clear();
  await Promise.all(all.map(async (p) => (await p.catch(() => null))?.close()));
}
