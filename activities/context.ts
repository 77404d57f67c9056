// Reads the slice of config an incident needs. Runs as an activity so the workflow sees config as
// recorded data (replay-safe), and so config changes apply to new incidents without redeploying code.
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import type { IncidentContext } from './types';
import { isInMaintenance } from '../domain/status';
import { maintenanceFromConfig } from '../status/components';

function activeMaintenance(deps: ActivityDeps, components: string[]): IncidentContext['maintenance'] {
  const now = new Date().toISOString();
  const w = maintenanceFromConfig(deps.config).find((m) => isInMaintenance(m, now) && m.components.some((c) => components.includes(c)));
  return w ? { id: w.id, title: w.title } : null;
}
import { deliveryTargets } from './channels';

export function createContextActivities(deps: ActivityDeps) {
  return {
    async getIncidentContext(provider: string): Promise<IncidentContext> {
      const p = providerConfig(deps, provider); // unknown providers fail loudly
      const { config } = deps;
      const chains = config.chains.filter((c) => c.providers.includes(provider)).map((c) => c.id);
      const services = config.services
        .filter((s) => s.chains.some((c) => chains.includes(c)))
        .map((s) => ({ id: s.id, users: s.users }));
      return {
        services,
        chains,
        impactRules: config.impact,
        escalationLevels: config.escalation.levels,
        ackTimeoutMs: config.escalation.ackTimeoutMs,
        maxRepeats: config.escalation.maxRepeats,
        statusUpdateMs: config.statusUpdates,
        maintenance: activeMaintenance(deps, [provider, ...services.map((s) => s.id)]),
        channels: deliveryTargets(config),
        alertRouting: { routes: config.notifications.routing, fallback: config.notifications.default },
        serviceCatalog: config.services.map((s) => ({ id: s.id, users: s.users })),
        deliveryRetry: config.notifications.retry,
        recovery: {
          capabilities: { backupKey: !!p.backupApiKeyEnv, backupEndpoint: !!p.backupBaseUrl, cheaperModel: !!p.cheaperModel },
          shiftStepMs: config.recovery.shiftStepMs,
          failbackHealthyForMs: config.recovery.failbackHealthyForMs,
          failbackCheckEveryMs: config.recovery.failbackCheckEveryMs,
        },
      };
    },
  };
}
