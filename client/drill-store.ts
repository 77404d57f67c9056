// Drill reports, kept beside the incident archive in the process's document store (files under
// dataDir/drills/, or PostgreSQL): written by the drill's last activity, read by the API, the CLI and
// `lifeline doctor` ("failover never exercised").
import type { LifelineConfig } from '../config/schema';
import { drillReportKey, type DrillReport } from '../domain/drill';
import { storeFor, type DocumentStore } from '../store';

const COLLECTION = 'drills';

export class DrillReportStore {
  constructor(private readonly docs: DocumentStore | Promise<DocumentStore>) {}

  static forConfig(config: Pick<LifelineConfig, 'dataDir' | 'store'>, env?: NodeJS.ProcessEnv): DrillReportStore {
    return new DrillReportStore(storeFor(config, env));
  }

  /** Idempotent: a retried write stores the same report again. */
  async put(report: DrillReport): Promise<{ location: string }> {
    const store = await this.docs;
    const key = `${drillReportKey(report.id)}.json`;
    await store.put(COLLECTION, key, JSON.stringify(report, null, 2));
    return { location: `${store.describe}/${COLLECTION}/${key}` };
  }

  async get(id: string): Promise<DrillReport | null> {
    let key: string;
    try {
      key = `${drillReportKey(id)}.json`;
      const text = await (await this.docs).get(COLLECTION, key);
      return text ? (JSON.parse(text) as DrillReport) : null;
    } catch {
      return null; // not a valid key: no such report
    }
  }

  /** Newest first. */
  async list(): Promise<DrillReport[]> {
    const store = await this.docs;
    const keys = (await store.keys(COLLECTION)).filter((k) => k.endsWith('.json'));
    const reports = await Promise.all(keys.map(async (k) => store.get(COLLECTION, k)));
    return reports
      .filter((t): t is string => !!t)
      .map((t) => JSON.parse(t) as DrillReport)
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  }
}
