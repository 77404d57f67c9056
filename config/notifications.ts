// The `notifications:` config section: delivery channels (secrets only by environment variable name),
// per-alert-kind routing with the repeat-alert escalation rule, and the template directory.
import { z } from 'zod';
import { ALERT_KINDS } from '../domain/incident';
import { DEFAULT_ALERT_ROUTING, DEFAULT_ROUTE } from '../domain/alert-rules';
import { CHANNEL_NAMES, channelConfigShape, channelSecretEnvs } from '../channels';
import type { EmailChannelConfig } from '../channels/email';
import type { SmtpConfig } from './smtp';

const routeSchema = z.strictObject({
  channels: z.array(z.enum(CHANNEL_NAMES)).min(1),
  /** Escalate one level when this many alerts of the kind arrive within `withinMs`. */
  escalateAfter: z.number().int().min(1),
  withinMs: z.number().int().positive(),
});

export const notificationsSchema = z
  .strictObject({
    /** A directory of templates overriding the bundled ones file by file (relative to the working directory). */
    templatesDir: z.string().min(1).optional(),
    // One section per channel (slack, email, pagerduty, webhooks), from channels/index.ts.
    ...channelConfigShape(),
    /**
     * Retries of one notification on one channel (the activity's retry policy). The defaults keep trying
     * for about 16 minutes (2 s, 4 s … then once a minute), so a Slack, SMTP or PagerDuty outage of that
     * length loses nothing; other channels and the incident never wait for it.
     */
    retry: z
      .strictObject({
        initialIntervalMs: z.number().int().positive().default(2_000),
        maximumIntervalMs: z.number().int().positive().default(60_000),
        maximumAttempts: z.number().int().min(1).max(1000).default(20),
      })
      .prefault({}),
    /** Per alert kind: which channels page, and the repeat-alert escalation rule. Kinds without a route use `default`. */
    // Merged over the defaults: configuring one kind does not drop the routes of the others.
    routing: z
      .partialRecord(z.enum(ALERT_KINDS), routeSchema)
      .default({})
      .transform((r) => ({ ...DEFAULT_ALERT_ROUTING, ...r })),
    default: routeSchema.default(DEFAULT_ROUTE),
  })
  .prefault({});

export type { EmailChannelConfig } from '../channels/email';
export type NotificationsConfig = Omit<z.output<typeof notificationsSchema>, 'email'> & { email?: EmailChannelConfig };

/** Puts the `smtp:` server under `notifications.email` (after validation; cross-references require both). */
export function withMailServer<T extends { notifications: z.output<typeof notificationsSchema>; smtp?: SmtpConfig }>(
  c: T,
): Omit<T, 'notifications'> & { notifications: NotificationsConfig } {
  const email = c.notifications.email;
  if (!email || !c.smtp) return { ...c, notifications: { ...c.notifications, email: undefined } };
  return {
    ...c,
    notifications: { ...c.notifications, email: { ...c.smtp, ...email, from: email.from ?? c.smtp.from } },
  };
}

/** Every secret the notification channels read, as [config path, environment variable name]. */
export function notificationSecretEnvs(config: {
  notifications: NotificationsConfig;
  escalation: { roles: Record<string, { pagerdutyRoutingKeyEnv?: string }[]> };
}): [string, string][] {
  const out = channelSecretEnvs(config.notifications);
  for (const [role, people] of Object.entries(config.escalation.roles)) {
    people.forEach(
      (p, i) =>
        p.pagerdutyRoutingKeyEnv &&
        out.push([`escalation.roles.${role}.${i}.pagerdutyRoutingKeyEnv`, p.pagerdutyRoutingKeyEnv]),
    );
  }
  return out;
}
