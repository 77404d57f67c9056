// `worker:` — the worker's metrics ports, slot budgets, sticky cache and probe-loop tuning (README "Scale
// and sizing").
import { z } from 'zod';

export const workerSchema = z
  .strictObject({
    metricsHost: z.string().default('127.0.0.1'),
    metricsPort: z.union([z.number().int().min(0).max(65535), z.literal(false)]).default(false),
    /** The Temporal SDK's own metrics (schedule-to-start, sticky cache, pollers) on this port's /metrics; off by default. */
    sdkMetricsPort: z.union([z.number().int().min(1).max(65535), z.literal(false)]).default(false),
    // Slot budgets (README "Scale and sizing"). Probe loops run on their own task queue
    // (`<taskQueue>-probes`) with their own slots, so incident, notification, diagnosis and routing
    // activities on `taskQueue` never wait behind them.
    /** Short activities (incident, notification, diagnosis, routing, trial probes) run at once. */
    activitySlots: z.number().int().min(1).default(100),
    /** Workflow tasks processed at once. */
    workflowSlots: z.number().int().min(1).default(40),
    /** Workflows kept in the sticky cache: at least providers + chains + open incidents avoids replays. */
    stickyCacheSize: z.number().int().min(1).default(2000),
    /**
     * A workflow task waits this long for the worker that cached its workflow before any worker takes it
     * (SDK default 10 s): after a worker crash its workflows move on within this.
     */
    stickyQueueTimeoutMs: z.number().int().min(1000).default(3000),
    /** Probe loops (one per monitored provider in the closed state) this worker runs at once. */
    probeSlots: z.number().int().min(1).default(1200),
    /** How often a probe loop's heartbeat (its detection windows) reaches Temporal; ≤ 3 s for fast takeover. */
    probeHeartbeatMs: z.number().int().min(100).max(3000).default(3000),
    /** Sockets open at once to one provider origin (host:port), shared by every probe of that origin. */
    probeSocketsPerHost: z.number().int().min(1).default(16),
    /**
     * A probe loop returns (and is scheduled again, on any worker) after about this long without a
     * transition: how quickly loops spread onto a worker that joins. Each return costs ~6 history events.
     */
    probeLoopMaxMs: z.number().int().min(10_000).max(3_600_000).default(600_000),
    /** Each probe fires up to this share of the interval early or late, so 1,000 probes never fire together. */
    probeJitter: z.number().min(0).max(0.5).default(0.1),
    /** How often this worker sends its SLO and quota counters to the SLO entity (README "SLOs and error budgets"). */
    sloFlushMs: z.number().int().min(1000).max(300_000).default(60_000),
  })
  .prefault({});
