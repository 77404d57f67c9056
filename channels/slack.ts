// Slack through the Web API client: one Block Kit message per incident, posted once and then updated in
// place (chat.update on the stored ts); every later notification also goes into the message's thread.
// The Acknowledge/Escalate/Resolve buttons carry action ids; handling them belongs to the Slack app.
import { LogLevel, WebClient } from '@slack/web-api';
import { z } from 'zod';
import { renderTemplate } from '../render/messages';
import { defineChannel, envName, timeoutMs, type Channel, type ChannelResult } from './channel';
import { permanent, requireSecret } from './failure';
import { templateModel } from './model';
import { slackStore } from './slack-store';
import { FileDocumentStore, type DocumentStore } from '../store';

const configSchema = z
  .strictObject({
    tokenEnv: envName.default('SLACK_BOT_TOKEN'),
    /** Channel ID (C…) the incident message is posted to. */
    channel: z.string().min(1),
    /** Only for tests and proxies: the Web API base URL (Slack's own by default). */
    apiUrl: z.url().optional(),
    timeoutMs: timeoutMs.default(10_000),
  })
  .optional();
type SlackConfig = NonNullable<z.output<typeof configSchema>>;

// Slack errors a retry cannot fix.
const PERMANENT = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_blocks',
  'missing_scope',
  'msg_too_long',
]);

function classify(err: unknown): Error {
  const e = err as { code?: string; data?: { error?: string }; message?: string };
  const code = e.data?.error;
  if (e.code === 'slack_webapi_platform_error' && code && PERMANENT.has(code)) return permanent('slack', code);
  return err instanceof Error ? err : new Error(String(err));
}

const METADATA_TYPE = 'lifeline_incident';

/** The incident's message in the channel's recent history, found by the metadata it was posted with. */
async function findPosted(web: WebClient, channel: string, incidentId: string): Promise<string | undefined> {
  try {
    const h = await web.conversations.history({ channel, limit: 100, include_all_metadata: true });
    const hit = h.messages?.find(
      (m) =>
        m.metadata?.event_type === METADATA_TYPE &&
        (m.metadata.event_payload as { incident_id?: string } | undefined)?.incident_id === incidentId,
    );
    return hit?.ts;
  } catch {
    return undefined; // no channels:history scope, or Slack down: posting again is the lesser evil
  }
}

/**
 * Slack's Web API client for one call per activity attempt: Temporal owns retries and backoff, so the
 * client must not retry underneath it (nor log each failure: the activity's failure is logged).
 */
export function slackWebClient(cfg: { apiUrl?: string; timeoutMs?: number }, token: string): WebClient {
  return new WebClient(token, {
    slackApiUrl: cfg.apiUrl,
    timeout: cfg.timeoutMs,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
}

export function slackChannel(
  cfg: SlackConfig,
  opts: {
    env: NodeJS.ProcessEnv;
    dataDir: string;
    templatesDir?: string;
    docs?: DocumentStore | Promise<DocumentStore>;
  },
): Channel {
  const store = slackStore(opts.docs ?? new FileDocumentStore(opts.dataDir));
  return {
    name: 'slack',
    async send(n, recipients, dedupKey, sendOpts): Promise<ChannelResult> {
      const token = requireSecret('slack', cfg.tokenEnv, opts.env);
      const model = templateModel(n, recipients, 'slack');
      let blocks: unknown;
      try {
        blocks = JSON.parse(renderTemplate('slack-blocks.json', model, opts.templatesDir));
      } catch (err) {
        throw permanent('slack', `slack-blocks.json: ${(err as Error).message}`);
      }
      const text = `[${model.severity}] ${model.title} (${model.incidentId}): ${model.message}`;
      const web = slackWebClient(cfg, token);
      const record = await store.read(n.incidentId);
      try {
        const found =
          !sendOpts?.ref && !record.ts && record.posting ? await findPosted(web, cfg.channel, n.incidentId) : undefined;
        const ts = sendOpts?.ref ?? record.ts ?? found;
        if (found && record.postingKey === dedupKey) {
          // This very notification was posted by an attempt that died before recording it (worker killed
          // mid-call): adopt that message instead of posting it again or echoing it into its own thread.
          await store.write(n.incidentId, { ts: found, channel: cfg.channel, replies: [...record.replies, dedupKey] });
          return { status: 'delivered', ref: found, detail: 'posted' };
        }
        if (!ts) {
          await store.write(n.incidentId, { ...record, posting: true, postingKey: dedupKey });
          const posted = await web.chat.postMessage({
            channel: cfg.channel,
            text,
            blocks: blocks as never,
            unfurl_links: false,
            metadata: { event_type: METADATA_TYPE, event_payload: { incident_id: n.incidentId } },
          });
          if (!posted.ts) throw new Error('slack: chat.postMessage returned no ts');
          await store.write(n.incidentId, {
            ts: posted.ts,
            channel: posted.channel ?? cfg.channel,
            replies: [...record.replies, dedupKey],
          });
          return { status: 'delivered', ref: posted.ts, detail: 'posted' };
        }
        const channel = record.channel ?? cfg.channel;
        await web.chat.update({ channel, ts, text, blocks: blocks as never });
        if (!record.replies.includes(dedupKey)) {
          const reply = renderTemplate('slack-update.txt', model, opts.templatesDir).trim();
          await web.chat.postMessage({ channel, thread_ts: ts, text: reply });
          await store.write(n.incidentId, { ts, channel, replies: [...record.replies, dedupKey] });
        }
        return { status: 'delivered', ref: ts, detail: 'updated' };
      } catch (err) {
        throw classify(err);
      }
    },
  };
}

export const slack = defineChannel({
  name: 'slack',
  configKey: 'slack',
  configSchema,
  targets: (cfg) => (cfg ? ['slack'] : []),
  secretEnvs: (cfg) => (cfg ? [['notifications.slack.tokenEnv', cfg.tokenEnv]] : []),
  carries: ['page', 'status_update', 'acknowledged', 'resolved'],
  // One message per incident, updated in place: later deliveries get the message's ts back as `ref`.
  threads: true,
  create: (cfg, ctx) => (cfg ? [slackChannel(cfg, ctx)] : []),
});
