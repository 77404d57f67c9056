// The SLO entity's two ways of opening an incident: an error budget burning (multi-window burn alert) and
// a quota forecast to run out. Both are warnings (SEV4, alert severity `warning`) opened like a declared
// incident, so when diagnostics find the provider healthy the incident holds traffic where it is and lists
// what to do instead of failing over; one already open for the provider takes the alert instead.
import { recordAlertsForScope } from '../client/incidents';
import type { BurnAlertName } from '../domain/slo';
import { formatWindow } from '../domain/slo';
import { minutesUntil, quotaHints, type QuotaForecast, type QuotaKind } from '../domain/quota-forecast';
import type { SloStatus } from '../workflows/messages';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function createSloActivities(deps: ActivityDeps) {
  const open = async (
    scope: string,
    provider: string,
    title: string,
    kind: 'slo_burn' | 'quota',
    details: Record<string, unknown>,
  ) => {
    const r = await recordAlertsForScope(
      deps.client,
      deps.config.temporal.taskQueue,
      scope,
      [
        {
          provider,
          kind,
          summary: title,
          source: 'lifeline-slo',
          severity: 'warning',
          details,
          observedAt: new Date().toISOString(),
        },
      ],
      { title, severity: 'SEV4', declaredBy: 'lifeline-slo' },
    );
    deps.logger.info({ provider, incidentId: r.incidentId, kind }, title);
    return { incidentId: r.incidentId };
  };
  return {
    async openSloBurnIncident({ status, alert }: { status: SloStatus; alert: BurnAlertName }) {
      // A service's objective opens its own incident (scope slo-<id>), diagnosed against its first provider.
      const provider = status.provider ?? firstProviderOf(deps, status.service!);
      const scope = status.provider ?? `slo-${status.id}`;
      const rate = alert === 'fast' ? status.burnRates['1h'] : status.burnRates['6h'];
      const title = `SLO ${status.id} burning its error budget ${rate.toFixed(1)}× (${alert} burn; ${pct(Math.max(0, status.budgetRemaining))} of the ${formatWindow(status.windowMs)} budget left)`;
      return open(scope, provider, title, 'slo_burn', {
        slo: status.id,
        alert,
        burnRates: status.burnRates,
        budgetRemaining: status.budgetRemaining,
        target: status.target,
      });
    },

    async openQuotaForecastIncident(args: {
      provider: string;
      kind: QuotaKind;
      forecast: QuotaForecast;
      now: number;
      horizonMs: number;
    }) {
      const p = providerConfig(deps, args.provider);
      const minutes = minutesUntil(args.forecast.exhaustAt!, args.now);
      const hints = quotaHints(args.kind, {
        backupKey: !!p.backupApiKeyEnv,
        backupEndpoint: !!p.backupBaseUrl,
        cheaperModel: !!p.cheaperModel,
      });
      const title = `${args.provider} ${args.kind} quota exhausted in ~${minutes} min`;
      return open(args.provider, args.provider, title, 'quota', {
        forecast: {
          remaining: args.forecast.remaining,
          perMinute: Math.round(args.forecast.perMinute),
          exhaustAt: new Date(args.forecast.exhaustAt!).toISOString(),
          resetAt: args.forecast.resetAt ? new Date(args.forecast.resetAt).toISOString() : null,
        },
        // Ready before it happens: what to do, in order (domain/recovery.ts steps).
        hints: hints.map((h) => `${h.action === 'failover' ? 'shift share' : h.action}: ${h.why}`),
      });
    },
  };
}

function firstProviderOf(deps: ActivityDeps, service: string): string {
  const chain = deps.config.services.find((s) => s.id === service)?.chains[0];
  return deps.config.chains.find((c) => c.id === chain)?.providers[0] ?? deps.config.providers[0].id;
}
