// The notification channels, in delivery order. Adding one is a new file exporting a `defineChannel(…)`
// and one line here: its config section, secrets, delivery targets, readiness check and routing name
// all follow from this list (the log channel is built in and always on: activities/notify.ts).
import type { ChannelContext, ChannelDefinition, Channel, NotificationKind } from './channel';
import { email } from './email';
import { pagerduty } from './pagerduty';
import { slack } from './slack';
import { webhook } from './webhook';

export const CHANNELS = [slack, email, pagerduty, webhook] as const;

type Definitions = (typeof CHANNELS)[number];
// Every channel's section, typed: `notifications.slack` keeps Slack's own config type.
export type ChannelConfigShape = { [D in Definitions as D['configKey']]: D['configSchema'] };
// Every channel's section as the code sees it (after the config's own completion, e.g. email + smtp:).
export type ChannelConfigs = { [D in Definitions as D['configKey']]?: Parameters<D['create']>[0] };

const list: readonly ChannelDefinition[] = CHANNELS;

/** The routing names (`notifications.routing.<kind>.channels`). */
export const CHANNEL_NAMES = CHANNELS.map((c) => c.name) as [string, ...string[]];

/** The zod shape of every channel's section under `notifications:` (config/notifications.ts spreads it). */
export function channelConfigShape(): ChannelConfigShape {
  return Object.fromEntries(list.map((c) => [c.configKey, c.configSchema])) as ChannelConfigShape;
}

const section = (n: ChannelConfigs, c: ChannelDefinition) => (n as Record<string, unknown>)[c.configKey];

/** Names of the configured targets, in delivery order: 'log' first, then each channel's ('webhook:<name>' per webhook). */
export function deliveryTargets(n: ChannelConfigs): string[] {
  return ['log', ...list.flatMap((c) => c.targets(section(n, c)))];
}

/** Every secret the configured channels read, as [config path, environment variable name]. */
export function channelSecretEnvs(n: ChannelConfigs): [string, string][] {
  return list.flatMap((c) => c.secretEnvs(section(n, c)));
}

/** Which notification kinds each channel delivers, by routing name (the workflow filters with it). */
export function channelCarries(): Record<string, NotificationKind[]> {
  return Object.fromEntries(list.map((c) => [c.name, [...c.carries]]));
}

/** Routing names of the channels whose later deliveries get their first delivery's `ref` back. */
export function threadingChannels(): string[] {
  return list.filter((c) => c.threads).map((c) => c.name);
}

/** The senders of every configured target. */
export function createChannels(n: ChannelConfigs, ctx: ChannelContext): Channel[] {
  return list.flatMap((c) => c.create(section(n, c), ctx));
}
