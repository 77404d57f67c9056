// The API's side of alert ingestion: records alerts in the scope's intake workflow, opens (or finds) the
// incident they join, and asks a long intake run to roll over while it sends it nothing.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { incidentIdFor, type Alert } from '../domain/incident';
import {
  alertsSignal,
  incidentWorkflowId,
  intakeRolloverSignal,
  intakeWorkflowId,
  type IncidentInput,
  type IntakeInput,
} from '../workflows/messages';
import { describeRunning, incidentStartOptions } from './incidents';

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
