// lifeline's Prometheus metrics: one prom-client Registry per process (never the global default, so an
// embedding app or a second stack in the same process cannot collide with ours). `lifeline up` shares it
// between worker and API; `lifeline worker` serves it on worker.metricsPort (worker/metrics-server.ts).
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ActivityMetrics } from './activity';
import { IngestMetrics } from './ingest';
import { OutcomeMetrics } from './outcomes';

export { ActivityMetrics } from './activity';
export { IngestMetrics } from './ingest';
export { OutcomeMetrics } from './outcomes';

export interface LifelineMetrics {
  registry: Registry;
  activity: ActivityMetrics;
  ingest: IngestMetrics;
  outcomes: OutcomeMetrics;
}

/** processMetrics: Node's CPU, memory, event-loop lag and GC series (prom-client defaults, `lifeline_` prefix). */
export function createMetrics(opts: { processMetrics?: boolean } = {}): LifelineMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'lifeline_' });
  return {
    registry,
    activity: new ActivityMetrics([registry]),
    ingest: new IngestMetrics([registry]),
    outcomes: new OutcomeMetrics([registry]),
  };
}
