// The one Handlebars set-up for every template (notifications, postmortem, status page, status email):
// one isolated instance with all helpers, strict mode everywhere (a missing variable throws instead of
// printing a blank), and each file compiled once — recompiled only when the file itself changes, so an
// operator editing an override in `templatesDir` sees it without a restart.
import { readFileSync, statSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { ComponentStatus } from '../domain/public-status';

const hb = Handlebars.create();

// Notification templates.
hb.registerHelper('json', (v: unknown) => JSON.stringify(v ?? null));
hb.registerHelper('join', (v: unknown, sep: unknown) =>
  Array.isArray(v) ? v.join(typeof sep === 'string' ? sep : ', ') : '',
);
hb.registerHelper('concat', (...args: unknown[]) =>
  args
    .slice(0, -1)
    .map((a) => (a === null || a === undefined ? '' : String(a)))
    .join(''),
);

// Postmortem: a Markdown table cell — a "|" or a newline in free text (notes, resolutions) would break the row.
hb.registerHelper('cell', (v: unknown) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' '),
);
// Words for the timeline's machine names: "traffic_shifted" reads "traffic moved".
const EVENT_NAMES: Record<string, string> = {
  phase: 'phase',
  severity: 'severity',
  paged: 'paged',
  acknowledged: 'acknowledged',
  escalated: 'escalated',
  diagnosed: 'diagnosed',
  recovery_plan: 'recovery plan',
  recovery_step: 'recovery step',
  recovery_check: 'recovery check',
  recovery_succeeded: 'recovered by a step',
  traffic_shifted: 'traffic moved',
  traffic_restored: 'traffic restored',
  failback_stopped: 'failback stopped',
  failover_skipped: 'failover skipped',
  failover_held: 'failover held',
  shift_failed: 'shift failed',
  shift_busy: 'shift not applied',
  recovered: 'provider healthy',
  resolve_requested: 'resolve requested',
  note: 'note',
  public_update: 'public update',
  paging_suppressed: 'paging suppressed',
  escalation_exhausted: 'escalation exhausted',
  notification_failed: 'notification failed',
  status_publish_failed: 'status email failed',
  impact: 'impact',
  archive_failed: 'archive failed',
};
const PHASE_NAMES: Record<string, string> = { recovering: 'mitigating', restoring: 'restoring traffic', open: 'open' };
hb.registerHelper('eventName', (t: unknown) => EVENT_NAMES[String(t)] ?? String(t ?? '').replace(/_/g, ' '));
hb.registerHelper('phaseName', (p: unknown) => PHASE_NAMES[String(p)] ?? String(p ?? ''));

// Status page (helper names must not shadow model fields: a helper wins over a field of the same name).
export const STATUS_LABELS: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};
hb.registerHelper('when', (iso: unknown) =>
  typeof iso === 'string' ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '',
);
hb.registerHelper('statusLabel', (status: unknown) => STATUS_LABELS[status as ComponentStatus] ?? String(status ?? ''));
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);

/** Helper names, for the variable check of user templates (render/template-check.ts). */
export const HELPERS = ['json', 'join', 'concat', 'cell', 'eventName', 'phaseName', 'when', 'statusLabel', 'eq'];

export type Template = Handlebars.TemplateDelegate;

const compiled = new Map<string, { mtimeMs: number; size: number; fn: Template; source: string }>();

function load(file: string, escape: boolean) {
  const key = `${escape ? 'html' : 'text'}:${file}`;
  const st = statSync(file);
  const hit = compiled.get(key);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  const source = readFileSync(file, 'utf8');
  // HTML is escaped; subjects, plain text, Markdown and JSON (which escapes through the json helper) are not.
  const entry = {
    mtimeMs: st.mtimeMs,
    size: st.size,
    source,
    fn: hb.compile(source, { strict: true, noEscape: !escape }),
  };
  compiled.set(key, entry);
  return entry;
}

/** The compiled template in `file` (HTML-escaping when `escape`), compiled once per version of the file. */
export function compileFile(file: string, escape: boolean): Template {
  return load(file, escape).fn;
}

/** The parsed template, for checks that walk it (unknown variables, unconditional variables). */
export function parseFile(file: string): ReturnType<typeof hb.parse> {
  return hb.parse(load(file, false).source);
}

/** Renders `file` with `data`; `escape` for HTML output. */
export function renderFile(file: string, data: unknown, escape: boolean): string {
  return compileFile(file, escape)(data);
}

export { hb as handlebars };
