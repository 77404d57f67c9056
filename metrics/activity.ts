// Metrics observed by activities in the worker process: probes, notification deliveries and, once per
// closed incident, its MTTx durations. Workflows cannot touch prom-client (sandbox, replay), so every
// observation happens at the activity edge. Labels are bounded by config (provider, channel) or by enums
// (category, severity): never an incident ID.
import type { Counter, Histogram, Registry } from 'prom-client';
import { declareFamilies } from './define';
import type { IncidentState } from '../domain/incident';
import { incidentDurations } from '../domain/report';
import { RoutePublishMetrics } from './publish';
import { ProbeMetrics, type ProbeLoopHandle } from './probes';

/** What a probe reports that metrics care about (activities/probe.ts ProbeResult satisfies it). */
export interface ProbeOutcome {
  ok: boolean;
  category: string | null;
  latencyMs: number;
  type: string;
}

/** The in-process memory of incidents already observed (the archive store is the durable one). */
const SEEN_LIMIT = 10_000;

/** The `activity` group of metrics/families.json. */
interface Families {
  probes: Counter<'provider' | 'type' | 'outcome'>;
  probeSeconds: Histogram<'provider' | 'type'>;
  deliveries: Counter<'channel' | 'status'>;
  deliveryFailures: Counter<'channel' | 'retryable'>;
  deliverySeconds: Histogram<'channel'>;
}

export class ActivityMetrics {
  private readonly f: Families;
  /** The `incidentDurations` group, keyed like domain/report's incidentDurations. */
  private readonly mttx: Record<'mttd' | 'mtta' | 'mttm' | 'mttr', Histogram<'provider' | 'severity'>>;
  private readonly seen = new Set<string>();
  /** Durable route publishing per chain and target. */
  readonly routePublish: RoutePublishMetrics;
  /** Probe lateness, schedule-to-start latency and probe-loop gauges (metrics/probes.ts). */
  readonly starvation: ProbeMetrics;

  constructor(registers: Registry[]) {
    this.f = declareFamilies<Families>(registers, 'activity');
    this.mttx = declareFamilies<ActivityMetrics['mttx']>(registers, 'incidentDurations');
    this.routePublish = new RoutePublishMetrics(registers);
    this.starvation = new ProbeMetrics(registers);
  }

  probeLateness(ms: number): void {
    this.starvation.probeLateness(ms);
  }

  probeLoop(intervalMs: number, since: number): ProbeLoopHandle {
    return this.starvation.probeLoop(intervalMs, since);
  }

  probe(provider: string, r: ProbeOutcome): void {
    this.f.probes.inc({ provider, type: r.type, outcome: r.ok ? 'ok' : (r.category ?? 'unknown') });
    this.f.probeSeconds.observe({ provider, type: r.type }, r.latencyMs / 1000);
  }

  delivered(channel: string, status: 'delivered' | 'skipped', seconds: number): void {
    this.f.deliveries.inc({ channel, status });
    this.f.deliverySeconds.observe({ channel }, seconds);
  }

  deliveryFailed(channel: string, retryable: boolean, seconds: number): void {
    this.f.deliveryFailures.inc({ channel, retryable: String(retryable) });
    this.f.deliverySeconds.observe({ channel }, seconds);
  }

  /**
   * A closed incident's durations, at most once per incident ID in this process (the caller dedupes
   * durably: the archive activity observes only when it writes an incident's first archive entry).
   * Returns whether it observed.
   */
  incidentClosed(s: IncidentState): boolean {
    if (s.status !== 'resolved' || this.seen.has(s.id)) return false;
    if (this.seen.size >= SEEN_LIMIT) this.seen.delete(this.seen.values().next().value!);
    this.seen.add(s.id);
    const labels = { provider: s.provider, severity: s.severity ?? 'unknown' };
    for (const d of incidentDurations(s)) if (d.ms !== null) this.mttx[d.name].observe(labels, d.ms / 1000);
    return true;
  }
}
