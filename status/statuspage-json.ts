// Atlassian Statuspage v2 shapes (summary, status, components, incidents, scheduled maintenances) with
// Statuspage's field names, so existing consumers and pollers read lifeline's page unchanged.
import type { PublicIncident } from '../domain/public-status';
import type { StatusSnapshot } from './model';

const PAGE_ID = 'lifeline';

export function pageJson(s: StatusSnapshot) {
  return { id: PAGE_ID, name: s.page.name, url: s.page.url, time_zone: 'Etc/UTC', updated_at: s.generatedAt };
}

export function componentJson(c: StatusSnapshot['components'][number]) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    position: c.position,
    description: c.kind === 'provider' ? `AI provider ${c.name}` : c.name,
    showcase: true,
    start_date: null,
    group_id: null,
    page_id: PAGE_ID,
    group: false,
    only_show_if_degraded: false,
  };
}

export function incidentJson(i: PublicIncident, s: StatusSnapshot) {
  const components = s.components.filter((c) => i.components.includes(c.id)).map((c) => componentJson(c));
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: i.startedAt,
    updated_at: i.updatedAt,
    monitoring_at: i.monitoringAt,
    resolved_at: i.resolvedAt,
    impact: i.impact,
    shortlink: s.page.url ? `${s.page.url.replace(/\/$/, '')}/status#${i.id}` : '',
    started_at: i.startedAt,
    page_id: PAGE_ID,
    incident_updates: i.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: i.id,
      created_at: u.at,
      updated_at: u.at,
      display_at: u.at,
      affected_components: components.map((c) => ({
        code: c.id,
        name: c.name,
        old_status: 'operational',
        new_status: c.status,
      })),
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components,
  };
}

export function maintenanceJson(m: StatusSnapshot['maintenance'][number], s: StatusSnapshot) {
  const status = m.status === 'in_progress' ? 'in_progress' : m.status === 'completed' ? 'completed' : 'scheduled';
  return {
    id: m.id,
    name: m.title,
    status,
    created_at: m.start,
    updated_at: s.generatedAt,
    monitoring_at: null,
    resolved_at: m.status === 'completed' ? m.end : null,
    impact: 'maintenance',
    shortlink: '',
    started_at: m.start,
    page_id: PAGE_ID,
    scheduled_for: m.start,
    scheduled_until: m.end,
    incident_updates: [
      {
        id: `${m.id}-1`,
        status,
        body: m.description ?? m.title,
        incident_id: m.id,
        created_at: m.start,
        updated_at: m.start,
        display_at: m.start,
      },
    ],
    components: s.components.filter((c) => m.components.includes(c.id)).map((c) => componentJson(c)),
  };
}

export const statusJson = (s: StatusSnapshot) => ({ page: pageJson(s), status: s.status });
export const componentsJson = (s: StatusSnapshot) => ({
  page: pageJson(s),
  components: s.components.map((c) => componentJson(c)),
});
export const incidentsJson = (s: StatusSnapshot, onlyUnresolved = false) => ({
  page: pageJson(s),
  incidents: (onlyUnresolved ? s.unresolved : s.incidents).map((i) => incidentJson(i, s)),
});
export const maintenancesJson = (s: StatusSnapshot) => ({
  page: pageJson(s),
  scheduled_maintenances: s.maintenance.map((m) => maintenanceJson(m, s)),
});
export const summaryJson = (s: StatusSnapshot) => ({
  page: pageJson(s),
  components: s.components.map((c) => componentJson(c)),
  incidents: s.unresolved.map((i) => incidentJson(i, s)),
  scheduled_maintenances: s.maintenance.filter((m) => m.status !== 'completed').map((m) => maintenanceJson(m, s)),
  status: s.status,
});
