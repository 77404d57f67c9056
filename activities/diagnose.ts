// Diagnostics (the runbook's checklist): network (DNS, TCP, TLS + certificate expiry), credentials (primary
// and backup key), rate limits, quota/billing, the provider's status page, model availability and the
// incident's recent alert samples. The checks run in parallel, each bounded by the probe timeout; the
// root cause is chosen by domain/diagnosis.ts. Keys are read from the environment here and never
// appear in the result (which lands in workflow history).
import type { FailureCategory } from '../domain/classify';
import { diagnosisFrom } from '../domain/diagnosis';
import type { DiagnosticCheck, Diagnosis } from '../domain/incident';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import { probeProvider } from './probe';
import {
  credentialsCheck,
  modelChecks,
  probeCheck,
  quotaCheck,
  rateLimitCheck,
  statusPageCheck,
} from './diagnostics/api';
import { checkDns, checkTcp, checkTls, targetOf } from './diagnostics/network';
import type { DiagnoseOptions } from './types';

const ALERT_KIND_CAUSE: Record<string, FailureCategory> = {
  auth: 'authentication',
  quota: 'quota_exceeded',
  rate_limit: 'rate_limit',
  latency: 'latency',
  model: 'model_unavailable',
};

/** What the ingested alerts say: quoted as evidence; their dominant kind is a (weak) hint. */
export function alertSampleCheck(opts: DiagnoseOptions): DiagnosticCheck {
  const kinds = opts.alertKinds ?? [];
  if (!kinds.length) return { name: 'alert_samples', status: 'passed', detail: 'no alerts sampled' };
  const counts: Record<string, number> = {};
  for (const k of kinds) counts[k] = (counts[k] ?? 0) + 1;
  const [top] = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const cause = ALERT_KIND_CAUSE[top[0]];
  const detail = `${kinds.length} alert(s), mostly ${top[0]}${opts.alertSummaries?.length ? `: ${opts.alertSummaries.slice(0, 3).join(' | ')}` : ''}`;
  return {
    name: 'alert_samples',
    status: 'failed',
    detail,
    evidence: { counts },
    ...(cause ? { suggests: cause } : {}),
  };
}

export function createDiagnoseActivities(deps: ActivityDeps) {
  return {
    async diagnoseProvider(provider: string, opts: DiagnoseOptions = {}): Promise<Diagnosis> {
      const p = providerConfig(deps, provider);
      const baseUrl = deps.baseUrlFor(provider);
      const target = targetOf(baseUrl);
      const timeout = p.probe.timeoutMs;
      const [dns, tcp, tls, primary, backup, models, statusPage] = await Promise.all([
        checkDns(target),
        checkTcp(target, timeout),
        checkTls(target, timeout),
        probeProvider(p, baseUrl, { env: deps.env }),
        p.backupApiKeyEnv ? probeProvider(p, baseUrl, { env: deps.env, useBackupKey: true }) : Promise.resolve(null),
        modelChecks(p, baseUrl, deps.env),
        p.statusPage ? statusPageCheck(p.statusPage, timeout) : Promise.resolve(null),
      ]);
      const checks: DiagnosticCheck[] = [
        dns,
        tcp,
        tls,
        probeCheck(primary),
        credentialsCheck(primary, 'primary'),
        ...(backup ? [credentialsCheck(backup, 'backup')] : []),
        rateLimitCheck(primary, opts.alertKinds ?? []),
        quotaCheck(primary),
        ...(statusPage ? [statusPage] : []),
        ...models,
        alertSampleCheck(opts),
      ];
      return diagnosisFrom(checks, new Date().toISOString());
    },
  };
}
