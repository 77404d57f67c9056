// One shared undici Agent for the monitor's probe loops: a pool per provider origin with at most
// `worker.probeSocketsPerHost` sockets, so 1,000 monitors (many of them on one host: per-model or
// per-key endpoints of one provider, or the simulator) never open 1,000 sockets, and a hung host ties up
// a bounded number of them. Sockets are kept only briefly (KEEP_ALIVE_MS, shorter than any sensible
// probe interval): monitors of one host share warm connections, but a provider probed alone every few
// seconds or more still opens (and so checks DNS, TCP and TLS on) a fresh connection each time.
// Diagnostics and breaker trials keep their one-shot timed agent (probe-timing.ts).
import { Agent } from 'undici';

const KEEP_ALIVE_MS = 2_000;

export class ProbeAgents {
  private agent?: Agent;

  constructor(private readonly socketsPerHost: number) {}

  /** The shared dispatcher (created on first use). */
  get dispatcher(): Agent {
    this.agent ??= new Agent({
      connections: this.socketsPerHost,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MS,
    });
    return this.agent;
  }

  async close(): Promise<void> {
    const a = this.agent;
    this.agent = undefined;
    await a?.destroy().catch(() => undefined);
  }
}
