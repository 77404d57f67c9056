// Client-side incident operations shared by the API, the CLI and the monitor's activities:
// open/merge an incident (signal-with-start), find one by its public ID, and list them.
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { incidentIdFor, parseIncidentId, type Alert } from '../domain/incident';
import type { Severity } from '../domain/impact';
import { alertsSignal, incidentWorkflowId, SA, type IncidentInput } from '../workflows/messages';
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

export async function describeRunning(client: Client, workflowId: string, runId?: string) {
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
