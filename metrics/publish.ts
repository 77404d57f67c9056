// Metrics of durable route publishing in the worker process (observed by the publishing activities):
// attempts that failed or delivered, the version each target last accepted, and whether a target still
// lacks a version this process queued for it. Labels: chain and target (both bounded by config).
import type { Counter, Gauge, Registry } from 'prom-client';
import { declareFamilies } from './define';

type Labels = 'chain' | 'target';

/** The `routePublish` group of metrics/families.json. */
interface Families {
  failures: Counter<Labels>;
  deliveries: Counter<Labels>;
  publishedVersion: Gauge<Labels>;
  pending: Gauge<Labels>;
}

export class RoutePublishMetrics {
  private readonly f: Families;
  /** Newest version queued per chain/target by this process, to know when a delivery catches up. */
  private readonly queued = new Map<string, number>();

  constructor(registers: Registry[]) {
    this.f = declareFamilies<Families>(registers, 'routePublish');
  }

  queuedVersion(chain: string, target: string, version: number): void {
    const key = `${chain}\0${target}`;
    if (version > (this.queued.get(key) ?? 0)) this.queued.set(key, version);
    this.f.pending.set({ chain, target }, 1);
  }

  failed(chain: string, target: string, version: number): void {
    this.queuedVersion(chain, target, version);
    this.f.failures.inc({ chain, target });
  }

  delivered(chain: string, target: string, version: number): void {
    this.f.deliveries.inc({ chain, target });
    this.f.publishedVersion.set({ chain, target }, version);
    if (version >= (this.queued.get(`${chain}\0${target}`) ?? 0)) this.f.pending.set({ chain, target }, 0);
  }
}
