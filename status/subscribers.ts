// Email subscribers of the status page, stored durably as one JSON file under dataDir (survives
// restarts; the worker reads it when sending updates). Double opt-in: a subscriber receives updates only
// after following the confirmation link, whose token is stored as a SHA-256 digest. Unsubscribe links
// carry `<id>.<HMAC(secret, id)>`, so every email can include one without storing a token.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface Subscriber {
  id: string;
  email: string;
  /** Component IDs to hear about; empty = everything. */
  components: string[];
  status: 'pending' | 'confirmed';
  confirmTokenHash: string;
  createdAt: string;
  confirmedAt?: string;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(18).toString('base64url');

export class SubscriberStore {
  private queue: Promise<unknown> = Promise.resolve();
  private secret?: Promise<Buffer>;

  constructor(
    private readonly file: string,
    private readonly secretFile = join(dirname(file), 'subscriber-link-secret'),
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  static inDataDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): SubscriberStore {
    return new SubscriberStore(join(dataDir, 'subscribers.json'), join(dataDir, 'subscriber-link-secret'), env);
  }

  /** LIFELINE_SUBSCRIBER_SECRET, else a random secret kept (0600) beside the store. */
  private linkSecret(): Promise<Buffer> {
    this.secret ??= (async () => {
      if (this.env.LIFELINE_SUBSCRIBER_SECRET) return Buffer.from(this.env.LIFELINE_SUBSCRIBER_SECRET);
      try {
        return await readFile(this.secretFile);
      } catch {
        await mkdir(dirname(this.secretFile), { recursive: true });
        const fresh = randomBytes(32);
        await writeFile(this.secretFile, fresh, { flag: 'wx', mode: 0o600 }).catch(() => undefined); // another process may win
        await chmod(this.secretFile, 0o600).catch(() => undefined);
        return readFile(this.secretFile);
      }
    })();
    return this.secret;
  }

  async unsubscribeToken(s: Pick<Subscriber, 'id'>): Promise<string> {
    return `${s.id}.${createHmac('sha256', await this.linkSecret()).update(s.id).digest('base64url')}`;
  }

  async all(): Promise<Subscriber[]> {
    try {
      return (JSON.parse(await readFile(this.file, 'utf8')) as { subscribers: Subscriber[] }).subscribers;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async confirmed(): Promise<Subscriber[]> {
    return (await this.all()).filter((s) => s.status === 'confirmed');
  }

  /**
   * Adds (or refreshes) a pending subscription and returns fresh tokens for the confirmation email.
   * An already confirmed address keeps its subscription and gets no email (`tokens: null`).
   */
  subscribe(email: string, components: string[], now = new Date().toISOString()) {
    return this.mutate((list) => {
      const normalized = email.trim().toLowerCase();
      const confirm = newToken();
      const existing = list.find((s) => s.email === normalized);
      if (existing?.status === 'confirmed') return { result: { subscriber: existing, tokens: null as { confirm: string } | null } };
      const subscriber: Subscriber = {
        id: existing?.id ?? randomUUID(),
        email: normalized,
        components,
        status: 'pending',
        confirmTokenHash: digest(confirm),
        createdAt: existing?.createdAt ?? now,
      };
      return { list: [...list.filter((s) => s !== existing), subscriber], result: { subscriber, tokens: { confirm } as { confirm: string } | null } };
    });
  }

  confirm(token: string, now = new Date().toISOString()) {
    return this.mutate((list) => {
      const s = list.find((x) => x.confirmTokenHash === digest(token));
      if (!s) return { result: null };
      const updated: Subscriber = { ...s, status: 'confirmed', confirmedAt: s.confirmedAt ?? now };
      return { list: list.map((x) => (x === s ? updated : x)), result: updated };
    });
  }

  async unsubscribe(token: string): Promise<Subscriber | null> {
    const id = token.split('.')[0] ?? '';
    const expected = Buffer.from(await this.unsubscribeToken({ id }));
    const given = Buffer.from(token);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    return this.mutate((list) => {
      const s = list.find((x) => x.id === id);
      if (!s) return { result: null };
      return { list: list.filter((x) => x !== s), result: s };
    });
  }

  /** Read-modify-write, one at a time, written to a temp file and renamed (never half a file). */
  private mutate<T>(fn: (list: Subscriber[]) => { list?: Subscriber[]; result: T }): Promise<T> {
    const run = this.queue.then(async () => {
      const out = fn(await this.all());
      if (out.list) {
        await mkdir(dirname(this.file), { recursive: true });
        const tmp = `${this.file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify({ subscribers: out.list }, null, 2));
        await rename(tmp, this.file);
      }
      return out.result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

