// Aggregates application outcomes per provider into short buckets and sends each provider's monitor one
// `outcomes` signal per bucket (config outcomes.flushMs, 1 s), never one per outcome: a monitor's history
// grows with time, not with traffic. Each API process sends its own buckets; the monitor adds them up.
// Outcomes are telemetry: the 202 means "accepted into this process's bucket", and a process that dies
// loses at most one bucket (unlike alerts, which are durable before their 202).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { passiveWindowFor } from '../config/outcomes';
import { addAttempt, addOutcome, emptyCounts, type OutcomeCounts } from '../domain/outcome-counts';
import { minuteOf, type OutcomeBucket, type WindowCounts } from '../domain/outcome-window';
import { monitorWorkflowId, outcomesSignal } from '../workflows/messages';
import type { OutcomeMetrics } from '../metrics/outcomes';
import type { RequestOutcome } from './outcomes';

interface Pending {
  minutes: Map<string, OutcomeCounts>;
  recent: WindowCounts;
}

export interface OutcomeBuckets {
  /** Adds a validated batch to the current buckets (the first outcome of a bucket starts its timer). */
  add(outcomes: RequestOutcome[]): void;
  /** Sends every pending bucket now (also on close). */
  flush(): Promise<void>;
  /** Signals sent so far, for tests and the bench. */
  readonly sent: number;
}

export function createOutcomeBuckets(
  client: Client,
  config: LifelineConfig,
  opts: { metrics?: OutcomeMetrics; warn?: (msg: string, err: unknown) => void; now?: () => number } = {},
): OutcomeBuckets {
  const now = opts.now ?? Date.now;
  let pending = new Map<string, Pending>();
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;

  const send = async (provider: string, p: Pending): Promise<void> => {
    const bucket: OutcomeBucket = {
      minutes: [...p.minutes].map(([minute, counts]) => ({ minute, counts })),
      recent: p.recent,
      window: passiveWindowFor(config.outcomes, provider),
    };
    try {
      await client.workflow.getHandle(monitorWorkflowId(provider)).signal(outcomesSignal, bucket);
      sent += 1;
      opts.metrics?.signal('ok');
    } catch (err) {
      // A provider without a running monitor (starting up): its outcomes have nowhere to go.
      opts.metrics?.signal(err instanceof WorkflowNotFoundError ? 'missing' : 'error');
      opts.warn?.(`outcomes for ${provider} not delivered to its monitor`, err);
    }
  };

  const flush = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = new Map();
    await Promise.all([...batch].map(([provider, p]) => send(provider, p)));
  };

  return {
    add(outcomes) {
      const t = now();
      for (const o of outcomes) {
        let p = pending.get(o.provider);
        if (!p) {
          p = { minutes: new Map(), recent: { attempts: 0, errors: 0, errorTypes: {}, trialOk: 0, trialFailed: 0 } };
          pending.set(o.provider, p);
        }
        // A client clock ahead of ours must not file outcomes under minutes that have not happened.
        const at = Math.min(Date.parse(o.at), t);
        const minute = minuteOf(at);
        let counts = p.minutes.get(minute);
        if (!counts) p.minutes.set(minute, (counts = emptyCounts()));
        addOutcome(counts, o);
        // Only fresh outcomes judge the passive window: a backlog an app flushes late is history, not news.
        if (at >= t - passiveWindowFor(config.outcomes, o.provider).windowMs) addAttempt(p.recent, o);
        opts.metrics?.outcome(o.provider, o.ok ? 'ok' : (o.errorType ?? 'other'));
      }
      if (!timer && pending.size) {
        timer = setTimeout(() => void flush(), config.outcomes.flushMs);
        timer.unref();
      }
    },
    flush,
    get sent() {
      return sent;
    },
  };
}
