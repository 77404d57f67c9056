// The contract every notification channel implements, and the definition a channel file exports: its
// `notifications:` config section, the secrets it reads, which notifications it carries and how to build
// its sender(s). channels/index.ts lists the definitions; config, delivery, health checks and routing
// rules all derive from that list.
import type { z } from 'zod';
import type { Notification } from '../activities/types';
import type { DocumentStore } from '../store';

export type NotificationKind = Notification['kind'];

export interface Recipient {
  role: string;
  name: string;
  email?: string;
  slack?: string;
  pagerdutyRoutingKeyEnv?: string;
}

/** What a channel may report back; `ref` is kept by the workflow and handed back to a threading channel. */
export interface ChannelResult {
  status?: 'delivered' | 'skipped';
  ref?: string;
  detail?: string;
}

/** One delivery target ('slack', 'webhook:ops', …). `opts.ref`: the ref of its earlier delivery for this incident. */
export interface Channel {
  name: string;
  send(
    n: Notification,
    recipients: Recipient[],
    dedupKey: string,
    opts?: { ref?: string },
  ): Promise<void | ChannelResult>;
}

/** What a channel's sender may use besides its own config section. */
export interface ChannelContext {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** `notifications.templatesDir`: the operator's template overrides. */
  templatesDir?: string;
  docs?: DocumentStore | Promise<DocumentStore>;
  /** `statusPage.componentNames`: what customers call a service (customer-facing text never shows IDs). */
  componentNames?: Record<string, string>;
}

/**
 * `C` is the section as the code sees it: the parsed section, unless the config completes it after
 * validation (email gets the `smtp:` server merged in).
 */
export interface ChannelDefinition<K extends string = string, S extends z.ZodType = z.ZodType, C = z.output<S>> {
  /** The name routing rules use (`notifications.routing.<kind>.channels`). */
  name: string;
  /** Its section under `notifications:`. */
  configKey: K;
  /** The section's schema, `.optional()` (or `.default(...)`) so an absent section means "not configured". */
  configSchema: S;
  /** Its delivery targets for a config (`slack`; `webhook:<name>` per webhook); empty when not configured. */
  targets(cfg: C): string[];
  /** Secrets it reads, as [config path, environment variable name]. */
  secretEnvs(cfg: C): [string, string][];
  /** The notification kinds it delivers; others never reach it. */
  carries: readonly NotificationKind[];
  /** Threads its deliveries: the `ref` of its first delivery for an incident comes back with the later ones. */
  threads?: boolean;
  /** Its senders, one per target. */
  create(cfg: C, ctx: ChannelContext): Channel[];
}

/** Keeps the definition's own config type (the list in channels/index.ts is typed from it). */
export function defineChannel<K extends string, S extends z.ZodType, C = z.output<S>>(
  def: ChannelDefinition<K, S, C>,
): ChannelDefinition<K, S, C> {
  return def;
}

export { envName, timeoutMs } from '../config/env-name';
