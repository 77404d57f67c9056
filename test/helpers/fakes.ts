// Local fakes of the services lifeline notifies, all on 127.0.0.1: an SMTP server (smtp-server), the
// PagerDuty Events v2 API over HTTPS (throwaway self-signed certificate), the Slack Web API and a webhook
// receiver that verifies lifeline's signature.
import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const portOf = (s: { address(): AddressInfo | string | null }) => (s.address() as AddressInfo).port;
const listen = (s: Server) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
const readBody = (req: IncomingMessage) =>
  new Promise<string>((r) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString('utf8')));
    req.on('end', () => r(b));
  });

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  at: number;
  /** The authenticated user of the session, if any. */ user?: string;
}

/**
 * An SMTP server. With `auth`, AUTH is required (PLAIN/LOGIN, offered without TLS on loopback) and checked
 * against those credentials — so a client really sends its password, and a wrong one is refused (535).
 */
export async function startSmtp(
  opts: { auth?: { user: string; pass: string } } = {},
): Promise<{ port: number; mails: ReceivedMail[]; auths: { user: string; ok: boolean }[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const auths: { user: string; ok: boolean }[] = [];
  const required = opts.auth;
  const server = new SMTPServer({
    ...(required
      ? {
          authOptional: false,
          allowInsecureAuth: true,
          authMethods: ['PLAIN', 'LOGIN'],
          disabledCommands: ['STARTTLS'],
          onAuth(auth, _session, done) {
            const ok = auth.username === required.user && auth.password === required.pass;
            auths.push({ user: String(auth.username), ok });
            if (!ok) return done(new Error('Invalid username or password'));
            done(null, { user: auth.username });
          },
        }
      : { authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'] }),
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          at: Date.now(),
          ...(session.user ? { user: String(session.user) } : {}),
        });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: portOf(server.server), mails, auths, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Header value from a raw message (first occurrence, unfolded, RFC 2047 words decoded). */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
  if (!m) return undefined;
  return m[1]
    .trim()
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_h, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

/** The decoded body of the first MIME part of the given type (quoted-printable or base64). */
export function mimePart(raw: string, type: string): string | undefined {
  const idx = raw.search(new RegExp(`Content-Type: ${type}`, 'i'));
  if (idx < 0) return undefined;
  const part = raw.slice(idx);
  const [head, ...rest] = part.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n').split(/\r?\n--/)[0];
  if (/base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  }
  return body;
}

export interface PagerDutyFake {
  server: string;
  ca: Buffer;
  events: Record<string, unknown>[];
  times: number[];
  respond: { status: number };
  close(): Promise<void>;
}

export async function startPagerDutyFake(): Promise<PagerDutyFake> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-pd-'));
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
  const ca = readFileSync(join(dir, 'cert.pem'));
  const events: Record<string, unknown>[] = [];
  const times: number[] = [];
  const respond = { status: 202 };
  const server = createHttps({ key: readFileSync(join(dir, 'key.pem')), cert: ca }, async (req, res) => {
    const body = await readBody(req);
    if (req.method !== 'POST' || req.url !== '/v2/enqueue') return void res.writeHead(404).end();
    const event = JSON.parse(body) as Record<string, unknown>;
    events.push(event);
    times.push(Date.now());
    res.writeHead(respond.status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        respond.status === 202
          ? { status: 'success', message: 'Event processed', dedup_key: event.dedup_key }
          : { status: 'invalid event', message: 'Event object is invalid' },
      ),
    );
  });
  await listen(server as unknown as Server);
  return {
    server: `127.0.0.1:${portOf(server)}`,
    ca,
    events,
    times,
    respond,
    close: async () => {
      await close(server as unknown as Server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SlackCall {
  method: string;
  token: string | undefined;
  args: Record<string, string>;
  at: number;
}

export async function startSlackFake(): Promise<{ url: string; calls: SlackCall[]; close(): Promise<void> }> {
  const calls: SlackCall[] = [];
  const posted: { ts: string; metadata?: unknown }[] = [];
  let next = 1;
  const server = createHttp(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    const args = Object.fromEntries(new URLSearchParams(body));
    calls.push({ method, token: req.headers.authorization, args, at: Date.now() });
    res.writeHead(200, { 'content-type': 'application/json' });
    if (method === 'chat.postMessage') {
      const ts = `1700000000.00${String(next++).padStart(4, '0')}`;
      if (!args.thread_ts)
        posted.unshift({ ts, ...(args.metadata ? { metadata: JSON.parse(args.metadata) as unknown } : {}) });
      res.end(JSON.stringify({ ok: true, channel: args.channel, ts }));
    } else if (method === 'conversations.history') res.end(JSON.stringify({ ok: true, messages: posted }));
    else if (method === 'chat.update') res.end(JSON.stringify({ ok: true, channel: args.channel, ts: args.ts }));
    else res.end(JSON.stringify({ ok: false, error: 'unknown_method' }));
  });
  await listen(server);
  return { url: `http://127.0.0.1:${portOf(server)}/api/`, calls, close: () => close(server) };
}

/**
 * A receiver that checks `x-lifeline-signature` against its own secret: over the raw body (notification
 * webhooks, the default), or over "<x-lifeline-timestamp>.<body>" (`timestamped`: the route publisher, whose
 * timestamp must also be fresh — within 5 minutes — so a replay is refused).
 */
export async function startWebhookReceiver(
  secret: string,
  opts: { scheme?: 'body' | 'timestamped' } = {},
): Promise<{
  url: string;
  accepted: { delivery: string; body: Record<string, unknown>; at: number }[];
  rejected: number;
  close(): Promise<void>;
}> {
  const state = { accepted: [] as { delivery: string; body: Record<string, unknown>; at: number }[], rejected: 0 };
  const timestamped = opts.scheme === 'timestamped';
  const server = createHttp(async (req, res) => {
    const raw = await readBody(req);
    const ts = String(req.headers['x-lifeline-timestamp'] ?? '');
    const signed = timestamped ? `${ts}.${raw}` : raw;
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(signed).digest('hex')}`);
    const got = Buffer.from(String(req.headers['x-lifeline-signature'] ?? ''));
    const fresh = !timestamped || Math.abs(Date.now() / 1000 - Number(ts)) < 300;
    if (got.length !== expected.length || !timingSafeEqual(got, expected) || !fresh) {
      state.rejected += 1;
      return void res.writeHead(401).end('bad signature');
    }
    state.accepted.push({
      delivery: String(req.headers[timestamped ? 'idempotency-key' : 'x-lifeline-delivery']),
      body: JSON.parse(raw) as Record<string, unknown>,
      at: Date.now(),
    });
    res.writeHead(204).end();
  });
  await listen(server);
  return {
    url: `http://127.0.0.1:${portOf(server)}/hooks/lifeline`,
    get accepted() {
      return state.accepted;
    },
    get rejected() {
      return state.rejected;
    },
    close: () => close(server),
  };
}
