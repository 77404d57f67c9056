// bench/routes-stream: how fast a route change reaches apps that hold GET /v1/routes/:chain/events open.
// Embedded lifeline (dev server, worker, API in this process); N SSE clients on chain `chat`; M operator
// weight changes through the API (openai ⇄ anthropic). Latency per client and change: the moment the
// client received the event minus the route's updatedAt (the time the routing entity applied it — same
// process clock). Target p95 < 200 ms.
//   npm run bench:routes        (BENCH_CLIENTS=50, BENCH_CHANGES=20)
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { buildApi } from '../api/server';
import { openSse, type SseStream } from './sse-client';
import { embeddedStack, pct, runBench, until } from './util';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 20);
const TARGET_P95_MS = 200;
const TOKEN = randomBytes(12).toString('hex');

const configYaml = (dataDir: string) => `
temporal: { address: embedded, port: 0, uiPort: false, taskQueue: bench-routes }
dataDir: ${dataDir}
auth: { tokens: [{ name: bench, tokenEnv: BENCH_ROUTES_TOKEN, scopes: [read, operate] }] }
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini], probe: { intervalMs: 1000 } }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic", models: [claude-haiku-4-5], probe: { intervalMs: 1000 } }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
services:
  - { id: bot, chains: [chat], users: 12000 }
recovery: { shiftStepMs: 100 }
`;

interface RouteEvent {
  version: number;
  updatedAt: string;
  weights: Record<string, number>;
}

async function main(): Promise<void> {
  process.env.BENCH_ROUTES_TOKEN = TOKEN;
  console.log(`bench/routes-stream: ${CLIENTS} SSE clients, ${CHANGES} route changes; starting the stack…`);
  const { config, logger, services, stop } = await embeddedStack(configYaml, 'warn');
  const api = await buildApi({ config, client: services.client, logger, env: process.env });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const streams: SseStream[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) streams.push(await openSse(`${url}/v1/routes/chat/events`, TOKEN));
    if (streams.some((s) => s.status !== 200)) throw new Error(`a stream was refused: ${streams.map((s) => s.status)}`);
    await Promise.all(streams.map((s) => s.next(() => true, 30_000)));
    const latencies: number[] = [];
    for (let c = 0; c < CHANGES; c++) {
      const to = c % 2 === 0 ? 'anthropic' : 'openai';
      const from = streams.map((s) => s.events.length);
      const res = await request(`${url}/v1/routes/chat/weights`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ weights: { [to]: 100 }, by: 'bench' }),
      });
      const answer = await res.body.text();
      if (res.statusCode !== 202) throw new Error(`weights change answered ${res.statusCode}: ${answer}`);
      // Each client: the event that carries the change (every step of it, if the shift takes several).
      const got = await Promise.all(
        streams.map((s, i) =>
          s
            .next((e) => (JSON.parse(e.data) as RouteEvent).weights[to] === 100, 30_000, from[i])
            .then(() => s.events.slice(from[i])),
        ),
      );
      for (const events of got)
        for (const e of events) latencies.push(e.receivedAt - Date.parse((JSON.parse(e.data) as RouteEvent).updatedAt));
      // The shift is finished before the next change is asked for (changes would queue otherwise).
      await until(
        () =>
          request(`${url}/v1/routes/chat/shift`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) =>
            r.body.json(),
          ),
        (b) => (b as { status?: string }).status === 'COMPLETED',
        'the shift to finish',
      );
    }
    const f = (ms: number) => `${Math.round(ms)} ms`;
    const p95 = pct(latencies, 95);
    console.log(
      `\nroute change → received by an SSE client (${latencies.length} deliveries, ${CLIENTS} clients, ${CHANGES} changes)`,
    );
    console.log(`  p50 ${f(pct(latencies, 50))}   p95 ${f(p95)}   max ${f(Math.max(...latencies))}`);
    console.log(`  target p95 < ${TARGET_P95_MS} ms: ${p95 < TARGET_P95_MS ? 'met' : 'MISSED'}`);
    if (p95 >= TARGET_P95_MS) process.exitCode = 1;
  } finally {
    streams.forEach((s) => s.close());
    await api.close();
    await stop();
  }
}

runBench('bench/routes-stream', main);
