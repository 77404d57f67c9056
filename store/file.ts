// The embedded store: one file per document under dataDir/<collection>/<key>, written atomically
// (write-file-atomic: temp file, fsync, rename) so a crash never leaves half a document. The layout is
// the one lifeline always used (archive/<id>/…, reports/<id>.md, notifications/slack/<id>.json, subscribers.json).
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { checkName, type DocumentStore } from './documents';

/** A write in flight: write-file-atomic's `<name>.<number>`, or `<name>….tmp` left by older versions. */
const TEMP_FILE = /\.\d+$|\.tmp$/;

export class FileDocumentStore implements DocumentStore {
  readonly root: string;
  /** Per-document queue of updates (a promise chain: the same idea SubscriberStore used). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(dataDir: string) {
    this.root = resolve(dataDir);
  }

  get describe(): string {
    return this.root;
  }

  path(collection: string, key: string): string {
    if (collection !== '') checkName('collection', collection);
    checkName('key', key);
    return join(this.root, collection, key);
  }

  async get(collection: string, key: string): Promise<string | null> {
    try {
      return await readFile(this.path(collection, key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async put(collection: string, key: string, value: string): Promise<void> {
    const file = this.path(collection, key);
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, value, { mode: 0o600 });
  }

  async putIfAbsent(collection: string, key: string, value: string): Promise<string> {
    const file = this.path(collection, key);
    await mkdir(dirname(file), { recursive: true });
    // O_EXCL: of two processes creating it at once, one wins and both read the winner's value.
    await writeFile(file, value, { flag: 'wx', mode: 0o600 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    return readFile(file, 'utf8');
  }

  async update<T>(
    collection: string,
    key: string,
    fn: (current: string | null) => { value?: string; result: T },
  ): Promise<T> {
    const id = this.path(collection, key);
    const run = (this.queues.get(id) ?? Promise.resolve()).then(async () => {
      const out = fn(await this.get(collection, key));
      if (out.value !== undefined) await this.put(collection, key, out.value);
      return out.result;
    });
    const settled = run.catch(() => undefined);
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return run;
  }

  async keys(collection: string, prefix = ''): Promise<string[]> {
    const base = collection === '' ? this.root : this.path('', collection);
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (!TEMP_FILE.test(e.name)) out.push(relative(base, full));
      }
    };
    await walk(base);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async close(): Promise<void> {}
}
