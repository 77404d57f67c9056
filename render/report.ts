// Renders the report model as Markdown or HTML with the postmortem templates (users may point
// templatesDir at their own copies). JSON is the model itself.
import { join } from 'node:path';
import type { ReportModel } from '../domain/report';
import { renderTimelineSvg } from '../domain/timeline-svg';
import { BUNDLED_TEMPLATES_DIR } from './bundled';
import { renderFile } from './engine';

export type ReportFormat = 'md' | 'html';

export async function renderReport(
  model: ReportModel,
  format: ReportFormat,
  templatesDir = BUNDLED_TEMPLATES_DIR,
): Promise<string> {
  // Markdown is not HTML: no entity escaping there ("→" and quotes stay readable). HTML keeps
  // Handlebars' escaping, so alert summaries and notes cannot inject markup.
  // HTML gets the timeline chart inline (`{{{timelineSvg}}}`: already escaped SVG, drawn from the model).
  const data = format === 'html' && model.chart ? { ...model, timelineSvg: renderTimelineSvg(model.chart) } : model;
  const out = renderFile(
    join(templatesDir, format === 'md' ? 'postmortem.md.hbs' : 'postmortem.html.hbs'),
    data,
    format === 'html',
  );
  return format === 'md' ? out.replace(/\n{3,}/g, '\n\n') : out;
}
