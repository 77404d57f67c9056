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
} from '../domain/status';
import { componentsFromConfig, maintenanceFromConfig } from './components';
import type { IncidentSource } from './source';

export interface StatusSnapshot {
  generatedAt: string;
  page: { name: string; title: string; url: string; accentColor: string };
  status: ReturnType<typeof pageIndicator>;
  components: PublicComponent[];
  unresolved: PublicIncident[];
  incidents: PublicIncident[];
  maintenance: (MaintenanceWindow & { status: 'scheduled' | 'in_progress' | 'completed' })[];
}

export async function statusSnapshot(config: LifelineConfig, source: IncidentSource, now = new Date()): Promise<StatusSnapshot> {
  const at = now.toISOString();
  const defs = componentsFromConfig(config);
  const states = await source.incidents();
  const incidents = states.map((s) => toPublicIncident(s, defs));
  const maintenance = maintenanceFromConfig(config).map((w) => ({
    ...w,
    status: isInMaintenance(w, at) ? ('in_progress' as const) : w.end <= at ? ('completed' as const) : ('scheduled' as const),
  }));
  const components = componentStatuses(defs, states.filter((s) => s.status === 'open'), maintenance, at);
  const unresolved = incidents.filter((i) => i.status !== 'resolved');
  return {
    generatedAt: at,
    page: { name: config.statusPage.name, title: config.statusPage.title, url: config.server.publicUrl ?? '', accentColor: config.statusPage.accentColor },
    status: pageIndicator(components, unresolved),
    components,
    unresolved,
    incidents,
    maintenance,
  };
}
