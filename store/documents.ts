// The one store behind lifeline's own state (incident archive, reports, Slack idempotency records,
// status-page subscribers, generated secrets): named text documents in collections. Two backends: files
// under dataDir (the embedded default, one host) and PostgreSQL (store.postgres, shared by every worker
// and API replica). Callers keep their formats; only where the bytes live changes.

export interface DocumentStore {
  /** Where this store lives, for logs and `location` fields (a directory or postgres://host/db). */
  readonly describe: string;
  get(collection: string, key: string): Promise<string | null>;
  /** Writes the whole document atomically (readers see the old or the new value, never half). */
  put(collection: string, key: string, value: string): Promise<void>;
  /** Stores `value` unless the key exists, and returns what is stored: the first writer wins everywhere. */
  putIfAbsent(collection: string, key: string, value: string): Promise<string>;
  /**
   * Read-modify-write of one document, serialised against every other update of it (PostgreSQL: a row
   * lock, so across processes; files: within this process). `fn` returns the new value, or none to keep it.
   */
  update<T>(collection: string, key: string, fn: (current: string | null) => { value?: string; result: T }): Promise<T>;
  /** Keys in a collection with the given prefix. */
  keys(collection: string, prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

// Keys and collections become file paths in the embedded store: letters, digits, "_", ".", "-", "@",
// "/"-separated, no empty, "." or ".." segment.
const SEGMENT = /^[A-Za-z0-9_.@-]{1,200}$/;
export function checkName(what: 'collection' | 'key', name: string): void {
  const ok =
    name.length > 0 && name.length <= 500 && name.split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..');
  if (!ok) throw new Error(`not a valid store ${what}: ${JSON.stringify(name.slice(0, 100))}`);
}
