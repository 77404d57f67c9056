// The ingestion path shared by /v1/alerts, /v1/alerts/alertmanager and /v2/enqueue: alerts grouped by
// scope go through one group-commit batcher (client/alert-batcher.ts), so concurrent requests share
// signals, and each request is answered only after its alerts are recorded in Temporal — in the scope's
// intake workflow (workflows/intake.ts), which forwards summaries to the incident whatever its phase.
import type { Client } from '@temporalio/client';
import { AlertBatcher, type BatchObserver, type BatchResult } from '../client/alert-batcher';
import { IntakeRecorder } from '../client/intake-recorder';
import type { Alert } from '../domain/incident';
import { HttpError } from './errors';
import type { IntakeInput } from '../workflows/messages';

/** Alert details are kept in history and in the sample: a single alert may not bring a megabyte. */
const MAX_DETAILS_BYTES = 8 * 1024;

export function boundDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  const size = JSON.stringify(details).length;
  return size <= MAX_DETAILS_BYTES
    ? details
    : { truncated: true, bytes: size, keys: Object.keys(details).slice(0, 50) };
}

export interface ScopeResult extends BatchResult {
  provider: string;
  alerts: number;
}

export interface AlertIngest {
  batcher: AlertBatcher;
  /** Records alerts of many scopes; triggers may open incidents, acknowledge/resolve only reach open ones. */
  record(alerts: Alert[]): Promise<ScopeResult[]>;
}

export function createAlertIngest(
  client: Client,
  taskQueue: string,
  opts: {
    observe?: BatchObserver;
    groupCommitDelayMs?: number;
    intake?: Omit<IntakeInput, 'scope' | 'provider' | 'carried'>;
  } = {},
): AlertIngest {
  const recorder = new IntakeRecorder(client, taskQueue, { intake: opts.intake });
  const batcher = new AlertBatcher(
    (scope, alerts, mode) => recorder.record(scope, alerts, mode),
    { delayMs: opts.groupCommitDelayMs ?? 0 },
    opts.observe,
  );
  return {
    batcher,
    async record(alerts) {
      const groups = new Map<string, { open: Alert[]; existing: Alert[] }>();
      for (const a of alerts) {
        const g = groups.get(a.provider) ?? { open: [], existing: [] };
        ((a.action ?? 'trigger') === 'trigger' ? g.open : g.existing).push({ ...a, details: boundDetails(a.details) });
        groups.set(a.provider, g);
      }
      const out: ScopeResult[] = [];
      await recordingOrUnavailable(() =>
        Promise.all(
          [...groups].map(async ([provider, g]) => {
            // Triggers first: an acknowledge in the same request must find the alert it names.
            const opened = g.open.length ? await batcher.record(provider, g.open, 'open') : null;
            const acted = g.existing.length ? await batcher.record(provider, g.existing, 'existing') : null;
            const r = opened ?? acted!;
            out.push({
              provider,
              incidentId: r.incidentId ?? acted?.incidentId ?? null,
              deduplicated: r.deduplicated,
              alerts: g.open.length + g.existing.length,
            });
          }),
        ),
      );
      return out.sort((a, b) => a.provider.localeCompare(b.provider));
    },
  };
}

/**
 * Temporal refusing or failing a signal means the alert was not recorded: answer 503 so the sender
 * retries (Alertmanager and PagerDuty clients retry on 5xx), never a 202 and never an opaque 500.
 */
async function recordingOrUnavailable<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(503, `alert not recorded (Temporal: ${(err as Error).message}); retry`);
  }
}
