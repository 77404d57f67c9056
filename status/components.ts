// Status-page components from config: every provider, then every service (with the providers its
// chains use), named by statusPage.componentNames.
import type { LifelineConfig } from '../config/schema';
import type { ComponentDef, MaintenanceWindow } from '../domain/status';

export function componentsFromConfig(config: LifelineConfig): ComponentDef[] {
  const name = (id: string) => config.statusPage.componentNames[id] ?? id;
  const providers: ComponentDef[] = config.providers.map((p) => ({ id: p.id, name: name(p.id), kind: 'provider', providers: [p.id] }));
  const services: ComponentDef[] = config.services.map((s) => ({
    id: s.id,
    name: name(s.id),
    kind: 'service',
    providers: [...new Set(config.chains.filter((c) => s.chains.includes(c.id)).flatMap((c) => c.providers))],
  }));
  return [...services, ...providers];
}

export function maintenanceFromConfig(config: LifelineConfig): MaintenanceWindow[] {
  return config.statusPage.maintenance.map((m) => ({ ...m, start: new Date(m.start).toISOString(), end: new Date(m.end).toISOString() }));
}
