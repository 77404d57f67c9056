// GET /v1/routes/:chain/events: the chain's route as server-sent events — the current route at once,
// then one `route` event per change (id = route version), and a `: ping` comment every 15 s so proxies
// keep a quiet stream open. Every stream of a chain is fed by the process's one RouteWatcher loop.
import type { FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { isRouteChange, type RouteView } from '../domain/route-view';
import { HttpError } from './errors';
import { RouteWatcher, SubscriberLimitError, WatcherClosedError } from './route-watcher';
import { chainParams } from './schemas';
import { SSE_PING, sseEvent } from './sse';

export const PING_MS = 15_000;
/** A client that reads slower than this much buffered output is cut off (it reconnects and gets the latest). */
const MAX_BUFFERED_BYTES = 256 * 1024;

/** A subscription the watcher refused (limit reached, or the server is closing) as a 503 with retry-after. */
function as503(reply: FastifyReply, err: unknown): unknown {
  if (!(err instanceof SubscriberLimitError || err instanceof WatcherClosedError)) return err;
  reply.header('retry-after', '5');
  return new HttpError(503, `${err.message}; retry shortly`);
}

export function subscribeOr503(reply: FastifyReply, subscribe: () => () => void): () => void {
  try {
    return subscribe();
  } catch (err) {
    throw as503(reply, err);
  }
}

export async function waitOr503<T>(reply: FastifyReply, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    throw as503(reply, err);
  }
}

export function registerRouteStream(
  app: FastifyInstance,
  deps: { watcher: RouteWatcher; knownChain: (chain: string) => boolean; read: { onRequest: onRequestHookHandler } },
): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/routes/:chain/events',
    {
      ...deps.read,
      schema: {
        params: chainParams,
        summary: 'Server-sent events: `event: route`, `id: <version>`, `data: <route JSON>` now and on every change',
      },
    },
    async (req, reply) => {
      const { chain } = req.params;
      if (!deps.knownChain(chain)) throw new HttpError(404, `chain ${chain} not found`);
      const first = await deps.watcher.current(chain);
      if (req.method === 'HEAD') return reply.header('content-type', 'text/event-stream').send();
      const res = reply.raw;
      let last: RouteView = first;
      const timers: { ping?: NodeJS.Timeout } = {};
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(timers.ping);
        unsubscribe();
        if (!res.writableEnded) res.end();
      };
      const write = (text: string) => {
        if (ended) return;
        res.write(text);
        if (res.writableLength > MAX_BUFFERED_BYTES) end();
      };
      const unsubscribe = subscribeOr503(reply, () =>
        deps.watcher.subscribe(chain, {
          onView: (v) => {
            if (!isRouteChange(last, v)) return;
            last = v;
            write(sseEvent('route', v.version, v));
          },
          // Shutdown: the stream ends and its socket with it, so close() does not wait on it.
          onClose: () => {
            end();
            res.once('finish', () => res.socket?.end());
          },
        }),
      );
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no', // nginx: pass events through at once
      });
      write(sseEvent('route', first.version, first));
      timers.ping = setInterval(() => write(SSE_PING), PING_MS);
      req.raw.socket.setNoDelay(true);
      res.on('close', end); // the client went away
    },
  );
}
