// Postmortem rendering (Handlebars over the report model) and writing it under dataDir/reports.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Handlebars from 'handlebars';
import { buildReportModel } from '../domain/report';
import type { IncidentState } from '../domain/incident';
import type { ActivityDeps } from './deps';

export const BUNDLED_TEMPLATES_DIR = resolve(__dirname, '..', 'templates').replace(/[\\/]dist[\\/]templates$/, '/templates');

export async function renderPostmortem(state: IncidentState, templatesDir = BUNDLED_TEMPLATES_DIR): Promise<string> {
  const source = await readFile(join(templatesDir, 'postmortem.md.hbs'), 'utf8');
  // Markdown, not HTML: no escaping (Handlebars' default would turn "→" and quotes into entities).
  const template = Handlebars.compile(source, { noEscape: true, strict: false });
  return template(buildReportModel(state)).replace(/\n{3,}/g, '\n\n');
}

export function createReportActivities(deps: ActivityDeps) {
  return {
    async renderReport(state: IncidentState): Promise<{ markdown: string; location: string }> {
      const markdown = await renderPostmortem(state, deps.templatesDir);
      const dir = resolve(deps.config.dataDir, 'reports');
      await mkdir(dir, { recursive: true });
      const file = join(dir, `${state.id}.md`);
      // Write-then-rename: a retried activity overwrites atomically, never leaves half a file.
      await writeFile(`${file}.tmp`, markdown);
      await rename(`${file}.tmp`, file);
      return { markdown, location: file };
    },
  };
}
