// Renders the report model as Markdown or HTML with the Handlebars templates in templates/ (users may
// point templatesDir at their own copies). JSON is the model itself.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Handlebars from 'handlebars';
import type { ReportModel } from '../domain/report';
import { renderTimelineSvg } from '../domain/timeline-svg';

export const BUNDLED_TEMPLATES_DIR = resolve(__dirname, '..', 'templates').replace(/[\\/]dist[\\/]templates$/, '/templates');

export type ReportFormat = 'md' | 'html';

// An isolated instance so our helpers never leak into other templates.
const hbs = Handlebars.create();
// A Markdown table cell: a "|" or a newline in free text (notes, resolutions) would break the row.
hbs.registerHelper('cell', (v: unknown) => String(v ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' '));

// Words for the timeline's machine names: "traffic_shifted" reads "traffic moved".
const EVENT_NAMES: Record<string, string> = {
  phase: 'phase', severity: 'severity', paged: 'paged', acknowledged: 'acknowledged', escalated: 'escalated', diagnosed: 'diagnosed',
  recovery_plan: 'recovery plan', recovery_step: 'recovery step', recovery_check: 'recovery check', recovery_succeeded: 'recovered by a step',
  traffic_shifted: 'traffic moved', traffic_restored: 'traffic restored', failback_stopped: 'failback stopped', failover_skipped: 'failover skipped',
  failover_held: 'failover held', shift_failed: 'shift failed', shift_busy: 'shift not applied', recovered: 'provider healthy',
  resolve_requested: 'resolve requested', note: 'note', public_update: 'public update', paging_suppressed: 'paging suppressed',
  escalation_exhausted: 'escalation exhausted', notification_failed: 'notification failed', status_publish_failed: 'status email failed',
  impact: 'impact', archive_failed: 'archive failed',
};
const PHASE_NAMES: Record<string, string> = { recovering: 'mitigating', restoring: 'restoring traffic', open: 'open' };
hbs.registerHelper('eventName', (t: unknown) => EVENT_NAMES[String(t)] ?? String(t ?? '').replace(/_/g, ' '));
hbs.registerHelper('phaseName', (p: unknown) => PHASE_NAMES[String(p)] ?? String(p ?? ''));

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
  // HTML gets the timeline chart inline (`{{{timelineSvg}}}`: already escaped SVG, drawn from the model).
  const out = (await template(templatesDir, format))(format === 'html' && model.chart ? { ...model, timelineSvg: renderTimelineSvg(model.chart) } : model);
  return format === 'md' ? out.replace(/\n{3,}/g, '\n\n') : out;
}
