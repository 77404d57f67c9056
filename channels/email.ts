// Email over SMTP (nodemailer): the team alert to the people paged, and the customer downtime notices
// (start, update, resolved) to `notifications.email.customers`. HTML and text come from templates; the
// Message-ID is derived from the notification's dedup key, so a retried delivery carries the same ID.
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { renderTemplate, type TemplateModel } from '../render/messages';
import type { Notification } from '../activities/types';
import type { SmtpConfig } from '../config/smtp';
import { defineChannel, timeoutMs, type Channel, type ChannelResult } from './channel';
import { permanent, requireSecret } from './failure';
import { templateModel } from './model';
import { impactSentence } from '../domain/notification';
import { displayName } from '../domain/public-status';

/** The email channel: team pages and customer notices, through the `smtp:` server. */
const configSchema = z
  .strictObject({
    /** Sender of notifications when it should differ from `smtp.from`. */
    from: z.string().min(3).optional(),
    /** Who receives the customer downtime notices (start, updates, resolved). */
    customers: z.array(z.email()).default([]),
    timeoutMs: timeoutMs.default(10_000),
  })
  .optional();
/** The email channel as the code sees it: the `smtp:` server with the channel's own sender and recipients (config/notifications.ts withMailServer). */
export type EmailChannelConfig = SmtpConfig & Omit<NonNullable<z.output<typeof configSchema>>, 'from'>;
type EmailConfig = EmailChannelConfig;

/** `<hash@host>`: stable for one notification and audience, unique across them. */
export function messageIdFor(dedupKey: string, audience: string, from: string): string {
  const host = /@([^>\s]+)/.exec(from)?.[1] ?? 'lifeline.invalid';
  const hash = createHash('sha256').update(`${dedupKey}|${audience}`).digest('hex').slice(0, 32);
  return `<${hash}@${host}>`;
}

function customerTemplate(
  n: Notification,
  model: TemplateModel,
): 'customer-start' | 'customer-update' | 'customer-resolved' | null {
  if (n.kind === 'page' && model.opening) return 'customer-start';
  if (n.kind === 'status_update') return 'customer-update';
  if (n.kind === 'resolved') return 'customer-resolved';
  return null;
}

/** The model of a customer notice: affected services by display name (`statusPage.componentNames`). */
function customerModel(model: TemplateModel, names: Record<string, string> = {}): TemplateModel {
  const services = model.affectedServices.map((id) => displayName(id, names));
  return { ...model, affectedServices: services, impactDescription: impactSentence(model.impactLevel, services) };
}

export function emailChannel(
  cfg: EmailConfig,
  opts: { env: NodeJS.ProcessEnv; templatesDir?: string; componentNames?: Record<string, string> },
): Channel {
  return {
    name: 'email',
    async send(n, recipients, dedupKey): Promise<ChannelResult> {
      const model = templateModel(n, recipients, 'email');
      const mails: {
        audience: string;
        to: string[];
        template: 'team-alert' | NonNullable<ReturnType<typeof customerTemplate>>;
      }[] = [];
      const team = [...new Set(recipients.map((r) => r.email).filter((e): e is string => !!e))];
      if (n.kind === 'page' && team.length) mails.push({ audience: 'team', to: team, template: 'team-alert' });
      const customer = customerTemplate(n, model);
      if (customer && cfg.customers.length)
        mails.push({ audience: 'customers', to: cfg.customers, template: customer });
      if (!mails.length) return { status: 'skipped', detail: 'no recipients for this notification' };

      const user = cfg.userEnv ? requireSecret('email', cfg.userEnv, opts.env) : undefined;
      const pass = cfg.passwordEnv ? requireSecret('email', cfg.passwordEnv, opts.env) : undefined;
      const transport = nodemailer.createTransport({
        host: cfg.host,
        port: cfg.port,
        secure: cfg.secure,
        ...(user ? { auth: { user, pass } } : {}),
        connectionTimeout: cfg.timeoutMs,
        greetingTimeout: cfg.timeoutMs,
        socketTimeout: cfg.timeoutMs,
      });
      const ids: string[] = [];
      try {
        for (const m of mails) {
          // Customers read the services by the names the status page gives them, never by config IDs.
          const mailModel = m.audience === 'customers' ? customerModel(model, opts.componentNames) : model;
          // Rendered before sending: a broken template fails the delivery, never a blank email.
          const subject = renderTemplate(`${m.template}.subject`, mailModel, opts.templatesDir);
          const text = renderTemplate(`${m.template}.txt`, mailModel, opts.templatesDir);
          const html = renderTemplate(`${m.template}.html`, mailModel, opts.templatesDir);
          const messageId = messageIdFor(dedupKey, m.audience, cfg.from);
          // Customers must not see each other: they go in Bcc, the sender in To.
          const to = m.audience === 'customers' ? { to: cfg.from, bcc: m.to } : { to: m.to };
          await transport.sendMail({
            from: cfg.from,
            ...to,
            subject,
            text,
            html,
            messageId,
            headers: { 'X-Lifeline-Incident': n.incidentId },
          });
          ids.push(messageId);
        }
      } catch (err) {
        const e = err as { responseCode?: number; message: string };
        // 5xx SMTP replies (bad recipient, rejected sender) will not change on retry; 4xx and network errors may.
        if (e.responseCode && e.responseCode >= 500) throw permanent('email', e.message);
        throw err;
      } finally {
        transport.close();
      }
      return { status: 'delivered', ref: ids.join(' ') };
    },
  };
}

export const email = defineChannel<'email', typeof configSchema, EmailChannelConfig | undefined>({
  name: 'email',
  configKey: 'email',
  configSchema,
  targets: (cfg) => (cfg ? ['email'] : []),
  secretEnvs: (cfg) => [
    ...(cfg?.userEnv ? [['smtp.userEnv', cfg.userEnv] as [string, string]] : []),
    ...(cfg?.passwordEnv ? [['smtp.passwordEnv', cfg.passwordEnv] as [string, string]] : []),
  ],
  // Acknowledgements are for the team, who see them in Slack.
  carries: ['page', 'status_update', 'resolved'],
  create: (cfg, ctx) => (cfg ? [emailChannel(cfg, ctx)] : []),
});
