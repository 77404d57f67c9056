// A minimal server-sent events reader for bench/routes-stream.ts and the route-stream integration test:
// every event as it arrives, with the time it arrived.
import { request } from 'undici';

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
  receivedAt: number;
}

export interface SseStream {
  status: number;
  headers: Record<string, unknown>;
  events: SseEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** The first collected event (from index `from` on) that satisfies `match`. */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number, from?: number): Promise<SseEvent>;
  close(): void;
}

export async function openSse(url: string, token?: string): Promise<SseStream> {
  const ac = new AbortController();
  const res = await request(url, {
    headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: ac.signal,
  });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  res.body.setEncoding('utf8');
  res.body.on('data', (chunk: string) => {
    buffer += chunk;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const i = line.indexOf(':');
        if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
      }
      if (fields.data !== undefined)
        events.push({ event: fields.event ?? 'message', id: fields.id, data: fields.data, receivedAt: Date.now() });
    }
    waiters.forEach((w) => w());
  });
  const ended = new Promise<void>((resolve) => {
    res.body.once('end', resolve);
    res.body.once('error', () => resolve());
    res.body.once('close', resolve);
  });
  return {
    status: res.statusCode,
    headers: res.headers,
    events,
    ended,
    next(match, timeoutMs = 30_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const e = events.slice(from).find(match);
          if (!e) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(e);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms (${events.length} seen)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => ac.abort(),
  };
}
