// Status emails to subscribers: the double opt-in confirmation, and incident updates with an
// unsubscribe link (and List-Unsubscribe header) in every message. nodemailer over SMTP.
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { LifelineConfig } from '../config/schema';
import { readSecret } from '../config/load';
import { displayName, type PublicIncident, type PublicUpdate } from '../domain/public-status';
import type { SubscriberStore } from './subscribers';
import { BUNDLED_TEMPLATES_DIR } from '../render/bundled';
import { renderFile } from '../render/engine';
import { pageName as pageNameOf } from './components';

export interface StatusMailer {
  sendConfirmation(to: string, confirmToken: string, unsubscribeToken: string): Promise<void>;
  sendIncidentUpdate(incident: PublicIncident, update: PublicUpdate, store: SubscriberStore): Promise<{ sent: number }>;
  close(): void;
}

export function baseUrl(config: LifelineConfig): string {
  return (config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`).replace(/\/$/, '');
}

function render(dir: string, name: string, data: object): { text: string; html: string } {
  // HTML is escaped; plain text must not be (a link would become "token&#x3D;…").
  const file = (ext: string) => join(dir, 'email', `${name}.${ext}.hbs`);
  return { text: renderFile(file('txt'), data, false), html: renderFile(file('html'), data, true) };
}

/** null when no `smtp:` section is configured or `statusPage.subscriptions` is false (no sign-up, no mail). */
export function createStatusMailer(
  config: LifelineConfig,
  env: NodeJS.ProcessEnv = process.env,
  templatesDir = BUNDLED_TEMPLATES_DIR,
): StatusMailer | null {
  const smtp = config.smtp;
  if (!smtp || !config.statusPage.subscriptions) return null;
  const user = readSecret(smtp.userEnv, env);
  const pass = readSecret(smtp.passwordEnv, env);
  const transport: Transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(user ? { auth: { user, pass } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  const site = baseUrl(config);
  const pageName = pageNameOf(config);
  const unsubscribeUrl = (token: string) => `${site}/v1/subscribers/unsubscribe?token=${encodeURIComponent(token)}`;
  const componentName = (id: string) => displayName(id, config.statusPage.componentNames);

  return {
    async sendConfirmation(to, confirmToken, unsubscribeToken) {
      const body = render(templatesDir, 'subscribe-confirm', {
        pageName,
        confirmUrl: `${site}/v1/subscribers/confirm?token=${encodeURIComponent(confirmToken)}`,
        unsubscribeUrl: unsubscribeUrl(unsubscribeToken),
      });
      await transport.sendMail({ from: smtp.from, to, subject: `Confirm your subscription to ${pageName}`, ...body });
    },

    async sendIncidentUpdate(incident, update, store) {
      let sent = 0;
      for (const s of await store.confirmed()) {
        if (s.components.length && !s.components.some((c) => incident.components.includes(c))) continue;
        const link = unsubscribeUrl(await store.unsubscribeToken(s));
        const body = render(templatesDir, 'incident-update', {
          pageName,
          incident,
          update,
          components: incident.components.map(componentName),
          statusUrl: `${site}/status#${incident.id}`,
          unsubscribeUrl: link,
        });
        await transport.sendMail({
          from: smtp.from,
          to: s.email,
          subject: `[${update.status}] ${incident.name}`,
          // Deterministic: a retried send is recognisable as the same message.
          messageId: `<status.${incident.id}.${update.id}.${s.id}@lifeline>`,
          headers: { 'List-Unsubscribe': `<${link}>` },
          ...body,
        });
        sent += 1;
      }
      return { sent };
    },

    close: () => transport.close(),
  };
}
