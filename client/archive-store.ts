// The archive of closed incidents: history JSON + record + rendered reports, so timelines and
// postmortems outlive Temporal's retention. Pluggable (ArchiveStore); kept in the process's document
// store: one directory per incident under dataDir/archive/<id>/, or rows in PostgreSQL (store.kind).
import { join } from 'node:path';
import type { LifelineConfig } from '../config/schema';
import { FileDocumentStore, storeFor, type DocumentStore } from '../store';
import type { IncidentState } from '../domain/incident';
import { summarize } from '../domain/incident';
import type { ReportModel } from '../domain/report';

export type IncidentSummaryRecord = ReturnType<typeof summarize>;

export interface ArchiveEntry {
  summary: IncidentSummaryRecord;
  workflowId: string;
  runId: string;
  archivedAt: string;
  state: IncidentState;
}

export interface ArchiveDocuments {
  entry: ArchiveEntry;
  /** The run's full history, JSON as `temporal workflow show -o json` prints it. */
  historyJson: string;
  /** `svg`: the timeline chart (absent in entries archived before charts). */
  report: { markdown: string; html: string; model: ReportModel; svg?: string };
}

export type ArchivedReportFormat = 'md' | 'html' | 'json' | 'svg';

export interface ArchiveStore {
  /** Idempotent: archiving the same run again leaves one complete, equivalent entry. */
  put(docs: ArchiveDocuments): Promise<{ location: string; alreadyArchived: boolean }>;
  get(id: string): Promise<ArchiveEntry | null>;
  history(id: string): Promise<string | null>;
  report(id: string, format: ArchivedReportFormat): Promise<string | null>;
  list(): Promise<IncidentSummaryRecord[]>;
}

// Incident IDs come from URLs: only a plain `<scope>-<8 hex>` may become a key.
const SAFE_ID = /^[a-z0-9][a-z0-9_.-]{0,100}-[0-9a-f]{8}$/;
const REPORT_FILES: Record<ArchivedReportFormat, string> = {
  md: 'report.md',
  html: 'report.html',
  json: 'report.json',
  svg: 'timeline.svg',
};
const COLLECTION = 'archive';

/** The archive over the process's document store (store/): files under dataDir/archive/<id>/ or PostgreSQL. */
export class DocumentArchiveStore implements ArchiveStore {
  constructor(private readonly docs: DocumentStore | Promise<DocumentStore>) {}

  async put(docs: ArchiveDocuments): Promise<{ location: string; alreadyArchived: boolean }> {
    const id = docs.entry.summary.id;
    if (!SAFE_ID.test(id)) throw new Error(`not an archivable incident id: ${id}`);
    const store = await this.docs;
    const location = `${store.describe}/${COLLECTION}/${id}`;
    const existing = await this.get(id);
    if (existing && existing.runId === docs.entry.runId) return { location, alreadyArchived: true };
    await store.put(COLLECTION, `${id}/history.json`, docs.historyJson);
    await store.put(COLLECTION, `${id}/${REPORT_FILES.md}`, docs.report.markdown);
    await store.put(COLLECTION, `${id}/${REPORT_FILES.html}`, docs.report.html);
    await store.put(COLLECTION, `${id}/${REPORT_FILES.json}`, JSON.stringify(docs.report.model, null, 2));
    if (docs.report.svg !== undefined) await store.put(COLLECTION, `${id}/${REPORT_FILES.svg}`, docs.report.svg);
    // incident.json last: it marks the entry complete, so a crash midway is redone on retry and
    // readers never see half an entry.
    await store.put(COLLECTION, `${id}/incident.json`, JSON.stringify(docs.entry, null, 2));
    return { location, alreadyArchived: false };
  }

  async get(id: string): Promise<ArchiveEntry | null> {
    const text = await this.read(id, 'incident.json');
    return text ? (JSON.parse(text) as ArchiveEntry) : null;
  }

  async history(id: string): Promise<string | null> {
    return (await this.get(id)) ? this.read(id, 'history.json') : null;
  }

  async report(id: string, format: ArchivedReportFormat): Promise<string | null> {
    return (await this.get(id)) ? this.read(id, REPORT_FILES[format]) : null;
  }

  async list(): Promise<IncidentSummaryRecord[]> {
    const keys = await (await this.docs).keys(COLLECTION);
    const ids = keys
      .filter((k) => k.endsWith('/incident.json'))
      .map((k) => k.slice(0, -'/incident.json'.length))
      .filter((id) => SAFE_ID.test(id));
    const entries = await Promise.all(ids.map((id) => this.get(id)));
    return entries.filter((e): e is ArchiveEntry => !!e).map((e) => e.summary);
  }

  private async read(id: string, file: string): Promise<string | null> {
    if (!SAFE_ID.test(id)) return null;
    return (await this.docs).get(COLLECTION, `${id}/${file}`);
  }
}

/** The embedded archive: one directory per incident under dataDir/archive/<id>/. */
export class FileArchiveStore extends DocumentArchiveStore {
  readonly root: string;
  constructor(dataDir: string) {
    const files = new FileDocumentStore(dataDir);
    super(files);
    this.root = join(files.root, COLLECTION);
  }
}

/** The archive of the process's configured store (store.kind). */
export const archiveStoreFromConfig = (
  config: Pick<LifelineConfig, 'dataDir' | 'store'>,
  env?: NodeJS.ProcessEnv,
): ArchiveStore =>
  config.store.kind === 'local'
    ? new FileArchiveStore(config.dataDir)
    : new DocumentArchiveStore(storeFor(config, env));
