// Diagnostics for the vertical slice: one probe with the primary key (and the backup key if configured),
// classified into a root cause with evidence. The full checklist (DNS/TCP/TLS, status page, quota) grows here.
import { RECOMMENDATIONS } from '../domain/classify';
import type { DiagnosticCheck, Diagnosis } from '../domain/incident';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import { probeProvider, type ProbeResult } from './probe';

function checkFrom(name: string, r: ProbeResult): DiagnosticCheck {
  const detail = r.ok
    ? `HTTP ${r.status} in ${r.latencyMs} ms`
    : r.errorCode
      ? `${r.errorCode} after ${r.latencyMs} ms`
      : `HTTP ${r.status}${r.errorType ? ` ${r.errorType}` : ''}${r.message ? `: ${r.message}` : ''}`;
  return {
    name,
    status: r.ok ? 'passed' : 'failed',
    detail,
    evidence: { status: r.status, errorCode: r.errorCode, errorType: r.errorType, category: r.category, latencyMs: r.latencyMs, rateLimit: r.rateLimit },
  };
}

export function createDiagnoseActivities(deps: ActivityDeps) {
  return {
    async diagnoseProvider(provider: string): Promise<Diagnosis> {
      const p = providerConfig(deps, provider);
      const baseUrl = deps.baseUrlFor(provider);
      const primary = await probeProvider(p, baseUrl, { env: deps.env });
      const checks = [checkFrom('api_probe', primary)];
      if (p.backupApiKeyEnv && primary.category === 'authentication') {
        const backup = await probeProvider(p, baseUrl, { env: deps.env, useBackupKey: true });
        checks.push(checkFrom('backup_credentials', backup));
      }
      const rootCause = primary.category ?? 'unknown';
      return { rootCause, checks, recommendations: RECOMMENDATIONS[rootCause], at: new Date().toISOString() };
    },
  };
}
