// Server-rendered status page (Handlebars, HTML-escaped by default), from templates/status-page.html.hbs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { ComponentStatus } from '../domain/public-status';
import type { StatusSnapshot } from './model';
import { bundledTemplatesDir } from './templates-dir';

const LABEL: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

const fmt = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export function renderStatusPage(s: StatusSnapshot, templatesDir = bundledTemplatesDir()): string {
  const hbs = Handlebars.create();
  hbs.registerHelper('when', (iso: string) => fmt(iso));
  hbs.registerHelper('label', (status: ComponentStatus) => LABEL[status] ?? status);
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const template = hbs.compile(readFileSync(join(templatesDir, 'status-page.html.hbs'), 'utf8'), { strict: false });
  const days = new Map<string, StatusSnapshot['incidents']>();
  for (const i of s.incidents.filter((x) => x.status === 'resolved')) {
    const day = i.startedAt.slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), i]);
  }
  return template({
    ...s,
    history: [...days.entries()].map(([day, incidents]) => ({ day, incidents })),
    upcoming: s.maintenance.filter((m) => m.status !== 'completed'),
  });
}
