// A small fake lifeline implementing the route-client contract (route JSON with ETag and long-poll, the SSE
// stream, POST /v1/outcomes), and fake providers that answer 200, 503 or never.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Route } from '../src/types';

export const TOKEN = 'read-token';
export const INGEST = 'ingest-token';

function listen(server: Server, port = 0): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  (server as Server & { sockets?: Set<Socket> }).sockets = sockets;
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
}

function shut(server: Server): Promise<void> {
  for (const s of (server as Server & { sockets?: Set<Socket> }).sockets ?? []) s.destroy();
  return new Promise((r) => server.close(() => r()));
}

export interface FakeLifeline {
  url: string;
  port: number;
  route: Route;
  /** Every POST /v1/outcomes body, in order. */
  batches: { auth: string | undefined; body: any }[];
  /** GET requests by kind. */
  hits: { events: number; polls: number };
  setRoute(change: Partial<Route>): Route;
  /** Closes the server (lifeline down); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startFakeLifeline(initial: Partial<Route>, opts: { sse?: boolean } = {}): Promise<FakeLifeline> {
  const streams = new Set<ServerResponse>();
  const pollers = new Set<() => void>();
  const etag = () => `"${fake.route.version}"`;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (req.method === 'POST' && u.pathname === '/v1/outcomes') {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        if (auth !== `Bearer ${INGEST}`) return json(401, { error: 'unauthorized' });
        const body = JSON.parse(raw) as { outcomes: unknown[] };
        fake.batches.push({ auth, body });
        json(202, { accepted: body.outcomes.length });
      });
      return;
    }
    if (auth !== `Bearer ${TOKEN}`) return json(401, { error: 'unauthorized' });
    if (u.pathname === `/v1/routes/${fake.route.id}/events`) {
      if (opts.sse === false) return json(404, { error: 'not found' });
      fake.hits.events++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(`event: route\nid: ${fake.route.version}\ndata: ${JSON.stringify(fake.route)}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (u.pathname === `/v1/routes/${fake.route.id}`) {
      fake.hits.polls++;
      const wait = Number(u.searchParams.get('wait') ?? 0);
      const answer = () => {
        if (req.headers['if-none-match'] === etag()) return res.writeHead(304, { etag: etag() }).end();
        json(200, fake.route, { etag: etag() });
      };
      if (!wait || req.headers['if-none-match'] !== etag()) return answer();
      const done = () => (pollers.delete(done), clearTimeout(t), answer());
      const t = setTimeout(done, wait * 1000);
      pollers.add(done);
      return;
    }
    json(404, { error: 'not found' });
  };
  let server = createServer(handler);
  const port = await listen(server);
  const fake: FakeLifeline = {
    url: `http://127.0.0.1:${port}`,
    port,
    route: {
      id: 'chat',
      mode: 'normal',
      version: 1,
      updatedAt: new Date().toISOString(),
      hints: {},
      down: [],
      weights: {},
      ...initial,
    },
    batches: [],
    hits: { events: 0, polls: 0 },
    setRoute(change) {
      fake.route = { ...fake.route, ...change, version: fake.route.version + 1, updatedAt: new Date().toISOString() };
      for (const s of streams)
        s.write(`event: route\nid: ${fake.route.version}\ndata: ${JSON.stringify(fake.route)}\n\n`);
      for (const p of [...pollers]) p();
      return fake.route;
    },
    async stop() {
      for (const s of streams) s.destroy();
      streams.clear();
      await shut(server);
    },
    async start() {
      server = createServer(handler);
      await listen(server, port);
    },
  };
  return fake;
}

export type ProviderMode = 'ok' | '503' | 'hang';

export interface FakeProvider {
  name: string;
  url: string;
  mode: ProviderMode;
  hits: number;
  close(): Promise<void>;
}

export async function startFakeProvider(name: string, mode: ProviderMode = 'ok'): Promise<FakeProvider> {
  const server = createServer((req, res) => {
    p.hits++;
    req.resume();
    if (p.mode === 'hang') return; // never answers; the client's attempt timeout must move on
    if (p.mode === '503')
      return res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"overloaded"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ provider: name }));
  });
  const port = await listen(server);
  const p: FakeProvider = { name, url: `http://127.0.0.1:${port}`, mode, hits: 0, close: () => shut(server) };
  return p;
}

/** A port nothing listens on: connection refused. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await shut(server);
  return `http://127.0.0.1:${port}`;
}

/** Deterministic random source (mulberry32), so distribution tests never flake. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
