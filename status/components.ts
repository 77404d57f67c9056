// Status-page components from config: every service (with the providers its chains use), then every
// provider, named by statusPage.componentNames or a readable default ("openai" → "OpenAI").
import type { LifelineConfig } from '../config/schema';
import { displayName, type ComponentDef, type MaintenanceWindow } from '../domain/public-status';

export function componentsFromConfig(config: LifelineConfig): ComponentDef[] {
  const name = (id: string) => displayName(id, config.statusPage.componentNames);
  const providers: ComponentDef[] = config.providers.map((p) => ({
    id: p.id,
    name: name(p.id),
    kind: 'provider',
    providers: [p.id],
  }));
  const services: ComponentDef[] = config.services.map((s) => ({
    id: s.id,
    name: name(s.id),
    kind: 'service',
    providers: [...new Set(config.chains.filter((c) => s.chains.includes(c.id)).flatMap((c) => c.providers))],
  }));
  return [...services, ...providers];
}

/** The status page's one name (HTML heading, JSON `page.name`, emails). */
export function pageName(config: LifelineConfig): string {
  return config.statusPage.name ?? config.statusPage.title;
}

export function maintenanceFromConfig(config: LifelineConfig): MaintenanceWindow[] {
  return config.statusPage.maintenance.map((m) => ({
    ...m,
    start: new Date(m.start).toISOString(),
    end: new Date(m.end).toISOString(),
  }));
}
