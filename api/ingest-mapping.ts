// Turning external wire formats into lifeline alerts. Pure functions: the routes validate, map, record.
import { ALERT_KINDS, ALERT_SEVERITIES, type Alert, type AlertKind, type AlertSeverity } from '../domain/incident';
import type { AlertmanagerBody, PagerDutyEvent } from './ingest-schemas';

export interface MappingIssue {
  path: string;
  message: string;
}

const asKind = (v: string | undefined): AlertKind =>
  (ALERT_KINDS as readonly string[]).includes(v ?? '') ? (v as AlertKind) : 'other';
const SEVERITY_ALIASES: Record<string, AlertSeverity> = {
  critical: 'critical',
  page: 'critical',
  error: 'error',
  high: 'error',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  low: 'info',
  none: 'info',
};
const asSeverity = (v: string | undefined): AlertSeverity | undefined =>
  v && (ALERT_SEVERITIES as readonly string[]).includes(v)
    ? (v as AlertSeverity)
    : SEVERITY_ALIASES[(v ?? '').toLowerCase()];

/** Alertmanager v4 → alerts; firing alerts trigger, resolved ones resolve (keyed by fingerprint). */
export function fromAlertmanager(
  body: AlertmanagerBody,
  providerLabel: string,
  providers: Set<string>,
  now: string,
): { alerts: Alert[]; issues: MappingIssue[] } {
  const issues: MappingIssue[] = [];
  const alerts: Alert[] = [];
  body.alerts.forEach((a, i) => {
    const labels = { ...body.commonLabels, ...a.labels };
    const annotations = { ...body.commonAnnotations, ...a.annotations };
    const provider = labels[providerLabel];
    if (!provider)
      return issues.push({
        path: `body.alerts.${i}.labels.${providerLabel}`,
        message: `label "${providerLabel}" naming the provider is missing`,
      });
    if (!providers.has(provider))
      return issues.push({
        path: `body.alerts.${i}.labels.${providerLabel}`,
        message: `unknown provider "${provider}"`,
      });
    const resolved = a.status === 'resolved';
    alerts.push({
      provider,
      kind: asKind(labels.kind),
      summary: (annotations.summary ?? annotations.description ?? labels.alertname ?? 'Alertmanager alert').slice(
        0,
        1024,
      ),
      source: 'alertmanager',
      ...(asSeverity(labels.severity) ? { severity: asSeverity(labels.severity) } : {}),
      // Alertmanager's fingerprint identifies the alert across firing and resolved notifications.
      dedupKey: (
        a.fingerprint ??
        Object.entries(labels)
          .sort()
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
      ).slice(0, 255),
      action: resolved ? 'resolve' : 'trigger',
      observedAt: resolved && a.endsAt && !a.endsAt.startsWith('0001-') ? a.endsAt : a.startsAt || now,
      details: {
        labels,
        annotations,
        ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
        receiver: body.receiver,
        groupKey: body.groupKey,
      },
    });
  });
  return { alerts, issues };
}

/** The provider a PagerDuty event is about: the first configured id among its usual fields. */
export function pagerDutyProvider(e: PagerDutyEvent, providers: Set<string>): string | undefined {
  const p = e.payload;
  const details =
    p?.custom_details && typeof p.custom_details === 'object' ? (p.custom_details as Record<string, unknown>) : {};
  const candidates = [details.provider, p?.component, p?.group, p?.source];
  return candidates.find((c): c is string => typeof c === 'string' && providers.has(c));
}

export function fromPagerDuty(e: PagerDutyEvent, provider: string, dedupKey: string, now: string): Alert {
  const p = e.payload;
  return {
    provider,
    kind: asKind(p?.class),
    summary: p?.summary ?? `${e.event_action} ${dedupKey}`,
    source: p?.source ?? 'pagerduty-events-v2',
    ...(p?.severity ? { severity: p.severity } : {}),
    dedupKey,
    action: e.event_action,
    observedAt: p?.timestamp ?? now,
    ...(p?.custom_details !== undefined || p?.component || p?.group
      ? {
          details: {
            ...(p?.custom_details !== undefined ? { custom_details: p.custom_details } : {}),
            ...(p?.component ? { component: p.component } : {}),
            ...(p?.group ? { group: p.group } : {}),
          },
        }
      : {}),
  };
}
