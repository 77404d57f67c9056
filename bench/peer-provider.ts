// bench/peer's fake OpenAI-compatible provider: POST …/v1/chat/completions and GET …/v1/models under two
// path prefixes, `/app` (the traffic under test, sent by an app or through a gateway) and `/probe`
// (lifeline's probes), so the request log counts application attempts only. A fault applies to both:
//   outage      503 service_unavailable
//   hang        the request is never answered (the socket is cut when the provider closes)
//   rate_limit  429 rate_limit_exceeded with retry-after
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type PeerFault = 'healthy' | 'outage' | 'hang' | 'rate_limit';

export interface AppAttempt {
  /** Date.now() at arrival. */
  at: number;
  /** The fault in force when it arrived ('healthy' = it was answered normally). */
  fault: PeerFault;
}

export interface PeerProvider {
  /** Base URL for application traffic (an OpenAI client's baseURL). */
  appBaseUrl: string;
  /** Base URL for lifeline's probes. */
  probeBaseUrl: string;
  setFault(f: PeerFault): void;
  readonly attempts: AppAttempt[];
  close(): Promise<void>;
}

const RETRY_AFTER_S = 2;

function completion(model: string) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

const error = (type: string, message: string) => JSON.stringify({ error: { message, type, code: type } });

export async function startPeerProvider(opts: { latencyMs: number }): Promise<PeerProvider> {
  let fault: PeerFault = 'healthy';
  const attempts: AppAttempt[] = [];
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = req.url ?? '';
    const app = url.startsWith('/app/');
    const chat = req.method === 'POST' && url.endsWith('/v1/chat/completions');
    if (app && chat) attempts.push({ at: Date.now(), fault });
    if (fault === 'hang') return; // never answered
    const json = (status: number, payload: string, headers: Record<string, string> = {}) =>
      setTimeout(
        () => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(payload),
        opts.latencyMs,
      );
    if (fault === 'outage') return json(503, error('service_unavailable', 'The server is overloaded or down'));
    if (fault === 'rate_limit')
      return json(429, error('rate_limit_exceeded', 'Rate limit reached'), { 'retry-after': String(RETRY_AFTER_S) });
    if (req.method === 'GET' && url.endsWith('/v1/models'))
      return json(200, JSON.stringify({ object: 'list', data: [{ id: 'bench-model', object: 'model' }] }));
    if (chat) {
      let model = 'bench-model';
      try {
        model = (JSON.parse(body) as { model?: string }).model ?? model;
      } catch {
        /* the model name only decorates the answer */
      }
      return json(200, JSON.stringify(completion(model)));
    }
    json(404, error('not_found', `no route ${req.method} ${url}`));
  };

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handle(req, res, body));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    appBaseUrl: `${base}/app/v1`,
    probeBaseUrl: `${base}/probe`,
    setFault: (f) => (fault = f),
    attempts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
