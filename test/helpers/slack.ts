// Requests signed exactly as Slack signs them (v0 HMAC-SHA256 over `v0:timestamp:body`), and a local
// stand-in for Slack's response_url endpoint.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export const SIGNING_SECRET = 'test-signing-secret-8c1e';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export async function postToSlackEndpoint(
  url: string,
  body: string,
  opts: { secret?: string; timestamp?: number; signature?: string; contentType?: string } = {},
) {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await request(`${url}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? slackSignature(opts.secret ?? SIGNING_SECRET, timestamp, body),
    },
    body,
  });
  const text = await res.body.text();
  const ms = performance.now() - started;
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, text, json, ms };
}

/** Slack gives every invocation its own trigger_id (and every click its own action_ts); so do these helpers. */
let seq = 0;
const nextId = () => `${Date.now()}.${++seq}`;

/** ids: pass the same ones again to build a redelivery of the same command or click. */
export function slashCommand(
  text: string,
  user: { id: string; name: string },
  responseUrl: string,
  ids: { triggerId?: string } = {},
): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: 'C1',
    channel_name: 'incidents',
    user_id: user.id,
    user_name: user.name,
    command: '/incident',
    text,
    api_app_id: 'A1',
    response_url: responseUrl,
    trigger_id: ids.triggerId ?? nextId(),
  }).toString();
}

export function buttonClick(
  actionId: string,
  value: string,
  user: { id: string; name: string },
  responseUrl: string,
  ids: { triggerId?: string; actionTs?: string } = {},
): string {
  const payload = {
    type: 'block_actions',
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: ids.triggerId ?? nextId(),
    team: { id: 'T1', domain: 'acme' },
    user: { id: user.id, username: user.name, name: user.name, team_id: 'T1' },
    channel: { id: 'C1', name: 'incidents' },
    container: { type: 'message', message_ts: '1.000', channel_id: 'C1' },
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: `incident:${value}`,
        value,
        action_ts: ids.actionTs ?? nextId(),
        text: { type: 'plain_text', text: actionId },
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Collects what lifeline posts to response_url. */
export interface ResponseSink {
  url: string;
  received: any[];
  close(): Promise<void>;
}

export async function startResponseSink(): Promise<ResponseSink> {
  const received: any[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      try {
        received.push(JSON.parse(body));
      } catch {
        received.push(body);
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/respond`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
