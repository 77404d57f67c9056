// How an SLO report reads to a person — the CLI's table (`lifeline slo`) and Slack's `/incident slo` share
// these cells so the two never disagree. Pure.
import { formatWindow } from './slo';
import type { QuotaStatus, SloStatus } from './slo-status';

/** A row of the SLO table: the entity's status of one objective. */
export type SloRowInput = SloStatus;

/** A row of the quota table: the entity's status of one quota. */
export type QuotaRowInput = QuotaStatus;

const percent = (x: number, digits = 2) => `${(x * 100).toFixed(digits)}%`;
const rate = (x: number | undefined) => `${(x ?? 0).toFixed(1)}×`;

export const SLO_HEADERS = [
  'SLO',
  'OF',
  'SLI',
  'TARGET',
  'WINDOW',
  'ACTUAL',
  'BUDGET LEFT',
  'BURN 1H',
  'BURN 6H',
  'STATE',
];

export function sloCells(s: SloRowInput): string[] {
  const sli = s.sli === 'latency' ? `latency ≤ ${s.thresholdMs} ms` : s.sli.replace('_', ' ');
  const state = s.burning
    ? `burning${s.alert ? ` (${s.alert})` : ''}${s.incidentId ? ` ${s.incidentId}` : ''}`
    : s.total
      ? s.budgetRemaining <= 0
        ? 'budget spent'
        : 'ok'
      : 'no data';
  return [
    s.id,
    s.provider ?? `service ${s.service}`,
    sli,
    `${s.target}%`,
    formatWindow(s.windowMs),
    s.value === null ? '-' : percent(s.value, 3),
    s.total ? percent(s.budgetRemaining, 1) : '-',
    rate(s.burnRates['1h']),
    rate(s.burnRates['6h']),
    state,
  ];
}

export const QUOTA_HEADERS = ['PROVIDER', 'QUOTA', 'REMAINING', 'USE/MIN', 'RUNS OUT', 'STATE'];

export function quotaCells(q: QuotaRowInput, now: number): string[] {
  const mins = (iso: string) => `in ~${Math.max(0, Math.round((Date.parse(iso) - now) / 60_000))} min`;
  const runsOut =
    q.exhausts && q.exhaustAt ? mins(q.exhaustAt) : q.resetAt && q.perMinute > 0 ? 'resets first' : 'not forecast';
  return [
    q.provider,
    q.kind,
    q.limit !== undefined ? `${q.remaining}/${q.limit}` : String(q.remaining),
    q.perMinute.toFixed(1),
    runsOut,
    q.alerting ? `alerting${q.incidentId ? ` ${q.incidentId}` : ''}` : 'ok',
  ];
}
