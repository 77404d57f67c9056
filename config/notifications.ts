// The `notifications:` config section: delivery channels (secrets only by environment variable name),
// per-alert-kind routing with the repeat-alert escalation rule, and the template directory.
import { z } from 'zod';
import { ALERT_KINDS } from '../domain/incident';
import { CHANNEL_NAMES, DEFAULT_ALERT_ROUTING, DEFAULT_ROUTE } from '../domain/alert-rules';
import type { SmtpConfig } from './smtp';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)');
const timeoutMs = z.number().int().positive().max(120_000);

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
    /** The email channel: team pages and customer notices, through the `smtp:` server. */
    email: z
      .strictObject({
        /** Sender of notifications when it should differ from `smtp.from`. */
        from: z.string().min(3).optional(),
        /** Who receives the customer downtime notices (start, updates, resolved). */
        customers: z.array(z.email()).default([]),
        timeoutMs: timeoutMs.default(10_000),
      })
      .optional(),
    slack: z
      .strictObject({
        tokenEnv: envName.default('SLACK_BOT_TOKEN'),
        /** Channel ID (C…) the incident message is posted to. */
        channel: z.string().min(1),
        /** Only for tests and proxies: the Web API base URL (Slack's own by default). */
        apiUrl: z.url().optional(),
        timeoutMs: timeoutMs.default(10_000),
      })
      .optional(),
    pagerduty: z
      .strictObject({
        /** The service's Events v2 integration key; people may add their own (`pagerdutyRoutingKeyEnv`). */
        routingKeyEnv: envName.optional(),
        /** Host (and port) of the Events API; only tests change it. */
        server: z.string().min(1).default('events.pagerduty.com'),
        timeoutMs: timeoutMs.default(10_000),
      })
      .optional(),
    webhooks: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, "_" or "-"'),
          url: z.url(),
          /** HMAC-SHA256 key for the `x-lifeline-signature` header. */
          secretEnv: envName,
          timeoutMs: timeoutMs.default(10_000),
        }),
      )
      .default([]),
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
    // Merged over the seed defaults: configuring one kind does not drop the routes of the others.
    routing: z.partialRecord(z.enum(ALERT_KINDS), routeSchema).default({}).transform((r) => ({ ...DEFAULT_ALERT_ROUTING, ...r })),
    default: routeSchema.default(DEFAULT_ROUTE),
  })
  .prefault({});

type EmailChannelInput = NonNullable<z.output<typeof notificationsSchema>['email']>;
/** The email channel as the code sees it: the `smtp:` server with the channel's own sender and recipients. */
export type EmailChannelConfig = SmtpConfig & Omit<EmailChannelInput, 'from'>;
export type NotificationsConfig = Omit<z.output<typeof notificationsSchema>, 'email'> & { email?: EmailChannelConfig };

/** Puts the `smtp:` server under `notifications.email` (after validation; cross-references require both). */
export function withMailServer<T extends { notifications: z.output<typeof notificationsSchema>; smtp?: SmtpConfig }>(c: T): Omit<T, 'notifications'> & { notifications: NotificationsConfig } {
  const email = c.notifications.email;
  if (!email || !c.smtp) return { ...c, notifications: { ...c.notifications, email: undefined } };
  return { ...c, notifications: { ...c.notifications, email: { ...c.smtp, ...email, from: email.from ?? c.smtp.from } } };
}

/** Every secret the notification channels read, as [config path, environment variable name]. */
export function notificationSecretEnvs(config: { notifications: NotificationsConfig; escalation: { roles: Record<string, { pagerdutyRoutingKeyEnv?: string }[]> } }): [string, string][] {
  const n = config.notifications;
  const out: [string, string][] = [];
  if (n.slack) out.push(['notifications.slack.tokenEnv', n.slack.tokenEnv]);
  if (n.email?.userEnv) out.push(['smtp.userEnv', n.email.userEnv]);
  if (n.email?.passwordEnv) out.push(['smtp.passwordEnv', n.email.passwordEnv]);
  if (n.pagerduty?.routingKeyEnv) out.push(['notifications.pagerduty.routingKeyEnv', n.pagerduty.routingKeyEnv]);
  n.webhooks.forEach((w, i) => out.push([`notifications.webhooks.${i}.secretEnv`, w.secretEnv]));
  for (const [role, people] of Object.entries(config.escalation.roles)) {
    people.forEach((p, i) => p.pagerdutyRoutingKeyEnv && out.push([`escalation.roles.${role}.${i}.pagerdutyRoutingKeyEnv`, p.pagerdutyRoutingKeyEnv]));
  }
  return out;
}
