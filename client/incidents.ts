// Client-side incident operations shared by the API, the CLI and the monitor's activities:
// open/merge an incident (signal-with-start), find one by its public ID, and list them.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { incidentIdFor, parseIncidentId, type Alert } from '../domain/incident';
import type { Severity } from '../domain/impact';
import {
  alertsSignal,
  incidentWorkflowId,
  intakeRolloverSignal,
  intakeWorkflowId,
  SA,
  type IncidentInput,
  type IntakeInput,
} from '../workflows/messages';
import { mergeIncidentLists, type IncidentFilter, type IncidentListItem } from '../domain/incident-list';
import type { ArchiveStore } from './archive-store';

export interface RecordedAlerts {
  incidentId: string;
  scope: string;
  deduplicated: boolean;
  count: number;
}

/**
 * Records alerts durably: one signal-with-start per scope (the provider), so concurrent detectors merge
 * into the open incident. Returns only after Temporal has accepted the signal.
 */
export async function recordAlertsForScope(
  client: Client,
  taskQueue: string,
  scope: string,
  alerts: Alert[],
  opts: {
    title?: string;
    severity?: Severity;
    declaredBy?: string;
    /**
     * runId → public incident ID of runs this caller has already seen. With it, a signal that lands on a
     * known run costs one RPC (no describe): the storm path's hot case.
     */
    knownRuns?: Map<string, string>;
  } = {},
): Promise<RecordedAlerts> {
  const workflowId = incidentWorkflowId(scope);
  if (opts.knownRuns) return recordWithKnownRuns(client, taskQueue, scope, alerts, opts, opts.knownRuns);
  const before = await describeRunning(client, workflowId);
  const handle = await signalWithStartIncident(client, taskQueue, scope, alerts, opts);
  if (before && before.runId === handle.signaledRunId) {
    return {
      incidentId: before.incidentId ?? incidentIdFor(scope, before.runId),
      scope,
      deduplicated: true,
      count: alerts.length,
    };
  }
  // A new run: either a new incident, or the open one continued-as-new (it carries its public ID in its
  // search attributes from the start), so ask the run that got the signal.
  const after = await describeRunning(client, workflowId, handle.signaledRunId);
  const incidentId = after?.incidentId ?? incidentIdFor(scope, handle.signaledRunId);
  return {
    incidentId,
    scope,
    deduplicated: !!before?.incidentId && before.incidentId === incidentId,
    count: alerts.length,
  };
}

/**
 * Acknowledge/resolve events act only on an open incident of the scope: a plain signal (never a start),
 * and null when none runs (they are dropped, as PagerDuty drops them after resolve).
 */
