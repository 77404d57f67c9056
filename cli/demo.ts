// `lifeline demo`: a whole outage, start to postmortem, against a simulated provider.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { LifelineConfig } from '../config/schema';
import type { IncidentState } from '../domain/incident';
import { findIncident } from '../client/incidents';
import { getRoute } from '../client/routes';
import { acknowledgeUpdate, incidentStateQuery, incidentWorkflowId } from '../workflows/messages';
import { startServices } from './runtime';

export async function runDemo(base: LifelineConfig, logger: Logger, out: (line: string) => void): Promise<void> {
  // A private data dir and free ports, so the demo never collides with a running `lifeline up`.
  const config: LifelineConfig = {
    ...base,
    dataDir: mkdtempSync(join(tmpdir(), 'lifeline-demo-')),
    server: { ...base.server, port: 0 },
    temporal: { ...base.temporal, address: 'embedded', port: 0, uiPort: false },
  };
  const services = await startServices({ config, logger, worker: true, api: true, progress: (l) => out(`  · ${l}`) });
  try {
    const sim = services.endpoints.simulator;
    const target = config.providers.find(
      (p) => p.baseUrl.startsWith('sim:') && config.chains.some((c) => (c.weights[p.id] ?? 0) > 0),
    );
    if (!sim || !target)
      throw new Error('the demo needs a simulated provider (baseUrl sim:<name>) that carries traffic in a chain');
    const simName = target.baseUrl.slice(4);
    const chain = config.chains.find((c) => (c.weights[target.id] ?? 0) > 0)!;
    out(`\nroute ${chain.id} before: ${JSON.stringify((await getRoute(services.client, chain.id)).weights)}`);
    out(`\n▶ injecting an outage into ${target.id} (HTTP 503 on every call)`);
    sim.setFault(simName, { mode: 'outage' });

    let seen = 0;
    let handleId: string | undefined;
    let acked = false;
    let restored = false;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('demo timed out waiting for the incident to finish');
      const h = await findCurrentIncident(services.client, target.id, handleId);
      if (h) {
        handleId = h.id;
        const state = (await h.handle.query(incidentStateQuery)) as IncidentState;
        for (const e of state.timeline.slice(seen)) out(`  ${e.at.slice(11, 23)}  [${e.phase}] ${e.message}`);
        seen = state.timeline.length;
        if (!acked && state.phase !== 'detected' && state.phase !== 'assessing' && state.escalationLevel) {
          acked = true;
          await h.handle.executeUpdate(acknowledgeUpdate, { args: [{ by: 'demo on-call' }] });
        }
        if (!restored && state.phase === 'monitoring') {
          out(
            `\nroute ${chain.id} during the incident: ${JSON.stringify((await getRoute(services.client, chain.id)).weights)}`,
          );
          out(`\n▶ restoring ${target.id}`);
          sim.setFault(simName, { mode: 'healthy' });
          restored = true;
        }
        if (state.phase === 'resolved' && state.report) {
          out(`\nroute ${chain.id} after: ${JSON.stringify((await getRoute(services.client, chain.id)).weights)}`);
          out('\n' + state.report);
          return;
        }
      }
      await delay(200);
    }
  } finally {
    await services.stop();
  }
}

async function findCurrentIncident(client: Parameters<typeof findIncident>[0], provider: string, knownId?: string) {
  if (knownId) {
    const handle = await findIncident(client, knownId);
    return handle ? { id: knownId, handle } : null;
  }
  try {
    const handle = client.workflow.getHandle(incidentWorkflowId(provider));
    const state = (await handle.query(incidentStateQuery)) as IncidentState;
    return { id: state.id, handle };
  } catch {
    return null; // not opened yet
  }
}
