// Postmortem rendering at resolution: the record plus the run's history so far, written under
// dataDir/reports. (The archive, written after the run closes, holds the final version.)
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Context } from '@temporalio/activity';
import { buildReportModel } from '../domain/report';
import type { IncidentState } from '../domain/incident';
import type { HistoryJson } from '../domain/history';
import { fetchHistoryJson } from '../client/history';
import { BUNDLED_TEMPLATES_DIR, renderReport } from './report-render';
import type { ActivityDeps } from './deps';

export { BUNDLED_TEMPLATES_DIR } from './report-render';

export async function renderPostmortem(state: IncidentState, templatesDir = BUNDLED_TEMPLATES_DIR, history?: HistoryJson): Promise<string> {
  return renderReport(buildReportModel(state, history), 'md', templatesDir);
}

/** Write-then-rename: a retried activity overwrites atomically, never leaves half a file. */
export async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

export function createReportActivities(deps: ActivityDeps) {
  return {
    async renderReport(state: IncidentState): Promise<{ markdown: string; location: string }> {
      let history: HistoryJson | undefined;
      try {
        const run = Context.current().info.workflowExecution;
        if (run) history = (await fetchHistoryJson(deps.client, run.workflowId, run.runId)).parsed;
      } catch (err) {
        // The record alone still makes a full report; the history only adds server-side timestamps.
        deps.logger.warn({ err: (err as Error).message, incident: state.id }, 'report without history enrichment');
      }
      const markdown = await renderPostmortem(state, deps.templatesDir, history);
      const dir = resolve(deps.config.dataDir, 'reports');
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${state.id}.md`);
      await writeAtomically(file, markdown);
      return { markdown, location: file };
    },
  };
}
