// Metrics of durable route publishing in the worker process (observed by the publishing activities):
// attempts that failed or delivered, the version each target last accepted, and whether a target still
// lacks a version this process queued for it. Labels: chain and target (both bounded by config).
import type { Counter, Gauge, Registry } from 'prom-client';
import { metricsOn } from './define';

type Labels = 'chain' | 'target';

export class RoutePublishMetrics {
  private readonly failures: Counter<Labels>;
  private readonly deliveries: Counter<Labels>;
  private readonly publishedVersion: Gauge<Labels>;
  private readonly pending: Gauge<Labels>;
  /** Newest version queued per chain/target by this process, to know when a delivery catches up. */
  private readonly queued = new Map<string, number>();

  constructor(registers: Registry[]) {
    const m = metricsOn(registers);
    const labels = ['chain', 'target'] as const;
    this.failures = m.counter(
      'lifeline_route_publish_failures_total',
      'Failed attempts to publish a route to a target (each is retried until it succeeds or a newer version replaces it)',
      labels,
    );
    this.deliveries = m.counter('lifeline_route_publish_deliveries_total', 'Route versions a target accepted', labels);
    this.publishedVersion = m.gauge(
      'lifeline_route_published_version',
      'Route version the target last accepted (compare with lifeline_route_version)',
      labels,
    );
    this.pending = m.gauge(
      'lifeline_route_publish_pending',
      '1 while the target lacks the newest route version this process queued or tried for it, else 0',
      labels,
    );
  }

  queuedVersion(chain: string, target: string, version: number): void {
    const key = `${chain}\0${target}`;
    if (version > (this.queued.get(key) ?? 0)) this.queued.set(key, version);
    this.pending.set({ chain, target }, 1);
  }

  failed(chain: string, target: string, version: number): void {
    this.queuedVersion(chain, target, version);
    this.failures.inc({ chain, target });
  }

  delivered(chain: string, target: string, version: number): void {
    this.deliveries.inc({ chain, target });
    this.publishedVersion.set({ chain, target }, version);
    if (version >= (this.queued.get(`${chain}\0${target}`) ?? 0)) this.pending.set({ chain, target }, 0);
  }
}
