// Receivers of lifeline's deliveries for the crash and outage tests, all on 127.0.0.1: PagerDuty Events v2
// (HTTPS, throwaway certificate), the Slack Web API, SMTP and signed webhooks. Unlike test/helpers/fakes.ts
// each one can
//  - hold requests that match a predicate unanswered (the message has *arrived*, as at a real receiver,
//    but the sender waits for the reply) until `release()`, so a test can kill the sender mid-delivery;
//  - go down (connection refused) and come back on the same port, as an outage of our own dependency.
// Everything received is recorded with the id a receiver would deduplicate on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/** Requests matching the predicate wait in `pass()` until `release()`. */
export class Gate<T> {
  private preds: ((x: T) => boolean)[] = [];
  private waiting: (() => void)[] = [];
  readonly held: T[] = [];

  hold(pred: (x: T) => boolean): void {
    this.preds.push(pred);
  }

  pass(x: T): Promise<void> {
    if (!this.preds.some((p) => p(x))) return Promise.resolve();
    this.held.push(x);
    return new Promise((r) => this.waiting.push(r));
  }

  /** Answers everything held and stops holding; `held` starts afresh. */
  release(): void {
    this.preds = [];
    this.held.length = 0;
    for (const w of this.waiting.splice(0)) w();
  }
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((r) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString('utf8')));
    req.on('end', () => r(b));
  });

/** An HTTP(S) server that can be taken down and brought back on the same port. */
function restartable(make: () => Server) {
  let server = make();
  let port = 0;
  return {
    get port() {
      return port;
    },
    async up(): Promise<void> {
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
      port = (server.address() as AddressInfo).port;
    },
    async down(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      server = make();
    },
  };
}

function selfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-pd-'));
  try {
    execFileSync(
      '/usr/bin/openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PdEvent {
  event_action: string;
  dedup_key: string;
  routing_key: string;
  payload?: Record<string, unknown>;
  at: number;
}

/** PagerDuty Events v2 (`POST /v2/enqueue`) over HTTPS; `caFile` is for NODE_EXTRA_CA_CERTS of a worker process. */
export async function startPagerDutyReceiver() {
  const { key, cert } = selfSignedCert();
  const caDir = mkdtempSync(join(tmpdir(), 'lifeline-pd-ca-'));
  const caFile = join(caDir, 'ca.pem');
  writeFileSync(caFile, cert);
  const events: PdEvent[] = [];
  const gate = new Gate<PdEvent>();
  const srv = restartable(
    () =>
      createHttps({ key, cert }, async (req, res) => {
        const body = await readBody(req);
        if (req.method !== 'POST' || req.url !== '/v2/enqueue') return void res.writeHead(404).end();
        const event = { ...(JSON.parse(body) as Omit<PdEvent, 'at'>), at: Date.now() };
        events.push(event); // PagerDuty has the event once it has the body
        await gate.pass(event);
        if (res.destroyed) return;
        res
          .writeHead(202, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }));
      }) as unknown as Server,
  );
  await srv.up();
  return {
    server: `127.0.0.1:${srv.port}`,
    ca: cert,
    caFile,
    events,
    gate,
    down: () => srv.down(),
    up: () => srv.up(),
    close: async () => {
      gate.release();
      await srv.down();
      rmSync(caDir, { recursive: true, force: true });
    },
  };
}

export interface SlackCall {
  method: string;
  args: Record<string, string>;
  at: number;
}

/** The Slack Web API methods lifeline uses; a held chat.postMessage has already been posted (history has it). */
export async function startSlackReceiver() {
  const calls: SlackCall[] = [];
  const posted: { ts: string; text?: string; metadata?: unknown }[] = [];
  const gate = new Gate<SlackCall>();
  let next = 1;
  const srv = restartable(() =>
    createHttp(async (req: IncomingMessage, res: ServerResponse) => {
      const body = await readBody(req);
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      const call = { method, args: Object.fromEntries(new URLSearchParams(body)), at: Date.now() };
      calls.push(call);
      let reply: Record<string, unknown>;
      if (method === 'chat.postMessage') {
        const ts = `1700000000.${String(next++).padStart(6, '0')}`;
        if (!call.args.thread_ts)
          posted.unshift({
            ts,
            text: call.args.text,
            ...(call.args.metadata ? { metadata: JSON.parse(call.args.metadata) as unknown } : {}),
          });
        reply = { ok: true, channel: call.args.channel, ts };
      } else if (method === 'conversations.history') reply = { ok: true, messages: posted };
      else if (method === 'chat.update') reply = { ok: true, channel: call.args.channel, ts: call.args.ts };
      else reply = { ok: false, error: 'unknown_method' };
      await gate.pass(call);
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    }),
  );
  await srv.up();
  return {
    get url() {
      return `http://127.0.0.1:${srv.port}/api/`;
    },
    calls,
    gate,
    /** Top-level messages (not thread replies) that mention the text. */
    roots: (text: string) =>
      calls.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts && c.args.text?.includes(text)),
    down: () => srv.down(),
    up: () => srv.up(),
    close: async () => {
      gate.release();
      await srv.down();
    },
  };
}

export interface Mail {
  to: string[];
  raw: string;
  messageId: string;
  incident?: string;
  subject: string;
  at: number;
}

function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
}

/** SMTP; a held message has been received in full but not yet answered with 250. */
export async function startSmtpReceiver() {
  const mails: Mail[] = [];
  const gate = new Gate<Mail>();
  let port = 0;
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, done) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
        stream.on('end', () => {
          const mail = {
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            at: Date.now(),
            messageId: headerOf(raw, 'Message-ID') ?? '',
            incident: headerOf(raw, 'X-Lifeline-Incident'),
            subject: headerOf(raw, 'Subject') ?? '',
          };
          mails.push(mail);
          void gate.pass(mail).then(() => done());
        });
      },
    });
  let server = make();
  const up = async () => {
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    port = (server.server.address() as AddressInfo).port;
  };
  const down = async () => {
    // smtp-server waits for open sessions on close; a refused connection is what matters here.
    await Promise.race([
      new Promise<void>((r) => server.close(() => r())),
      new Promise<void>((r) => setTimeout(r, 2000).unref()),
    ]);
    server = make();
  };
  await up();
  return {
    get port() {
      return port;
    },
    mails,
    gate,
    down,
    up,
    close: async () => {
      gate.release();
      await down();
    },
  };
}

export interface Hook {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

/** A webhook receiver; `idHeader` names the header a receiver deduplicates on. */
export async function startWebhookReceiver(idHeader: string) {
  const hooks: Hook[] = [];
  const gate = new Gate<Hook>();
  const srv = restartable(() =>
    createHttp(async (req, res) => {
      const raw = await readBody(req);
      const hook = {
        id: String(req.headers[idHeader] ?? ''),
        body: JSON.parse(raw) as Record<string, unknown>,
        at: Date.now(),
      };
      hooks.push(hook);
      await gate.pass(hook);
      if (res.destroyed) return;
      res.writeHead(204).end();
    }),
  );
  await srv.up();
  return {
    get url() {
      return `http://127.0.0.1:${srv.port}/hooks`;
    },
    hooks,
    gate,
    down: () => srv.down(),
    up: () => srv.up(),
    close: async () => {
      gate.release();
      await srv.down();
    },
  };
}

/** Logical messages: repeats carrying the same id count once. */
export function distinct<T>(items: T[], id: (x: T) => string): string[] {
  return [...new Set(items.map(id))];
}
