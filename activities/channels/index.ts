// The delivery targets a config enables: the log channel always, then Slack, email, PagerDuty and each
// webhook when configured. Channels passed in by the caller (tests, embedders) replace those by name.
import type { LifelineConfig } from '../../config/schema';
import type { ActivityDeps } from '../deps';
import { logChannel, type Channel } from '../notify';
import { emailChannel } from './email';
import { pagerdutyChannel } from './pagerduty';
import { slackChannel } from './slack';
import { webhookChannel } from './webhook';
import { storeFor } from '../../store';

/** Names of the configured targets, in delivery order ('webhook:<name>' per webhook). */
export function deliveryTargets(config: LifelineConfig): string[] {
  const n = config.notifications;
  return ['log', ...(n.slack ? ['slack'] : []), ...(n.email ? ['email'] : []), ...(n.pagerduty ? ['pagerduty'] : []), ...n.webhooks.map((w) => `webhook:${w.name}`)];
}

export function buildChannels(deps: ActivityDeps, overrides: Channel[] = []): Map<string, Channel> {
  const n = deps.config.notifications;
  const env = deps.env ?? process.env;
  const templatesDir = n.templatesDir;
  const list: Channel[] = [logChannel(deps)];
  if (n.slack) list.push(slackChannel(n.slack, { env, dataDir: deps.config.dataDir, templatesDir, docs: storeFor(deps.config, env) }));
  if (n.email) list.push(emailChannel(n.email, { env, templatesDir }));
  if (n.pagerduty) list.push(pagerdutyChannel(n.pagerduty, { env, templatesDir }));
  for (const w of n.webhooks) list.push(webhookChannel(w, { env }));
  const byName = new Map(list.map((c) => [c.name, c]));
  for (const c of overrides) byName.set(c.name, c);
  return byName;
}
