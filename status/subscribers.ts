// Email subscribers of the status page, stored durably as one JSON document in the process's store
// (dataDir/subscribers.json, or PostgreSQL shared by every replica; the worker reads it when sending updates). Double opt-in: a subscriber receives updates only
// after following the confirmation link, whose token is stored as a SHA-256 digest. Unsubscribe links
// carry `<id>.<HMAC(secret, id)>`, so every email can include one without storing a token.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { LifelineConfig } from '../config/schema';
import { FileDocumentStore, storeFor, type DocumentStore } from '../store';

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

const DOC = { collection: '', key: 'subscribers.json' };

export class SubscriberStore {
  private secret?: Promise<Buffer>;

  constructor(
    private readonly docs: DocumentStore | Promise<DocumentStore>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  static inDataDir(dataDir: string, env: NodeJS.ProcessEnv = process.env): SubscriberStore {
    return new SubscriberStore(new FileDocumentStore(dataDir), env);
  }

  /** The configured store (store.kind): files under dataDir or PostgreSQL. */
  static forConfig(
    config: Pick<LifelineConfig, 'dataDir' | 'store'>,
    env: NodeJS.ProcessEnv = process.env,
  ): SubscriberStore {
    return config.store.kind === 'local'
      ? SubscriberStore.inDataDir(config.dataDir, env)
      : new SubscriberStore(storeFor(config, env), env);
  }

  /**
   * LIFELINE_SUBSCRIBER_SECRET, else a random secret generated once and kept in the store (secrets/,
   * 0600 as a file): the first replica to need it creates it, every other reads the same one.
   */
  private linkSecret(): Promise<Buffer> {
    this.secret ??= (async () => {
      if (this.env.LIFELINE_SUBSCRIBER_SECRET) return Buffer.from(this.env.LIFELINE_SUBSCRIBER_SECRET);
      const stored = await (
        await this.docs
      ).putIfAbsent('secrets', 'subscriber-link-secret', randomBytes(32).toString('base64'));
      return Buffer.from(stored.trim(), 'base64');
    })();
    return this.secret;
  }

  async unsubscribeToken(s: Pick<Subscriber, 'id'>): Promise<string> {
    return `${s.id}.${createHmac('sha256', await this.linkSecret())
      .update(s.id)
      .digest('base64url')}`;
  }

  async all(): Promise<Subscriber[]> {
    return parseList(await (await this.docs).get(DOC.collection, DOC.key));
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
      if (existing?.status === 'confirmed')
        return { result: { subscriber: existing, tokens: null as { confirm: string } | null } };
      const subscriber: Subscriber = {
        id: existing?.id ?? randomUUID(),
        email: normalized,
        components,
        status: 'pending',
        confirmTokenHash: digest(confirm),
        createdAt: existing?.createdAt ?? now,
      };
      return {
        list: [...list.filter((s) => s !== existing), subscriber],
        result: { subscriber, tokens: { confirm } as { confirm: string } | null },
      };
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

  /** Read-modify-write, one at a time across every process sharing the store (store/documents.ts update). */
  private async mutate<T>(fn: (list: Subscriber[]) => { list?: Subscriber[]; result: T }): Promise<T> {
    return (await this.docs).update(DOC.collection, DOC.key, (current) => {
      const out = fn(parseList(current));
      return { result: out.result, ...(out.list ? { value: JSON.stringify({ subscribers: out.list }, null, 2) } : {}) };
    });
  }
}

const parseList = (text: string | null): Subscriber[] =>
  text ? (JSON.parse(text) as { subscribers: Subscriber[] }).subscribers : [];
