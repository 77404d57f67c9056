// Renders the report model as Markdown or HTML with the Handlebars templates in templates/ (users may
// point templatesDir at their own copies). JSON is the model itself.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Handlebars from 'handlebars';
import type { ReportModel } from '../domain/report';

export const BUNDLED_TEMPLATES_DIR = resolve(__dirname, '..', 'templates').replace(/[\\/]dist[\\/]templates$/, '/templates');

export type ReportFormat = 'md' | 'html';

// An isolated instance so our helpers never leak into other templates.
const hbs = Handlebars.create();
// A Markdown table cell: a "|" or a newline in free text (notes, resolutions) would break the row.
hbs.registerHelper('cell', (v: unknown) => String(v ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' '));

const compiled = new Map<string, { source: string; fn: Handlebars.TemplateDelegate }>();

async function template(dir: string, format: ReportFormat): Promise<Handlebars.TemplateDelegate> {
  const file = join(dir, format === 'md' ? 'postmortem.md.hbs' : 'postmortem.html.hbs');
  const source = await readFile(file, 'utf8');
  const cached = compiled.get(file);
  if (cached && cached.source === source) return cached.fn;
  // Markdown is not HTML: no entity escaping there ("→" and quotes stay readable). HTML keeps
  // Handlebars' default escaping, so alert summaries and notes cannot inject markup.
  const fn = hbs.compile(source, { noEscape: format === 'md', strict: false });
  compiled.set(file, { source, fn });
  return fn;
}

export async function renderReport(model: ReportModel, format: ReportFormat, templatesDir = BUNDLED_TEMPLATES_DIR): Promise<string> {
  const out = (await template(templatesDir, format))(model);
  return format === 'md' ? out.replace(/\n{3,}/g, '\n\n') : out;
}
