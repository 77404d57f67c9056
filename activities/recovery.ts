// Recovery steps before failover. lifeline does not carry the application's traffic, so
// "use the backup key", "throttle", "use a cheaper model" and "enable caching" are published as hints
// on the route of every chain that uses the provider; the check after a step asks whether the provider
// works when used that way (e.g. with the backup key, or at the backup endpoint).
import { getRoute } from '../client/routes';
import { routingWorkflowId, setHintsUpdate } from '../workflows/messages';
import type { RecoveryAction } from '../domain/recovery';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import { probeHealth } from './shift';
import type { HealthCheck, RecoveryStepRequest } from './types';

const HINTED: RecoveryAction[] = [
  'use_backup_key',
  'throttle',
  'use_backup_endpoint',
  'use_cheaper_model',
  'enable_caching',
];

export function createRecoveryActivities(deps: ActivityDeps) {
  async function setHints(chain: string, provider: string, hints: RecoveryAction[], reason: string, updateId: string) {
    await deps.client.workflow
      .getHandle(routingWorkflowId(chain))
      .executeUpdate(setHintsUpdate, { args: [{ provider, hints, reason, by: 'lifeline' }], updateId });
  }

  return {
    /** Publishes the step's signal (route hints); returns what was done. */
    async applyRecoveryStep({
      provider,
      action,
      chains,
      incidentId,
    }: RecoveryStepRequest): Promise<{ applied: boolean; detail: string }> {
      if (!HINTED.includes(action)) return { applied: true, detail: `${action}: nothing to publish` };
      for (const chain of chains) {
        const route = await getRoute(deps.client, chain);
        const current = route.hints?.[provider] ?? [];
        if (current.includes(action)) continue;
        await setHints(
          chain,
          provider,
          [...current, action],
          `incident ${incidentId}: ${action}`,
          `${incidentId}:hint:${chain}:${action}`,
        );
      }
      const extra = action === 'use_cheaper_model' ? ` (${providerConfig(deps, provider).cheaperModel})` : '';
      return { applied: true, detail: `hint ${action}${extra} published on ${chains.join(', ') || 'no chain'}` };
    },

    /** Is the provider healthy when used the way the step suggests (e.g. with the backup key)? */
    async checkRecovery({ provider, action }: { provider: string; action: RecoveryAction }): Promise<HealthCheck> {
      const p = providerConfig(deps, provider);
      if (action === 'use_backup_key') return probeHealth(deps, provider, { useBackupKey: true });
      if (action === 'use_backup_endpoint' && p.backupBaseUrl)
        return probeHealth(deps, provider, { baseUrl: p.backupBaseUrl });
      return probeHealth(deps, provider);
    },

    async clearRecoveryHints({
      provider,
      chains,
      incidentId,
    }: {
      provider: string;
      chains: string[];
      incidentId: string;
    }): Promise<void> {
      for (const chain of chains) {
        const route = await getRoute(deps.client, chain);
        if (route.hints?.[provider]?.length)
          await setHints(
            chain,
            provider,
            [],
            `incident ${incidentId}: ${provider} recovered`,
            `${incidentId}:hint:${chain}:clear`,
          );
      }
    },
  };
}
