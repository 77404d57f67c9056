// Polling a provider's public status page and attaching what it says to our incident as an alert with
// source `statuspage` (corroboration). It opens an incident on its own only where the provider is
// configured with `statusPageOpensIncident: true`: status pages are updated by hand and lag failures.
import { request } from 'undici';
import { recordAlertsForScope, signalOpenIncident } from '../client/incidents';
import type { ProviderConfig } from '../config/schema';
import {
  parseGoogleIncidents,
  parseStatuspageSummary,
  statusPageAction,
  type UpstreamStatus,
} from '../domain/provider-status-page';
import type { Alert } from '../domain/incident';
import type { ActivityDeps } from './deps';

export async function fetchUpstreamStatus(p: ProviderConfig, timeoutMs = 10_000): Promise<UpstreamStatus> {
  const base = p.statusPage!.replace(/\/$/, '');
  const url =
    p.statusPageFormat === 'google'
      ? base.endsWith('.json')
        ? base
        : `${base}/incidents.json`
      : base.endsWith('.json')
        ? base
        : `${base}/api/v2/summary.json`;
  const res = await request(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.body.json().catch(() => undefined)) as unknown;
  if (res.statusCode >= 400) throw new Error(`status page ${url} answered HTTP ${res.statusCode}`);
  return p.statusPageFormat === 'google' ? parseGoogleIncidents(body) : parseStatuspageSummary(body);
}

export interface StatusPageMemory {
  fingerprint?: string;
  attached: boolean;
}

/** One poll: fetch, compare with the last poll, and tell the incident if something changed. */
export async function pollStatusPage(
  deps: ActivityDeps,
  p: ProviderConfig,
  prev: StatusPageMemory | undefined,
): Promise<StatusPageMemory | undefined> {
  const now = await fetchUpstreamStatus(p);
  const action = statusPageAction(prev, now);
  if (action === 'none') return prev ?? { fingerprint: now.fingerprint, attached: false };
  const key = `statuspage:${p.id}`;
  const alert: Alert = {
    provider: p.id,
    kind: 'outage',
    summary:
      action === 'report' ? `${p.id} status page: ${now.description} (${now.level})` : `${p.id} status page: all clear`,
    source: 'statuspage',
    severity: now.level === 'critical' ? 'critical' : now.level === 'major' ? 'error' : 'warning',
    dedupKey: key,
    action: action === 'report' ? 'trigger' : 'resolve',
    observedAt: new Date().toISOString(),
    details: {
      level: now.level,
      components: now.components.slice(0, 20),
      incidents: now.incidents.slice(0, 20),
      statusPage: p.statusPage,
    },
  };
  if (action === 'report' && p.statusPageOpensIncident) {
    await recordAlertsForScope(deps.client, deps.config.temporal.taskQueue, p.id, [alert]);
    return { fingerprint: now.fingerprint, attached: true };
  }
  const r = await signalOpenIncident(deps.client, p.id, [alert]);
  deps.logger.info(
    { provider: p.id, level: now.level, attached: !!r },
    `${p.id} status page ${action === 'report' ? now.level : 'clear'}`,
  );
  return action === 'clear' ? undefined : { fingerprint: now.fingerprint, attached: !!r };
}
