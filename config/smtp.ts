// The one mail server lifeline sends through (`smtp:`): email notifications and status-page subscriber
// mail. The email channel used to name its own server under `notifications.email`; those keys are still
// accepted, moved here with a deprecation warning. Two different servers are an error: there is one.
import { z } from 'zod';
import type { ConfigIssue } from './cross-references';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)');

/** Outgoing mail. Credentials are read from the environment by name. */
export const smtpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** true = TLS from the first byte (port 465); false = STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  userEnv: envName.optional(),
  passwordEnv: envName.optional(),
  /** The sender; `notifications.email.from` may set another one for notifications. */
  from: z.string().min(3),
});

export type SmtpConfig = z.output<typeof smtpSchema>;

/** `notifications.email` keys that named the mail server (deprecated there). */
const SERVER_KEYS = ['host', 'port', 'secure', 'userEnv', 'passwordEnv'] as const;
const DEFAULTS: Record<string, unknown> = { port: 587, secure: false };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Moves server keys found under `notifications.email` to `smtp:` (raw input, before validation). Without
 * an `smtp:` section one is made from them, and status-page subscriptions stay off as they were then
 * (`statusPage.subscriptions: false`, unless set); with one, each key must agree with it.
 */
export function moveMailServer(raw: unknown): { raw: unknown; warnings: string[]; issues: ConfigIssue[] } {
  const notifications = isObj(raw) && isObj(raw.notifications) ? raw.notifications : undefined;
  const email = notifications && isObj(notifications.email) ? notifications.email : undefined;
  const old = email ? SERVER_KEYS.filter((k) => k in email) : [];
  if (!isObj(raw) || !notifications || !email || old.length === 0) return { raw, warnings: [], issues: [] };
  const warnings = [
    `notifications.email: ${old.join(', ')} ${old.length > 1 ? 'are' : 'is'} deprecated there — the mail server is set once, ` +
      'in the top-level smtp: section (host, port, secure, userEnv, passwordEnv, from), for notifications and status-page mail alike',
  ];
  const issues: ConfigIssue[] = [];
  let { smtp, statusPage } = raw;
  if (smtp === undefined) {
    smtp = Object.fromEntries([...old, ...('from' in email ? ['from'] : [])].map((k) => [k, email[k]]));
    const page = isObj(statusPage) ? statusPage : {};
    statusPage = { ...page, subscriptions: page.subscriptions ?? false };
  } else if (isObj(smtp)) {
    for (const k of old) {
      const [mine, theirs] = [email[k] ?? DEFAULTS[k], smtp[k] ?? DEFAULTS[k]];
      if (mine !== theirs) {
        issues.push({
          path: ['notifications', 'email', k],
          message: `${JSON.stringify(mine)} differs from smtp.${k} (${JSON.stringify(theirs)}): lifeline sends all mail through one server; set it once, in smtp:`,
        });
      }
    }
  }
  const channel = Object.fromEntries(
    Object.entries(email).filter(([k]) => !(SERVER_KEYS as readonly string[]).includes(k)),
  );
  return { raw: { ...raw, smtp, statusPage, notifications: { ...notifications, email: channel } }, warnings, issues };
}
