// The template model of one notification: the incident facts plus who is paged and why.
import type { Notification } from '../activities/types';
import type { Recipient } from './channel';
import type { TemplateModel } from '../render/messages';
import { permanent } from './failure';

export function templateModel(n: Notification, recipients: Recipient[], channel: string): TemplateModel {
  if (!n.facts) throw permanent(channel, 'notification without incident facts (recorded before per-channel delivery)');
  return {
    ...n.facts,
    kind: n.kind,
    message: n.message,
    level: n.level ?? n.facts.escalationLevel,
    roles: n.roles,
    mentions: [...new Set(recipients.filter((r) => r.slack).map((r) => `<@${r.slack}>`))].join(' '),
  };
}
