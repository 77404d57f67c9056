// The status page's whole picture at one instant, shared by the HTML page and the JSON endpoints.
import type { LifelineConfig } from '../config/schema';
import {
  componentStatuses,
  isInMaintenance,
  pageIndicator,
  toPublicIncident,
  type MaintenanceWindow,
  type PublicComponent,
  type PublicIncident,
} from '../domain/public-status';
import { componentsFromConfig, maintenanceFromConfig, pageName } from './components';
import type { ComponentDates } from './component-dates';
import type { IncidentSource } from './source';
import { uptimeHistory, type ComponentUptime } from '../domain/uptime';

export interface StatusSnapshot {
  generatedAt: string;
  page: { name: string; title: string; url: string; accentColor: string };
  status: ReturnType<typeof pageIndicator>;
  components: (PublicComponent & { createdAt: string; updatedAt: string })[];
  unresolved: PublicIncident[];
  incidents: PublicIncident[];
  maintenance: (MaintenanceWindow & { status: 'scheduled' | 'in_progress' | 'completed' })[];
  /** Email sign-up is offered only when lifeline can send mail (an `smtp` section). */
  subscriptions: boolean;
  historyDays: number;
  /** Per component, one bar per day of the last `historyDays` (worst status, that day's incidents). */
  uptime: ComponentUptime[];
}

export async function statusSnapshot(
  config: LifelineConfig,
  source: IncidentSource,
  now = new Date(),
  opts: { dates?: ComponentDates } = {},
): Promise<StatusSnapshot> {
  const at = now.toISOString();
  const defs = componentsFromConfig(config);
  const states = await source.incidents();
  const incidents = states.map((s) => toPublicIncident(s, defs));
  const maintenance = maintenanceFromConfig(config).map((w) => ({
    ...w,
    status: isInMaintenance(w, at)
      ? ('in_progress' as const)
      : w.end <= at
        ? ('completed' as const)
        : ('scheduled' as const),
  }));
  const created = opts.dates
    ? await opts.dates.since(
        defs.map((d) => d.id),
        at,
      )
    : {};
  const components = componentStatuses(
    defs,
    states.filter((s) => s.status === 'open'),
    maintenance,
    at,
  ).map((c) => {
    const createdAt = created[c.id] ?? at;
    // Last change of the component: the newest public update of an incident that touched it.
    const touched = incidents.filter((i) => i.components.includes(c.id)).map((i) => i.updatedAt);
    const updatedAt = [createdAt, ...touched].reduce((a, b) => (b > a ? b : a));
    return { ...c, createdAt, updatedAt };
  });
  const unresolved = incidents.filter((i) => i.status !== 'resolved');
  const name = pageName(config);
  const uptime = uptimeHistory(defs, states, at, {
    days: config.statusPage.historyDays,
    since: Object.fromEntries(components.map((c) => [c.id, c.createdAt])),
  });
  return {
    generatedAt: at,
    page: { name, title: name, url: config.server.publicUrl ?? '', accentColor: config.statusPage.accentColor },
    status: pageIndicator(components, unresolved),
    components,
    unresolved,
    incidents,
    maintenance,
    subscriptions: !!config.smtp && config.statusPage.subscriptions,
    historyDays: config.statusPage.historyDays,
    uptime,
  };
}
