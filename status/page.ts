// Server-rendered status page (HTML-escaped), from templates/status-page.html.hbs through render/.
import { join } from 'node:path';
import { BUNDLED_TEMPLATES_DIR } from '../render/bundled';
import { compileFile } from '../render/engine';
import type { StatusSnapshot } from './model';

export function renderStatusPage(s: StatusSnapshot, templatesDir = BUNDLED_TEMPLATES_DIR): string {
  const template = compileFile(join(templatesDir, 'status-page.html.hbs'), true);
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
