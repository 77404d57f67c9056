// The public status page and its Statuspage v2-compatible JSON. No auth: this is what customers and
// their monitors read.
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { statusSnapshot } from '../status/model';
import { renderStatusPage } from '../status/page';
import { temporalIncidentSource, type IncidentSource } from '../status/source';
import { fileComponentDates } from '../status/component-dates';
import { archiveStoreFromConfig } from '../client/archive-store';
import { componentsJson, incidentsJson, maintenancesJson, statusJson, summaryJson } from '../status/statuspage-json';

export function registerStatusRoutes(
  app: FastifyInstance,
  deps: { client: Client; config: LifelineConfig; source?: IncidentSource },
): void {
  const source =
    deps.source ??
    temporalIncidentSource(deps.client, deps.config, () => new Date(), archiveStoreFromConfig(deps.config));
  const dates = fileComponentDates(deps.config.dataDir);
  const snapshot = () => statusSnapshot(deps.config, source, new Date(), { dates });
  const hidden = { schema: { hide: true } };
  // The root points somewhere useful: browsers to the status page, API clients to a map of the API.
  app.get('/', hidden, async (req, reply) => {
    if ((req.headers.accept ?? '').includes('text/html')) return reply.redirect('/status', 302);
    return {
      name: 'lifeline',
      links: {
        status: '/status',
        statusJson: '/api/v2/summary.json',
        health: '/health/ready',
        openapi: '/openapi.json',
        incidents: '/v1/incidents',
        routes: '/v1/routes',
      },
    };
  });
  app.get('/status', hidden, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(renderStatusPage(await snapshot())),
  );
  app.get('/api/v2/summary.json', hidden, async () => summaryJson(await snapshot()));
  app.get('/api/v2/status.json', hidden, async () => statusJson(await snapshot()));
  app.get('/api/v2/components.json', hidden, async () => componentsJson(await snapshot()));
  app.get('/api/v2/incidents.json', hidden, async () => incidentsJson(await snapshot()));
  app.get('/api/v2/incidents/unresolved.json', hidden, async () => incidentsJson(await snapshot(), true));
  app.get('/api/v2/scheduled-maintenances.json', hidden, async () => maintenancesJson(await snapshot()));
}
