// Slack in Socket Mode (SLACK_APP_TOKEN set): lifeline opens the connection itself, so there is no public
// HTTP endpoint to sign. Here `apps.connections.open` is answered by an undici MockAgent and the WebSocket
// goes to a local `ws` server that speaks Slack's Socket Mode envelopes: hello, then a slash command; the
// test reads lifeline's acknowledgement (envelope_id + response payload) off the socket.
import Fastify from 'fastify';
import pino from 'pino';
import { MockAgent } from 'undici';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { installSlack } from '../../api/slack/app';
import { parseConfig } from '../../config/load';
import { testConfigYaml } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

interface Ack {
  envelope_id: string;
  payload?: { text?: string; response_type?: string };
}

test('Socket Mode: connects with the app token, answers /incident commands through the socket', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as AddressInfo).port;
  const acks: Ack[] = [];
  const openRequests: { authorization?: string }[] = [];
  let socket: WebSocket | undefined;
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => acks.push(JSON.parse(String(data)) as Ack));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        connection_info: { app_id: 'A0LIFELINE' },
        debug_info: { host: 'local' },
      }),
    );
  });

  // apps.connections.open is the only HTTP call Socket Mode makes; everything else stays on 127.0.0.1.
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent.enableNetConnect(`127.0.0.1:${port}`);
  agent
    .get('https://slack.com')
    .intercept({ path: '/api/apps.connections.open', method: 'POST' })
    .reply(200, (opts) => {
      const h = opts.headers as Record<string, string> | undefined;
      openRequests.push({ authorization: h?.authorization ?? h?.Authorization });
      return { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=t1` };
    })
    .persist();

  const config = parseConfig(testConfigYaml('/tmp/lifeline-socket-mode'));
  // `/incident help` and a malformed command need no Temporal: a client that is never connected is enough.
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:9', interceptors: [] }) });
  const api = Fastify();
  await installSlack(api, {
    config,
    client,
    logger: pino({ level: 'silent' }),
    settings: {
      botToken: 'xoxb-test-not-real',
      signingSecret: 'unused-in-socket-mode',
      appToken: 'xapp-1-test-not-real',
      socketDispatcher: agent,
    },
  });
  try {
    await waitFor(
      async () => socket,
      (s) => !!s,
      'the Socket Mode connection',
      15_000,
    );
    expect(openRequests[0]?.authorization).toBe('Bearer xapp-1-test-not-real');

    const command = (envelope: string, text: string) =>
      socket!.send(
        JSON.stringify({
          envelope_id: envelope,
          type: 'slash_commands',
          accepts_response_payload: true,
          payload: {
            token: 'legacy',
            team_id: 'T0TEAM',
            team_domain: 'acme',
            channel_id: 'C0OPS',
            channel_name: 'ops',
            user_id: 'U0DANA',
            user_name: 'dana.s',
            command: '/incident',
            text,
            api_app_id: 'A0LIFELINE',
            response_url: 'http://127.0.0.1:9/response',
            trigger_id: 'trigger-1',
          },
        }),
      );

    command('env-help', 'help');
    const help = await waitFor(
      async () => acks.find((a) => a.envelope_id === 'env-help'),
      (a) => !!a,
      'the help acknowledgement',
      15_000,
    );
    expect(help!.payload?.response_type).toBe('ephemeral');
    expect(help!.payload?.text).toMatch(/\/incident declare/);

    command('env-bad', 'resolve');
    const bad = await waitFor(
      async () => acks.find((a) => a.envelope_id === 'env-bad'),
      (a) => !!a,
      'the refusal',
      15_000,
    );
    expect(bad!.payload?.text).toMatch(/^Which incident\?\nUsage: `\/incident resolve <id> \[note\]`/);
  } finally {
    await api.close(); // stops Bolt's Socket Mode client
    await new Promise((r) => wss.close(() => r(undefined)));
    await agent.close();
  }
});
