// The archive of closed incidents: history JSON + record + rendered reports, so timelines and
// postmortems outlive Temporal's retention. Pluggable (ArchiveStore); the default keeps one directory
// per incident under dataDir/archive/<id>/.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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
  report: { markdown: string; html: string; model: ReportModel };
}

export type ArchivedReportFormat = 'md' | 'html' | 'json';

export interface ArchiveStore {
  /** Idempotent: archiving the same run again leaves one complete, equivalent entry. */
  put(docs: ArchiveDocuments): Promise<{ location: string; alreadyArchived: boolean }>;
  get(id: string): Promise<ArchiveEntry | null>;
  history(id: string): Promise<string | null>;
  report(id: string, format: ArchivedReportFormat): Promise<string | null>;
  list(): Promise<IncidentSummaryRecord[]>;
}

// Incident IDs come from URLs: only a plain `<scope>-<8 hex>` may become a path.
const SAFE_ID = /^[a-z0-9][a-z0-9_.-]{0,100}-[0-9a-f]{8}$/;
const REPORT_FILES: Record<ArchivedReportFormat, string> = { md: 'report.md', html: 'report.html', json: 'report.json' };

export class FileArchiveStore implements ArchiveStore {
  readonly root: string;
  constructor(dataDir: string) {
    this.root = resolve(dataDir, 'archive');
  }

  private dir(id: string): string | null {
    return SAFE_ID.test(id) ? join(this.root, id) : null;
  }

  async put(docs: ArchiveDocuments): Promise<{ location: string; alreadyArchived: boolean }> {
    const dir = this.dir(docs.entry.summary.id);
    if (!dir) throw new Error(`not an archivable incident id: ${docs.entry.summary.id}`);
    const existing = await this.get(docs.entry.summary.id);
    if (existing && existing.runId === docs.entry.runId) return { location: dir, alreadyArchived: true };
    await mkdir(dir, { recursive: true });
    await write(join(dir, 'history.json'), docs.historyJson);
    await write(join(dir, REPORT_FILES.md), docs.report.markdown);
    await write(join(dir, REPORT_FILES.html), docs.report.html);
    await write(join(dir, REPORT_FILES.json), JSON.stringify(docs.report.model, null, 2));
    // incident.json last: it marks the entry complete, so a crash midway is redone on retry and
    // readers never see half an entry.
    await write(join(dir, 'incident.json'), JSON.stringify(docs.entry, null, 2));
    return { location: dir, alreadyArchived: false };
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
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const entries = await Promise.all(names.filter((n) => SAFE_ID.test(n)).map((n) => this.get(n)));
    return entries.filter((e): e is ArchiveEntry => !!e).map((e) => e.summary);
  }

  private async read(id: string, file: string): Promise<string | null> {
    const dir = this.dir(id);
    if (!dir) return null;
    try {
      return await readFile(join(dir, file), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

async function write(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}
