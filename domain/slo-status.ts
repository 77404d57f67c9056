// What the SLO entity reports per objective and per quota: the workflow builds it, the API serves it, the
// CLI and Slack format it (domain/slo-format.ts). Pure types and one pure helper.
import type { BurnAlertName, SliKind, SloDef } from './slo';
import type { QuotaKind } from './quota-forecast';

export interface SloStatus {
  id: string;
  sli: SliKind;
  provider?: string;
  service?: string;
  target: number;
  windowMs: number;
  thresholdMs?: number;
  /** good/total over the window; null before any event. */
  value: number | null;
  good: number;
  total: number;
  budgetRemaining: number;
  burnRates: Record<string, number>;
  alert: BurnAlertName | null;
  /** A burn episode is under way (its incident, if any, below). */
  burning: boolean;
  incidentId?: string;
}

/** The fields of a status that restate the objective itself (what it measures, its target and window). */
export function sloIdentity(
  d: SloDef,
): Pick<SloStatus, 'id' | 'sli' | 'provider' | 'service' | 'target' | 'windowMs' | 'thresholdMs'> {
  return {
    id: d.id,
    sli: d.sli,
    ...(d.provider ? { provider: d.provider } : {}),
    ...(d.service ? { service: d.service } : {}),
    target: d.target,
    windowMs: d.windowMs,
    ...(d.thresholdMs ? { thresholdMs: d.thresholdMs } : {}),
  };
}

export interface QuotaStatus {
  provider: string;
  kind: QuotaKind;
  remaining: number;
  limit?: number;
  perMinute: number;
  exhaustAt: string | null;
  resetAt: string | null;
  exhausts: boolean;
  alerting: boolean;
  incidentId?: string;
}
