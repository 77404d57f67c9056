// Per-phase timings of one HTTP probe (DNS, TCP connect, TLS, time to first byte, total) with undici: a
// one-shot Agent whose connector opens the socket itself and times each step. A probe deliberately uses a
// fresh connection, since connection set-up is part of what it checks (a pooled socket would hide DNS and
// TLS failures).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Agent, type buildConnector } from 'undici';

export interface PhaseTimings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  ttfbMs?: number;
  totalMs?: number;
}

const ms = (from: number) => Math.round((performance.now() - from) * 10) / 10;

export function timedAgent(timeoutMs: number): { agent: Agent; timings: PhaseTimings; started: number } {
  const timings: PhaseTimings = {};
  const started = performance.now();
  const connector: buildConnector.connector = (opts, cb) => {
    const t0 = performance.now();
    let dnsDone = t0;
    const lookup = (
      host: string,
      o: object,
      done: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
    ) => {
      dnsLookup(host, o, (err, address, family) => {
        dnsDone = performance.now();
        timings.dnsMs = ms(t0);
        done(err, address as string, family);
      });
    };
    const secure = opts.protocol === 'https:';
    const port = Number(opts.port) || (secure ? 443 : 80);
    const socket: Socket = secure
      ? tlsConnect({
          host: opts.hostname,
          port,
          servername: opts.servername ?? opts.hostname,
          lookup,
          ALPNProtocols: ['http/1.1'],
        })
      : netConnect({ host: opts.hostname, port, lookup });
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      if (err) {
        socket.destroy();
        cb(err, null);
      } else cb(null, socket);
    };
    socket.setTimeout(timeoutMs, () =>
      finish(Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' })),
    );
    socket.once('connect', () => {
      if (timings.dnsMs === undefined) timings.dnsMs = 0; // an IP literal: no lookup
      timings.connectMs = ms(dnsDone);
      if (!secure) finish(null);
    });
    const tcpDone = () => performance.now();
    if (secure) {
      let tlsStart = 0;
      socket.once('connect', () => (tlsStart = tcpDone()));
      socket.once('secureConnect', () => {
        timings.tlsMs = ms(tlsStart);
        finish(null);
      });
    }
    socket.once('error', (err) => finish(err));
  };
  // One connection, no keep-alive: the agent is closed after the probe.
  return { agent: new Agent({ connect: connector, pipelining: 0, connections: 1 }), timings, started };
}

export function markTtfb(t: PhaseTimings, started: number): void {
  t.ttfbMs = ms(started);
}

export function markTotal(t: PhaseTimings, started: number): void {
  t.totalMs = ms(started);
}
