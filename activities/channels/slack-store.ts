// A small keyed store under dataDir for Slack: the incident message's ts and the thread replies already
// posted. The workflow also keeps the ts; this file covers a worker that crashed after posting but
// before the activity completed, so the retry updates instead of posting a second message. A crash
// between the post and the write leaves `posting` set: the retry then looks the message up in Slack.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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

export function slackStore(dataDir: string) {
  const dir = resolve(dataDir, 'notifications', 'slack');
  const file = (incidentId: string) => join(dir, `${incidentId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  return {
    read(incidentId: string): SlackRecord {
      try {
        const r = JSON.parse(readFileSync(file(incidentId), 'utf8')) as SlackRecord;
        return {
          ts: r.ts, channel: r.channel, replies: Array.isArray(r.replies) ? r.replies : [], posting: r.posting === true,
          ...(typeof r.postingKey === 'string' ? { postingKey: r.postingKey } : {}),
        };
      } catch {
        return { replies: [] };
      }
    },
    write(incidentId: string, record: SlackRecord): void {
      mkdirSync(dir, { recursive: true });
      const f = file(incidentId);
      writeFileSync(`${f}.tmp`, JSON.stringify({ ...record, replies: record.replies.slice(-REPLIES_KEPT) }));
      renameSync(`${f}.tmp`, f); // atomic: a crash never leaves half a record
    },
  };
}