export async function signalOpenIncident(
  client: Client,
  scope: string,
  alerts: Alert[],
): Promise<{ incidentId: string } | null> {
  const workflowId = incidentWorkflowId(scope);
  const running = await describeRunning(client, workflowId);
  if (!running) return null;
  try {
    await client.workflow.getHandle(workflowId).signal(alertsSignal, { alerts });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  return { incidentId: running.incidentId ?? incidentIdFor(scope, running.runId) };
}

function signalWithStartIncident(
  client: Client,
  taskQueue: string,
  scope: string,
  alerts: Alert[],
  opts: { title?: string; severity?: Severity; declaredBy?: string },
) {
  const input: IncidentInput = {
    scope,
    provider: alerts[0]?.provider ?? scope,
    title: opts.title ?? alerts[0]?.summary ?? `Incident on ${scope}`,
    ...(opts.severity ? { severity: opts.severity } : {}),
    ...(opts.declaredBy ? { declaredBy: opts.declaredBy } : {}),
  };
  return client.workflow.signalWithStart('incidentWorkflow', {
    ...incidentStartOptions(taskQueue, input),
    signal: alertsSignal,
    signalArgs: [{ alerts }],
  });
}

/** How an incident is started, by a client or by the intake's forward (activities/intake.ts). */
export function incidentStartOptions(taskQueue: string, input: IncidentInput) {
  return {
    workflowId: incidentWorkflowId(input.scope),
    taskQueue,
    args: [input] as [IncidentInput],
    memo: { title: input.title },
    typedSearchAttributes: new TypedSearchAttributes([
      { key: SA.provider, value: input.provider },
      { key: SA.status, value: 'open' },
      { key: SA.phase, value: 'detected' },
    ]),
  };
}

/**
 * Intake history length at which the API asks for a roll-over. Each roll-over holds the scope's alerts for
 * one continue-as-new (≈ 100 ms in a storm), so it is kept rare: at ≈ 140 events/s per scope in a storm
 * (bench:ingest) this is one roll-over every ≈ 8 s, still under the intake's own 1,500-event backstop with
 * a second of checks to spare. Replaying 1,200 small events on a cache miss costs a few milliseconds.
 */
const ROLLOVER_AT = 1200;

/**
 * The ingestion path (api/ingest.ts): alerts are recorded in the scope's intake workflow (signal-with-start
 * on `intake-<scope>`; resolves once Temporal has accepted it), which forwards summaries to the incident
 * (workflows/intake.ts). The incident a trigger joins is opened here first when none runs (start, or the
 * running one), so the answer can name it; acknowledge/resolve events are recorded only while an incident
 * of the scope runs, and dropped otherwise (PagerDuty semantics).
 */
export class IntakeRecorder {
  /** scope → the incident last seen, and when (ms): reused for `ttlMs` so a storm costs one RPC per batch. */
  private readonly seen = new Map<string, { incidentId: string | null; at: number }>();
  /** runId → public incident ID (a continued-as-new run carries its ID in a search attribute). */
  private readonly ids = new Map<string, string>();
  /** scope → the intake's current run and its history length, checked in the background about once a second. */
  private readonly intakes = new Map<
    string,
    { runId?: string; length: number; checkedAt: number; checking: boolean }
  >();

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly opts: {
      ttlMs?: number;
      intake?: Omit<IntakeInput, 'scope' | 'provider' | 'carried'>;
      /** Intake history length at which this recorder asks it to roll over (default ROLLOVER_AT). */
      rolloverAt?: number;
    } = {},
  ) {}

  async record(
    scope: string,
    alerts: Alert[],
    mode: 'open' | 'existing',
  ): Promise<{ incidentId: string | null; deduplicated: boolean }> {
    const known = this.known(scope, mode, alerts);
    let incidentId: string | null;
    let deduplicated: boolean;
    if (mode === 'open') {
      // Locate (or open) first: if that fails nothing is recorded yet and the sender's retry is clean.
      const found = known?.incidentId
        ? { incidentId: known.incidentId, started: false }
        : await this.openIncident(scope, alerts);
      incidentId = found.incidentId;
      deduplicated = !found.started;
    } else {
      incidentId = known ? known.incidentId : await this.runningIncident(scope);
      if (!incidentId) return { incidentId: null, deduplicated: false }; // no incident: dropped
      deduplicated = true;
    }
    // Callers hold this scope's lane (client/alert-batcher.ts): nothing else of ours is in flight to it.
    await this.rollOverIfDue(scope);
    await this.client.workflow.signalWithStart('intakeWorkflow', {
      workflowId: intakeWorkflowId(scope),
      taskQueue: this.taskQueue,
      args: [{ scope, provider: alerts[0]?.provider ?? scope, ...this.opts.intake }],
      signal: alertsSignal,
      signalArgs: [{ alerts, batchId: randomUUID() }],
    });
    this.watchIntake(scope);
    return { incidentId, deduplicated };
  }

  /** Learns the intake's run and history length in the background (off the request path), at most once a second. */
  private watchIntake(scope: string): void {
    const w = this.intakes.get(scope) ?? { length: 0, checkedAt: 0, checking: false };
    this.intakes.set(scope, w);
    if (w.checking || performance.now() - w.checkedAt < 1000) return;
    w.checking = true;
    this.client.workflow
      .getHandle(intakeWorkflowId(scope))
      .describe()
      .then(
        (d) =>
          Object.assign(
            w,
            d.status.name === 'RUNNING' ? { runId: d.runId, length: d.historyLength } : { runId: undefined, length: 0 },
          ),
        () => undefined, // a failed look changes nothing; the intake's own limit is the backstop
      )
      .finally(() => Object.assign(w, { checking: false, checkedAt: performance.now() }));
  }

  /**
   * Asks a long intake run to continue-as-new while this recorder sends nothing to it, and waits (a few
   * seconds at most) until it has: so the continue-as-new succeeds at its first attempt instead of failing
   * on our next signal and holding the scope's alerts for seconds (temporalio/temporal#8097).
   */
  private async rollOverIfDue(scope: string): Promise<void> {
    const w = this.intakes.get(scope);
    if (!w?.runId || w.length < (this.opts.rolloverAt ?? ROLLOVER_AT)) return;
    const run = this.client.workflow.getHandle(intakeWorkflowId(scope), w.runId, { followRuns: false });
    Object.assign(w, { runId: undefined, length: 0, checkedAt: 0 });
    try {
      await run.signal(intakeRolloverSignal);
      const giveUp = new AbortController();
      const timer = setTimeout(() => giveUp.abort(), 3000);
      await this.client
        .withAbortSignal(giveUp.signal, () => run.result())
        .catch(() => undefined) // WorkflowContinuedAsNewError: done (or gave up waiting: go on regardless)
        .finally(() => clearTimeout(timer));
    } catch {
      // That run has closed already (another API process asked first): nothing to wait for.
    }
  }

  private readonly refreshing = new Set<string>();

  /**
   * The incident last seen for the scope. Past `ttlMs` it is still used (up to 5 × ttlMs) while one look in
   * the background refreshes it, so no request waits for that look in a storm.
   */
  private known(scope: string, mode: 'open' | 'existing', alerts: Alert[]) {
    const s = this.seen.get(scope);
    const ttl = this.opts.ttlMs ?? 1000;
    const age = s ? performance.now() - s.at : Infinity;
    if (!s || age >= 5 * ttl) return undefined;
    if (age >= ttl && !this.refreshing.has(scope)) {
      this.refreshing.add(scope);
      // Triggers may open the next incident of the scope (as the request path would); acknowledge/resolve
      // events only look. A failed look changes nothing.
      const look = mode === 'open' ? this.openIncident(scope, alerts) : this.runningIncident(scope);
      look.catch(() => undefined).finally(() => this.refreshing.delete(scope));
    }
    return s;
  }

  private async openIncident(scope: string, alerts: Alert[]): Promise<{ incidentId: string; started: boolean }> {
    const input: IncidentInput = {
      scope,
      provider: alerts[0]?.provider ?? scope,
      title: alerts[0]?.summary ?? `Incident on ${scope}`,
    };
    const handle = await this.client.workflow.start('incidentWorkflow', {
      ...incidentStartOptions(this.taskQueue, input),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const runId = handle.firstExecutionRunId;
    let incidentId = this.ids.get(runId);
    let started = false;
    if (!incidentId) {
      // A run that has not run its first task (no ID attribute yet) was started just now, by this call.
      const named = await this.describeIncidentId(scope, runId);
      started = !named;
      incidentId = named ?? incidentIdFor(scope, runId);
    }
    this.remember(scope, runId, incidentId);
    return { incidentId, started };
  }

  private async runningIncident(scope: string): Promise<string | null> {
    const d = await describeRunning(this.client, incidentWorkflowId(scope));
    const incidentId = d ? (d.incidentId ?? incidentIdFor(scope, d.runId)) : null;
    if (d && incidentId) this.remember(scope, d.runId, incidentId);
    else this.seen.set(scope, { incidentId: null, at: performance.now() });
    return incidentId;
  }

  private async describeIncidentId(scope: string, runId: string): Promise<string | undefined> {
    return (await describeRunning(this.client, incidentWorkflowId(scope), runId))?.incidentId;
  }

  private remember(scope: string, runId: string, incidentId: string): void {
    if (this.ids.size > 10_000) this.ids.clear();
    this.ids.set(runId, incidentId);
    this.seen.set(scope, { incidentId, at: performance.now() });
  }
}

async function recordWithKnownRuns(
  client: Client,
  taskQueue: string,
  scope: string,
  alerts: Alert[],
  opts: { title?: string; severity?: Severity; declaredBy?: string },
  known: Map<string, string>,
): Promise<RecordedAlerts> {
  const handle = await signalWithStartIncident(client, taskQueue, scope, alerts, opts);
  const runId = handle.signaledRunId;
  const cached = known.get(runId);
  if (cached) return { incidentId: cached, scope, deduplicated: true, count: alerts.length };
  // A run we have not seen: an incident that was already open (its ID is a search attribute once its
  // first task ran, or from the start when it continued-as-new), or one this signal just started.
  const d = await describeRunning(client, incidentWorkflowId(scope), runId);
  const incidentId = d?.incidentId ?? incidentIdFor(scope, runId);
  if (known.size > 10_000) known.clear();
  known.set(runId, incidentId);
  return { incidentId, scope, deduplicated: !!d?.incidentId, count: alerts.length };
}

async function describeRunning(client: Client, workflowId: string, runId?: string) {
  try {
    const d = await client.workflow.getHandle(workflowId, runId).describe();
    if (d.status.name !== 'RUNNING') return null;
    return { runId: d.runId, incidentId: d.typedSearchAttributes.get(SA.incidentId) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** Finds the workflow run behind a public incident ID, or null. */
export async function findIncident(client: Client, id: string): Promise<WorkflowHandle | null> {
  const parsed = parseIncidentId(id);
  if (!parsed) return null;
  const workflowId = incidentWorkflowId(parsed.scope);
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    if (d.typedSearchAttributes.get(SA.incidentId) === id || d.runId.replace(/-/g, '').startsWith(parsed.runPrefix)) {
      return client.workflow.getHandle(workflowId, d.runId);
    }
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return null;
  }
  // An older run of the same scope: ask visibility.
  for await (const ex of client.workflow.list({
    query: `WorkflowId = '${workflowId}' AND LifelineIncidentId = '${id}'`,
  })) {
    return client.workflow.getHandle(workflowId, ex.runId);
  }
  return null;
}

export type IncidentSummary = IncidentListItem;

const quoted = (v: string) => `'${v.replace(/'/g, '')}'`;

/**
 * Open incidents from Temporal visibility; closed ones from the archive when one is given (merged with
 * closed runs visibility still has, deduplicated by incident ID), so listings reach past retention.
 */
export async function listIncidents(
  client: Client,
  filter: IncidentFilter = {},
  archive?: ArchiveStore,
): Promise<IncidentSummary[]> {
  const fromVisibility = await listFromVisibility(client, filter);
  const archived = archive && filter.status !== 'open' ? await archive.list() : [];
  return mergeIncidentLists(fromVisibility, archived, filter);
}

async function listFromVisibility(client: Client, filter: IncidentFilter): Promise<IncidentSummary[]> {
  const clauses = [`WorkflowType = 'incidentWorkflow'`];
  if (filter.status === 'open') clauses.push(`ExecutionStatus = 'Running'`);
  if (filter.status === 'resolved') clauses.push(`ExecutionStatus != 'Running'`);
  if (filter.provider) clauses.push(`LifelineProvider = ${quoted(filter.provider)}`);
  if (filter.severity) clauses.push(`LifelineSeverity = ${quoted(filter.severity)}`);
  if (filter.since) clauses.push(`StartTime >= ${quoted(new Date(filter.since).toISOString())}`);
  if (filter.until) clauses.push(`StartTime <= ${quoted(new Date(filter.until).toISOString())}`);
  const out: IncidentSummary[] = [];
  for await (const ex of client.workflow.list({ query: clauses.join(' AND ') })) {
    const sa = ex.typedSearchAttributes;
    const id = sa.get(SA.incidentId) ?? incidentIdFor(ex.workflowId.replace(/^incident-/, ''), ex.runId);
    const running = ex.status.name === 'RUNNING';
    out.push({
      id,
      provider: sa.get(SA.provider) ?? ex.workflowId.replace(/^incident-/, ''),
      title: String((ex.memo as Record<string, unknown> | undefined)?.title ?? ''),
      severity: sa.get(SA.severity) ?? null,
      phase: sa.get(SA.phase) ?? null,
      status: running ? 'open' : 'resolved',
      startedAt: ex.startTime.toISOString(),
      resolvedAt: running ? null : (ex.closeTime?.toISOString() ?? null),
    });
    if (out.length >= (filter.limit ?? 200)) break;
  }
  return out;
}
