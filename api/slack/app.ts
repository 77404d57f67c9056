// The Slack app: `/incident` commands and incident-message buttons on Bolt. Every request is
// acknowledged within Slack's 3 s: a quick answer goes in the ack, slower work (or a slow or
// unreachable Temporal) is acknowledged first and reported through response_url.
import { App, LogLevel, SocketModeReceiver, type SocketModeReceiverOptions } from '@slack/bolt';
import type { Client } from '@temporalio/client';
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LifelineConfig } from '../../config/schema';
import { ACTIONS } from './blocks';
import { createSlackOperations, SlackRefusal, type Actor, type SlackReply } from './operations';
import { parseSlackCommand } from './parse';
import { FastifySlackReceiver } from './receiver';

/** How long a command may take before we ack with "working on it" and answer via response_url. */
export const QUICK_ANSWER_MS = 1500;
/** Temporal calls made for Slack give up after this (then the user is told, not left waiting). */
const TEMPORAL_DEADLINE_MS = 15_000;

export interface SlackSettings {
  botToken: string;
  signingSecret: string;
  appToken?: string;
  botId?: string;
  botUserId?: string;
  /** Slack Web API base URL (tests point it at a local fake). */
  apiUrl?: string;
  /** Socket Mode's HTTP/WebSocket dispatcher (tests route apps.connections.open to a local fake). */
  socketDispatcher?: SocketModeReceiverOptions['dispatcher'];
}

export function slackSettingsFromEnv(env: NodeJS.ProcessEnv): SlackSettings | null {
  if (!env.SLACK_BOT_TOKEN || !env.SLACK_SIGNING_SECRET) return null;
  return {
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN || undefined,
    botId: env.SLACK_BOT_ID || undefined,
    botUserId: env.SLACK_BOT_USER_ID || undefined,
    apiUrl: env.SLACK_API_URL || undefined,
  };
}

/**
 * The idempotency key of a Slack interaction from Slack's own IDs (undefined when Slack sent none of
 * them). Bounded, as it becomes part of a Temporal update ID.
 */
export function slackActionKey(parts: (string | undefined)[]): string | undefined {
  const ids = parts.slice(1).filter((p): p is string => typeof p === 'string' && p.length > 0);
  if (!ids.length) return undefined;
  return `slack:${[parts[0] ?? '', ...ids].join(':')}`.slice(0, 300);
}

export function toReply(err: unknown): SlackReply {
  if (err instanceof SlackRefusal) return { response_type: 'ephemeral', text: err.message };
  if (err instanceof WorkflowUpdateFailedError) {
    return { response_type: 'ephemeral', text: `Not done: ${err.cause?.message ?? err.message}` };
  }
  if (
    err instanceof ServiceError ||
    (err as { code?: number })?.code === 4 ||
    /deadline|unavailable|ECONNREFUSED/i.test(String((err as Error)?.message))
  ) {
    return {
      response_type: 'ephemeral',
      text: 'Temporal is unavailable right now, so this may not have been applied. Check with `/incident status` and retry shortly.',
    };
  }
  return { response_type: 'ephemeral', text: `Something went wrong: ${(err as Error)?.message ?? String(err)}` };
}

export async function installSlack(
  api: FastifyInstance,
  opts: { config: LifelineConfig; client: Client; logger: Logger; settings: SlackSettings },
): Promise<App> {
  const { config, client, logger, settings } = opts;
  const log = logger.child({ component: 'slack' });
  const ops = createSlackOperations(client, config);
  const receiver = settings.appToken ? undefined : new FastifySlackReceiver(settings.signingSecret, log);
  const socket = settings.appToken
    ? new SocketModeReceiver({
        appToken: settings.appToken,
        logLevel: LogLevel.ERROR,
        ...(settings.socketDispatcher ? { dispatcher: settings.socketDispatcher } : {}),
      })
    : undefined;
  const bolt = new App({
    receiver: receiver ?? socket!,
    // A custom authorize: Bolt then never calls auth.test, so Slack being unreachable cannot block a
    // command (see NOTES.md).
    authorize: async () => ({ botToken: settings.botToken, botId: settings.botId, botUserId: settings.botUserId }),
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
    ...(settings.apiUrl ? { clientOptions: { slackApiUrl: settings.apiUrl } } : {}),
  });

  const actorFor = (id: string, name?: string): Actor => ({
    slackId: id,
    name: config.slack.users[id] ?? `@${name ?? id}`,
  });
  const bounded = <T>(fn: () => Promise<T>) => client.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, fn);

  bolt.command('/incident', async ({ command, ack, respond }) => {
    const parsed = parseSlackCommand(command.text ?? '');
    if (!parsed.ok) return ack({ response_type: 'ephemeral', text: parsed.error });
    const actor = actorFor(command.user_id, command.user_name);
    // Slack's trigger_id names this invocation: a redelivered command (Socket Mode or HTTP retry) applies once.
    const work = bounded(() => ops.run(parsed.command, actor, slackActionKey(['cmd', command.trigger_id]))).catch(
      toReply,
    );
    const quick = await Promise.race([
      work,
      new Promise<null>((r) => setTimeout(() => r(null), QUICK_ANSWER_MS).unref()),
    ]);
    if (quick) return ack(quick);
    await ack({ response_type: 'ephemeral', text: `Working on \`${parsed.command.verb}\`…` });
    await respond(await work);
  });

  const buttons = [
    [ACTIONS.acknowledge, 'acknowledge'],
    [ACTIONS.escalate, 'escalate'],
    [ACTIONS.resolve, 'resolve'],
    [ACTIONS.timeline, 'timeline'],
    [ACTIONS.failover, 'failover'],
  ] as const;
  for (const [actionId, action] of buttons) {
    bolt.action(actionId, async ({ ack, body, action: a, respond }) => {
      await ack(); // buttons always ack at once; the message is updated through response_url
      const id = 'value' in a && typeof a.value === 'string' ? a.value : '';
      const user = body.user as { id: string; username?: string; name?: string };
      // One click is one action: its action_id, action_ts and the interaction's trigger_id, all repeated
      // verbatim when Slack redelivers it, so a redelivered click applies once.
      const key = slackActionKey([
        actionId,
        'action_ts' in a ? a.action_ts : undefined,
        (body as { trigger_id?: string }).trigger_id,
      ]);
      const reply = await bounded(() =>
        ops.button(action, id, actorFor(user.id, user.username ?? user.name), key),
      ).catch(toReply);
      await respond(reply);
    });
  }

  if (receiver) {
    receiver.register(api);
  } else {
    // Socket Mode: connect in the background; Slack being unreachable never stops lifeline.
    bolt.start().then(
      () => log.info('Slack Socket Mode connected'),
      (err: unknown) => log.warn({ err }, 'Slack Socket Mode could not connect; continuing without it'),
    );
    api.addHook('onClose', async () => {
      await bolt.stop().catch(() => undefined);
    });
  }
  return bolt;
}
