// Reads the slice of config an incident needs. Runs as an activity so the workflow sees config as
// recorded data (replay-safe), and so config changes apply to new incidents without redeploying code.
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import type { IncidentContext } from './types';
import { isInMaintenance } from '../domain/public-status';
import { maintenanceFromConfig } from '../status/components';

function activeMaintenance(deps: ActivityDeps, components: string[]): IncidentContext['maintenance'] {
  const now = new Date().toISOString();
  const w = maintenanceFromConfig(deps.config).find(
    (m) => isInMaintenance(m, now) && m.components.some((c) => components.includes(c)),
  );
  return w ? { id: w.id, title: w.title } : null;
}
import { channelCarries, deliveryTargets, threadingChannels } from '../channels';
import { servicesWithShare } from '../domain/impact';
import { getRoute } from '../client/routes';

/** The provider's weight on each chain now; the configured weight when the route cannot be read. */
async function currentShares(deps: ActivityDeps, chains: string[], provider: string): Promise<Record<string, number>> {
  const shares = await Promise.all(
    chains.map(async (id) => {
      try {
        return [id, (await getRoute(deps.client, id)).weights[provider] ?? 0] as const;
      } catch {
        return [id, deps.config.chains.find((c) => c.id === id)?.weights[provider] ?? 0] as const;
      }
    }),
  );
  return Object.fromEntries(shares);
}

export function createContextActivities(deps: ActivityDeps) {
  return {
    async getIncidentContext(provider: string): Promise<IncidentContext> {
      const p = providerConfig(deps, provider); // unknown providers fail loudly
      const { config } = deps;
      const chains = config.chains.filter((c) => c.providers.includes(provider)).map((c) => c.id);
      // Impact weighs the share of each service's traffic the provider carries now: a provider holding 0 %
      // (already failed over, or a standby) pages at the lowest level unless alerts name services.
      const shareByChain = await currentShares(deps, chains, provider);
      const services = servicesWithShare(
        config.services
          .filter((s) => s.chains.some((c) => chains.includes(c)))
          .map((s) => ({ id: s.id, users: s.users, chains: s.chains.filter((c) => chains.includes(c)) })),
        shareByChain,
      );
      return {
        services,
        chains,
        impactRules: config.impact,
        escalationLevels: config.escalation.levels,
        ackTimeoutMs: config.escalation.ackTimeoutMs,
        maxRepeats: config.escalation.maxRepeats,
        statusUpdateMs: config.statusUpdates,
        maintenance: activeMaintenance(deps, [provider, ...services.map((s) => s.id)]),
        channels: deliveryTargets(config.notifications),
        carries: channelCarries(),
        threading: threadingChannels(),
        alertRouting: { routes: config.notifications.routing, fallback: config.notifications.default },
        serviceCatalog: config.services.map((s) => ({ id: s.id, users: s.users })),
        deliveryRetry: config.notifications.retry,
        recovery: {
          capabilities: {
            backupKey: !!p.backupApiKeyEnv,
            backupEndpoint: !!p.backupBaseUrl,
            cheaperModel: !!p.cheaperModel,
          },
          shiftStepMs: config.recovery.shiftStepMs,
          failbackHealthyForMs: config.recovery.failbackHealthyForMs,
          failbackCheckEveryMs: config.recovery.failbackCheckEveryMs,
          evidence: config.recovery.evidence,
        },
      };
    },
  };
}
