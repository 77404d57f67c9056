// Metrics observed by activities in the worker process: probes, notification deliveries and, once per
// closed incident, its MTTx durations. Workflows cannot touch prom-client (sandbox, replay), so every
// observation happens at the activity edge. Labels are bounded by config (provider, channel) or by enums
// (category, severity): never an incident ID.
import type { Counter, Histogram, Registry } from 'prom-client';
import { metricsOn } from './define';
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

const MTTX = { mttd: 'detect', mtta: 'acknowledge', mttm: 'mitigate', mttr: 'resolve' } as const;
/** Seconds: from a fast automated detection to a day-long incident. */
const MTTX_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400];
/** The in-process memory of incidents already observed (the archive store is the durable one). */
const SEEN_LIMIT = 10_000;

export class ActivityMetrics {
  private readonly probes: Counter<'provider' | 'type' | 'outcome'>;
  private readonly probeSeconds: Histogram<'provider' | 'type'>;
  private readonly deliveries: Counter<'channel' | 'status'>;
  private readonly deliveryFailures: Counter<'channel' | 'retryable'>;
  private readonly deliverySeconds: Histogram<'channel'>;
  private readonly mttx: Record<keyof typeof MTTX, Histogram<'provider' | 'severity'>>;
  private readonly seen = new Set<string>();
  /** Durable route publishing per chain and target. */
  readonly routePublish: RoutePublishMetrics;
  /** Probe lateness, schedule-to-start latency and probe-loop gauges (metrics/probes.ts). */
  readonly starvation: ProbeMetrics;

  constructor(registers: Registry[]) {
    const m = metricsOn(registers);
    this.probes = m.counter(
      'lifeline_probes_total',
      'Provider health probes, by outcome: ok, or the failure category',
      ['provider', 'type', 'outcome'],
    );
    this.probeSeconds = m.histogram(
      'lifeline_probe_duration_seconds',
      'Provider probe latency (request to last body byte, or to the error)',
      [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ['provider', 'type'],
    );
    this.deliveries = m.counter(
      'lifeline_notification_deliveries_total',
      'Notifications a channel accepted (delivered) or deliberately did not send (skipped)',
      ['channel', 'status'],
    );
    this.deliveryFailures = m.counter(
      'lifeline_notification_failures_total',
      'Failed delivery attempts; retryable ones are retried by Temporal with backoff',
      ['channel', 'retryable'],
    );
    this.deliverySeconds = m.histogram(
      'lifeline_notification_delivery_duration_seconds',
      'Time one delivery attempt took, success or failure',
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ['channel'],
    );
    const mttx = (key: keyof typeof MTTX) =>
      m.histogram(
        `lifeline_incident_time_to_${MTTX[key]}_seconds`,
        `${key.toUpperCase()} of resolved incidents, observed once per incident when it is archived`,
        MTTX_BUCKETS,
        ['provider', 'severity'],
      );
    this.mttx = { mttd: mttx('mttd'), mtta: mttx('mtta'), mttm: mttx('mttm'), mttr: mttx('mttr') };
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
    this.probes.inc({ provider, type: r.type, outcome: r.ok ? 'ok' : (r.category ?? 'unknown') });
    this.probeSeconds.observe({ provider, type: r.type }, r.latencyMs / 1000);
  }

  delivered(channel: string, status: 'delivered' | 'skipped', seconds: number): void {
    this.deliveries.inc({ channel, status });
    this.deliverySeconds.observe({ channel }, seconds);
  }

  deliveryFailed(channel: string, retryable: boolean, seconds: number): void {
    this.deliveryFailures.inc({ channel, retryable: String(retryable) });
    this.deliverySeconds.observe({ channel }, seconds);
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
