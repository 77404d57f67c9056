// Network checks of the diagnostic checklist: DNS resolution, TCP connect, TLS handshake and the
// certificate's expiry. Each is bounded by the provider's probe timeout and never throws.
import { lookup } from 'node:dns/promises';
import { isIP, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { DiagnosticCheck } from '../../domain/incident';

/** Certificates expiring sooner than this are called out in the evidence (not a failure yet). */
const EXPIRY_WARNING_DAYS = 14;

export interface Target {
  host: string;
  port: number;
  tls: boolean;
}

export function targetOf(baseUrl: string): Target {
  const u = new URL(baseUrl);
  const tls = u.protocol === 'https:';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (tls ? 443 : 80)), tls };
}

const errText = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  return e.code
    ? `${e.code}${e.message && !e.message.includes(e.code) ? `: ${e.message}` : ''}`
    : (e.message ?? String(err));
};

export async function checkDns(t: Target): Promise<DiagnosticCheck> {
  if (isIP(t.host))
    return {
      name: 'dns',
      status: 'passed',
      detail: `${t.host} is an IP address (no lookup needed)`,
      evidence: { host: t.host },
    };
  const started = performance.now();
  try {
    const addrs = await lookup(t.host, { all: true });
    const ms = Math.round(performance.now() - started);
    return {
      name: 'dns',
      status: 'passed',
      detail: `${t.host} → ${addrs.map((a) => a.address).join(', ')} in ${ms} ms`,
      evidence: { host: t.host, addresses: addrs.map((a) => a.address), ms },
    };
  } catch (err) {
    return {
      name: 'dns',
      status: 'failed',
      detail: `${t.host} did not resolve: ${errText(err)}`,
      evidence: { host: t.host },
      suggests: 'network',
    };
  }
}

export function checkTcp(t: Target, timeoutMs: number): Promise<DiagnosticCheck> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: t.host, port: t.port });
    const done = (c: DiagnosticCheck) => {
      socket.destroy();
      resolve(c);
    };
    socket.setTimeout(timeoutMs, () =>
      done({
        name: 'tcp',
        status: 'failed',
        detail: `no TCP connection to ${t.host}:${t.port} within ${timeoutMs} ms`,
        evidence: { host: t.host, port: t.port },
        suggests: 'network',
      }),
    );
    socket.once('connect', () =>
      done({
        name: 'tcp',
        status: 'passed',
        detail: `connected to ${t.host}:${t.port} in ${Math.round(performance.now() - started)} ms`,
        evidence: { host: t.host, port: t.port },
      }),
    );
    socket.once('error', (err) =>
      done({
        name: 'tcp',
        status: 'failed',
        detail: `TCP connect to ${t.host}:${t.port} failed: ${errText(err)}`,
        evidence: { host: t.host, port: t.port },
        suggests: 'network',
      }),
    );
  });
}

export function checkTls(t: Target, timeoutMs: number, now = new Date()): Promise<DiagnosticCheck> {
  if (!t.tls)
    return Promise.resolve({
      name: 'tls',
      status: 'passed',
      detail: 'not applicable: plain http base URL',
      evidence: { applicable: false },
    });
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: t.host, port: t.port, servername: isIP(t.host) ? undefined : t.host });
    const done = (c: DiagnosticCheck) => {
      socket.destroy();
      resolve(c);
    };
    socket.setTimeout(timeoutMs, () =>
      done({ name: 'tls', status: 'failed', detail: `TLS handshake with ${t.host} timed out`, suggests: 'network' }),
    );
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const validTo = cert?.valid_to ? new Date(cert.valid_to) : undefined;
      const daysLeft = validTo ? Math.floor((validTo.getTime() - now.getTime()) / 86_400_000) : undefined;
      const evidence = {
        protocol: socket.getProtocol(),
        validTo: validTo?.toISOString(),
        daysLeft,
        authorized: socket.authorized,
      };
      if (!socket.authorized) {
        done({
          name: 'tls',
          status: 'failed',
          detail: `certificate not trusted: ${String(socket.authorizationError)}`,
          evidence,
          suggests: 'network',
        });
      } else if (daysLeft !== undefined && daysLeft < 0) {
        done({
          name: 'tls',
          status: 'failed',
          detail: `certificate expired ${-daysLeft} day(s) ago`,
          evidence,
          suggests: 'network',
        });
      } else {
        const soon =
          daysLeft !== undefined && daysLeft < EXPIRY_WARNING_DAYS ? ` (expires in ${daysLeft} day(s)!)` : '';
        done({
          name: 'tls',
          status: 'passed',
          detail: `${evidence.protocol ?? 'TLS'} handshake ok, certificate valid to ${evidence.validTo ?? '?'}${soon}`,
          evidence,
        });
      }
    });
    // rejectUnauthorized (default true) surfaces expired/untrusted certificates here.
    socket.once('error', (err) =>
      done({ name: 'tls', status: 'failed', detail: `TLS handshake failed: ${errText(err)}`, suggests: 'network' }),
    );
  });
}
