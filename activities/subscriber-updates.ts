// Customer communications: each new public update of an incident goes to the status page's confirmed
// subscribers by email. Idempotent per update and subscriber (deterministic Message-ID). The public title
// and text are rebuilt from the incident's record with the configured display names, so a subscriber
// reads what the status page says — never the internal incident title or a note not marked public.
import { componentsFromConfig } from '../status/components';
import { createStatusMailer, type StatusMailer } from '../status/mailer';
import { SubscriberStore } from '../status/subscribers';
import {
  displayName,
  IMPACT_BY_SEVERITY,
  publicTitle,
  toPublicIncident,
  type PublicIncident,
} from '../domain/public-status';
import type { IncidentState } from '../domain/incident';
import { findIncident } from '../client/incidents';
import { incidentStateQuery } from '../workflows/messages';
import type { ActivityDeps } from './deps';
import type { StatusUpdateRequest } from './types';

export function createStatusActivities(deps: ActivityDeps) {
  let mailer: StatusMailer | null | undefined;

  async function recordOf(id: string): Promise<IncidentState | null> {
    try {
      const handle = await findIncident(deps.client, id);
      return handle ? await handle.query(incidentStateQuery) : null;
    } catch (err) {
      deps.logger.debug({ err: (err as Error).message, incident: id }, 'status email without the incident record');
      return null;
    }
  }

  return {
    /** Emails the newest public update to the status page's confirmed subscribers. */
    async publishStatusUpdate(req: StatusUpdateRequest): Promise<{ sent: number }> {
      mailer ??= createStatusMailer(deps.config, deps.env);
      if (!mailer) return { sent: 0 }; // no smtp section: nobody can have subscribed
      const defs = componentsFromConfig(deps.config);
      const components = defs.filter((c) => c.providers.includes(req.provider)).map((c) => c.id);
      const name = defs.find((c) => c.kind === 'provider' && c.id === req.provider)?.name ?? displayName(req.provider);
      const state = await recordOf(req.incidentId);
      const fromRecord = state ? toPublicIncident(state, defs) : null;
      const update = fromRecord?.updates.find((u) => u.id === req.update.id) ?? req.update;
      const incident: PublicIncident = {
        id: req.incidentId,
        name: fromRecord?.name ?? publicTitle({ alerts: { count: 0, sample: [] } }, name),
        status: update.status,
        impact: IMPACT_BY_SEVERITY[req.severity],
        startedAt: req.startedAt,
        updatedAt: update.at,
        monitoringAt: null,
        resolvedAt: update.status === 'resolved' ? update.at : null,
        components,
        updates: [update],
      };
      return mailer.sendIncidentUpdate(incident, update, SubscriberStore.forConfig(deps.config, deps.env));
    },
  };
}
