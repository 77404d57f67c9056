// A small keyed store for Slack: the incident message's ts and the thread replies already posted, in
// the process's document store (dataDir/notifications/slack/<id>.json, or PostgreSQL shared by every
// worker). The workflow also keeps the ts; this record covers a worker that crashed after posting but
// before the activity completed, so the retry — on any worker — updates instead of posting a second
// message. A crash between the post and the write leaves `posting` set: the retry then looks the
// message up in Slack.
import type { DocumentStore } from '../store';

export interface SlackRecord {
  ts?: string;
  channel?: string;
  replies: string[];
  /** Set just before chat.postMessage: if a retry finds it without a ts, the post may have landed. */
  posting?: boolean;
  /** The dedup key of the notification that was posting: its retry must not add it again as a reply. */
  postingKey?: string;
}

const REPLIES_KEPT = 200;
const COLLECTION = 'notifications/slack';

export function slackStore(docs: DocumentStore | Promise<DocumentStore>) {
  const key = (incidentId: string) => `${incidentId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`;
  return {
    async read(incidentId: string): Promise<SlackRecord> {
      try {
        const text = await (await docs).get(COLLECTION, key(incidentId));
        if (!text) return { replies: [] };
        const r = JSON.parse(text) as SlackRecord;
        return {
          ts: r.ts,
          channel: r.channel,
          replies: Array.isArray(r.replies) ? r.replies : [],
          posting: r.posting === true,
          ...(typeof r.postingKey === 'string' ? { postingKey: r.postingKey } : {}),
        };
      } catch (err) {
        // A corrupt record reads as none; an unreachable store fails the attempt (Temporal retries it).
        if (err instanceof SyntaxError) return { replies: [] };
        throw err;
      }
    },
    async write(incidentId: string, record: SlackRecord): Promise<void> {
      await (
        await docs
      ).put(COLLECTION, key(incidentId), JSON.stringify({ ...record, replies: record.replies.slice(-REPLIES_KEPT) }));
    },
  };
}
