// Notifications: the built-in log channel (structured pino lines), the recipients of a notification and
// its dedup key (incident, kind and sequence, so a retried activity is recognisable downstream). The other
// channels live in channels/, behind the same Channel interface.
import type { Channel, Recipient } from '../channels/channel';
import type { ActivityDeps } from './deps';
import type { Notification } from './types';

export type { Channel, ChannelResult, Recipient } from '../channels/channel';

/** The people holding the given roles, from `escalation.roles`. */
export function recipientsFor(deps: ActivityDeps, roles: string[]): Recipient[] {
  const roster = deps.config.escalation.roles;
  return roles.flatMap((role) => (roster[role] ?? []).map((p) => ({ role, ...p })));
}

export function logChannel(deps: ActivityDeps): Channel {
  return {
    name: 'log',
    async send(n, recipients, dedupKey) {
      deps.logger.info(
        {
          channel: 'log',
          dedupKey,
          incidentId: n.incidentId,
          kind: n.kind,
          level: n.level,
          severity: n.severity,
          recipients: recipients.map((r) => `${r.role}:${r.name}`),
        },
        `[${n.severity}] ${n.kind}: ${n.title} — ${n.message}`,
      );
    },
  };
}

export function dedupKeyFor(n: Notification): string {
  return `${n.incidentId}:${n.kind}:${n.seq}`;
}

export function createNotifyActivities(deps: ActivityDeps, channels: Channel[] = [logChannel(deps)]) {
  return {
    async notify(n: Notification): Promise<{ delivered: string[] }> {
      const recipients = recipientsFor(deps, n.roles);
      const dedupKey = dedupKeyFor(n);
      const delivered: string[] = [];
      const failures: string[] = [];
      for (const ch of channels) {
        const started = performance.now();
        try {
          const r = await ch.send(n, recipients, dedupKey);
          deps.metrics?.delivered(ch.name, (r && r.status) || 'delivered', (performance.now() - started) / 1000);
          delivered.push(ch.name);
        } catch (err) {
          deps.metrics?.deliveryFailed(ch.name, true, (performance.now() - started) / 1000);
          failures.push(`${ch.name}: ${(err as Error).message}`);
        }
      }
      // Every channel failing is worth a retry; a partial delivery is not (the others already went out).
      if (delivered.length === 0 && failures.length) throw new Error(`no channel delivered: ${failures.join('; ')}`);
      return { delivered };
    },
  };
}
