// Starvation metrics of the worker process: how late probes fire against their schedule, how long
// activities waited between being scheduled and starting (per task queue: incident work vs probe loops),
// and the probe loops this process runs, with those that have not probed within twice their interval.
// Unlabelled by provider on purpose: at 1,000 providers a per-provider histogram is 12,000 series.
import type { Gauge, Histogram, Registry } from 'prom-client';
import { declareFamilies } from './define';

export interface ProbeLoopHandle {
  probed(at: number): void;
  done(): void;
}

interface Loop {
  intervalMs: number;
  lastProbeAt: number;
}

/** The `probes` group of metrics/families.json. */
interface Families {
  lateness: Histogram;
  scheduleToStart: Histogram<'queue' | 'activity'>;
  loops: Gauge;
  loopsStale: Gauge;
}

export class ProbeMetrics {
  private readonly f: Families;
  private readonly loops = new Set<Loop>();

  constructor(registers: Registry[]) {
    const loops = this.loops;
    this.f = declareFamilies<Families>(registers, 'probes', {
      loops() {
        this.set(loops.size);
      },
      loopsStale() {
        const now = Date.now();
        this.set([...loops].filter((l) => now - l.lastProbeAt > 2 * l.intervalMs).length);
      },
    });
  }

  probeLateness(ms: number): void {
    this.f.lateness.observe(Math.max(0, ms) / 1000);
  }

  activityStarted(queue: 'main' | 'probes', activity: string, waitedMs: number): void {
    this.f.scheduleToStart.observe({ queue, activity }, Math.max(0, waitedMs) / 1000);
  }

  /** A running probe loop; `since` counts as its last probe until it makes one. */
  probeLoop(intervalMs: number, since: number): ProbeLoopHandle {
    const loop: Loop = { intervalMs, lastProbeAt: since };
    this.loops.add(loop);
    return { probed: (at) => void (loop.lastProbeAt = at), done: () => void this.loops.delete(loop) };
  }
}
