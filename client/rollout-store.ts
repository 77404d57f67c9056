// Rollout reports in the process's document store (files under dataDir/rollouts/, or PostgreSQL): the
// workflow saves its report after every change, so the API and CLI read running and finished rollouts
// alike, and reports outlive Temporal's retention like incident archives do.
import type { LifelineConfig } from '../config/schema';
import type { RolloutReport } from '../domain/rollout';
import { storeFor, type DocumentStore } from '../store';

const COLLECTION = 'rollouts';
/** Rollout IDs come from URLs and Idempotency-Keys: only plain ones become keys. */
export const ROLLOUT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export class RolloutStore {
  constructor(private readonly docs: Promise<DocumentStore>) {}

  static forConfig(config: Pick<LifelineConfig, 'dataDir' | 'store'>, env?: NodeJS.ProcessEnv): RolloutStore {
    const docs = storeFor(config, env);
    docs.catch(() => undefined); // reported to whoever reads or writes
    return new RolloutStore(docs);
  }

  async put(report: RolloutReport): Promise<void> {
    if (!ROLLOUT_ID.test(report.id)) throw new Error(`not a storable rollout id: ${report.id}`);
    await (await this.docs).put(COLLECTION, report.id, JSON.stringify(report));
  }

  async get(id: string): Promise<RolloutReport | null> {
    if (!ROLLOUT_ID.test(id)) return null;
    const text = await (await this.docs).get(COLLECTION, id);
    return text ? (JSON.parse(text) as RolloutReport) : null;
  }

  /** Newest first. */
  async list(): Promise<RolloutReport[]> {
    const store = await this.docs;
    const all = await Promise.all((await store.keys(COLLECTION)).map((k) => this.get(k)));
    return all.filter((r): r is RolloutReport => r !== null).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}
