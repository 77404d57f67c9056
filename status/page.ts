// Server-rendered status page (HTML-escaped), from templates/status-page.html.hbs through render/.
import { join } from 'node:path';
import type { ComponentStatus } from '../domain/public-status';
import type { UptimeDay } from '../domain/uptime';
import { BUNDLED_TEMPLATES_DIR } from '../render/bundled';
import { compileFile, STATUS_LABELS as LABEL } from '../render/engine';
import type { StatusSnapshot } from './model';

/** Bar geometry of the uptime history (an inline SVG per component: no script, no external file). */
const BAR_W = 3;
const BAR_GAP = 2;
const BAR_H = 30;

/** What a bar says on hover: the day, its worst status and the incidents that touched it. */
function barTitle(d: UptimeDay): string {
  if (d.status === 'no_data') return `${d.date}: no data`;
  if (!d.incidents.length) return `${d.date}: no incidents`;
  return `${d.date}: ${LABEL[d.status as ComponentStatus]} — ${d.incidents.map((i) => `${i.name} (${i.impact})`).join('; ')}`;
}

function uptimeView(s: StatusSnapshot) {
  return new Map(
    s.uptime.map((u) => [
      u.id,
      {
        width: u.days.length * (BAR_W + BAR_GAP) - BAR_GAP,
        height: BAR_H,
        days: u.days.length,
        percent: u.uptimePercent === null ? null : `${u.uptimePercent.toFixed(2)} % uptime`,
        bars: u.days.map((d, i) => ({
          x: i * (BAR_W + BAR_GAP),
          w: BAR_W,
          status: d.status,
          date: d.date,
          title: barTitle(d),
        })),
      },
    ]),
  );
}

export function renderStatusPage(s: StatusSnapshot, templatesDir = BUNDLED_TEMPLATES_DIR): string {
  const template = compileFile(join(templatesDir, 'status-page.html.hbs'), true);
  const days = new Map<string, StatusSnapshot['incidents']>();
  for (const i of s.incidents.filter((x) => x.status === 'resolved')) {
    const day = i.startedAt.slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), i]);
  }
  const uptime = uptimeView(s);
  return template({
    ...s,
    components: s.components.map((c) => ({ ...c, uptime: uptime.get(c.id) })),
    history: [...days.entries()].map(([day, incidents]) => ({ day, incidents })),
    upcoming: s.maintenance.filter((m) => m.status !== 'completed'),
  });
}
