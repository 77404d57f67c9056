// Customer communications: each new public update of an incident goes to the status page's confirmed
// subscribers by email. Idempotent per update and subscriber (deterministic Message-ID).
import { componentsFromConfig } from '../status/components';
import { createStatusMailer, type StatusMailer } from '../status/mailer';
import { SubscriberStore } from '../status/subscribers';
import { IMPACT_BY_SEVERITY, type PublicIncident } from '../domain/status';
import type { ActivityDeps } from './deps';
import type { StatusUpdateRequest } from './types';

export function createStatusActivities(deps: ActivityDeps) {
  let mailer: StatusMailer | null | undefined;
  return {
    async publishStatusUpdate(req: StatusUpdateRequest): Promise<{ sent: number }> {
      mailer ??= createStatusMailer(deps.config, deps.env);
      if (!mailer) return { sent: 0 }; // no smtp section: nobody can have subscribed
      const components = componentsFromConfig(deps.config).filter((c) => c.providers.includes(req.provider)).map((c) => c.id);
      const incident: PublicIncident = {
        id: req.incidentId, name: req.title, status: req.update.status, impact: IMPACT_BY_SEVERITY[req.severity], startedAt: req.startedAt,
        updatedAt: req.update.at, monitoringAt: null, resolvedAt: req.update.status === 'resolved' ? req.update.at : null, components, updates: [req.update],
      };
      return mailer.sendIncidentUpdate(incident, req.update, SubscriberStore.forConfig(deps.config, deps.env));
    },
  };
}
