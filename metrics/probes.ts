// Starvation metrics of the worker process: how late probes fire against their schedule, how long
// activities waited between being scheduled and starting (per task queue: incident work vs probe loops),
// and the probe loops this process runs, with those that have not probed within twice their interval.
// Unlabelled by provider on purpose: at 1,000 providers a per-provider histogram is 12,000 series.
import { Gauge, type Histogram, type Registry } from 'prom-client';
import { metricsOn } from './define';

const LATENESS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const START_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface ProbeLoopHandle {
  probed(at: number): void;
  done(): void;
}

interface Loop {
  intervalMs: number;
  lastProbeAt: number;
}

export class ProbeMetrics {
  private readonly lateness: Histogram;
  private readonly scheduleToStart: Histogram<'queue' | 'activity'>;
  private readonly loops = new Set<Loop>();

  constructor(registers: Registry[]) {
    const m = metricsOn(registers);
    this.lateness = m.histogram(
      'lifeline_probe_lateness_seconds',
      'How long after its (jittered) due time a scheduled probe fired: event-loop or slot starvation shows here',
      LATENESS_BUCKETS,
    );
    this.scheduleToStart = m.histogram(
      'lifeline_activity_schedule_to_start_seconds',
      'Activity attempts: scheduled by Temporal → started on this worker (waiting for a free slot or poller)',
      START_BUCKETS,
      ['queue', 'activity'],
    );
    const loops = this.loops;
    new Gauge({
      name: 'lifeline_probe_loops',
      help: 'Probe loops (watch activities) running in this worker process',
      registers,
      collect() {
        this.set(loops.size);
      },
    });
    new Gauge({
      name: 'lifeline_probe_loops_stale',
      help: 'Probe loops of this process that have not probed within twice their interval',
      registers,
      collect() {
        const now = Date.now();
        this.set([...loops].filter((l) => now - l.lastProbeAt > 2 * l.intervalMs).length);
      },
    });
  }

  probeLateness(ms: number): void {
    this.lateness.observe(Math.max(0, ms) / 1000);
  }

  activityStarted(queue: 'main' | 'probes', activity: string, waitedMs: number): void {
    this.scheduleToStart.observe({ queue, activity }, Math.max(0, waitedMs) / 1000);
  }

  /** A running probe loop; `since` counts as its last probe until it makes one. */
  probeLoop(intervalMs: number, since: number): ProbeLoopHandle {
    const loop: Loop = { intervalMs, lastProbeAt: since };
    this.loops.add(loop);
    return { probed: (at) => void (loop.lastProbeAt = at), done: () => void this.loops.delete(loop) };
  }
}
