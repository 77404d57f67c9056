// Harmless stand-ins for every activity the workflows call, so a workflow test overrides only what it
// is about (and a new activity does not mean editing every test). The route stub keeps its own state.
import type { ArchiveActivities, IncidentActivities, RoutingActivities, ShiftActivities } from '../../activities/types';
import type { RouteState } from '../../workflows/messages';
import { parseConfig } from '../../config/load';
import { DEFAULT_IMPACT_RULES, DEFAULT_STATUS_UPDATE_MS } from '../../domain/impact';

/**
 * The delivery retry policy lifeline ships (config defaults of `notifications.retry`), so workflow tests
 * run deliveries under the production policy rather than the legacy one kept for old histories.
 */
export const SHIPPED_DELIVERY_RETRY = parseConfig(
  'providers: [{ id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini] }]',
).notifications.retry;

export type AllIncidentActivities = IncidentActivities & ShiftActivities & ArchiveActivities & RoutingActivities;

export function stubActivities(overrides: Partial<AllIncidentActivities> = {}): AllIncidentActivities {
  let route: RouteState = {
    id: 'chat',
    providers: ['openai', 'anthropic'],
    weights: { openai: 100 },
    mode: 'normal',
    version: 1,
    updatedAt: new Date(0).toISOString(),
  };
  return {
    getIncidentContext: async () => ({
      services: [{ id: 'support-bot', users: 12_000 }],
      chains: ['chat'],
      impactRules: DEFAULT_IMPACT_RULES,
      escalationLevels: {},
      ackTimeoutMs: 60 * 60_000,
      maxRepeats: 0,
      statusUpdateMs: DEFAULT_STATUS_UPDATE_MS,
      deliveryRetry: SHIPPED_DELIVERY_RETRY,
    }),
    notify: async () => ({ delivered: ['log'] }),
    deliverNotification: async (d) => ({ channel: d.channel, status: 'delivered' }),
    diagnoseProvider: async () => ({
      rootCause: 'provider_outage',
      checks: [{ name: 'api_probe', status: 'failed', detail: 'HTTP 503' }],
      recommendations: [],
      at: new Date().toISOString(),
    }),
    applyRecoveryStep: async ({ action }) => ({ applied: true, detail: `${action} published` }),
    checkRecovery: async () => ({ healthy: false, detail: 'HTTP 503' }),
    clearRecoveryHints: async () => undefined,
    shiftContext: async () => ({ route, configured: { openai: 100 }, unhealthy: [] }),
    applyRouteStep: async ({ request }) => {
      route = {
        ...route,
        weights: request.weights,
        mode: request.mode ?? 'normal',
        version: route.version + 1,
        updatedAt: new Date().toISOString(),
      };
      return route;
    },
    providerEvidence: async () => null,
    validateProvider: async () => ({ healthy: true, detail: 'HTTP 200' }),
    renderReport: async (s) => ({ markdown: `# Postmortem ${s.id}`, location: 'memory' }),
    publishStatusUpdate: async () => ({ sent: 0 }),
    startArchiver: async (req) => ({ archiveWorkflowId: `archive-${req.state.id}`, started: true }),
    archiveIncident: async () => ({ location: 'memory', alreadyArchived: false, events: 0 }),
    publishRoute: async () => ({ published: [] }),
    ...overrides,
  };
}
