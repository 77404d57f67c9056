// The state of one chain's routingWorkflow and everything its handlers do with it (the shape of
// samples-typescript's safe-message-handlers: the workflow function registers handlers that call these
// methods). Route changes await their publication, so they run under a mutex: the route a change
// publishes is the one it made, never one half-made by another, and a change waits for the one
// publishing instead of being rejected as busy. Validators are synchronous and only read.
import {
  allHandlersFinished,
  CancellationScope,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
} from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { RoutingActivities } from '../activities/types';
import { compactWeights, validateWeights } from '../domain/failover';
import { RECOVERY_ACTIONS } from '../domain/recovery';
import type { ShiftKind } from '../domain/shift';
import {
  ROUTE_CHANGE_LOG_LIMIT,
  shiftDoneSignal,
  shiftWorkflowId,
  stopShiftSignal,
  type ReconfigureRouteRequest,
  type RouteChangeRecord,
  type RouteState,
  type SetHintsRequest,
  type SetWeightsRequest,
  type ShiftQueueState,
  type ShiftResult,
  type ShiftTicket,
} from './messages';
import { trafficShiftWorkflow } from './shift';

// The hand-off to the durable publishers is retried without limit: with a cap, a minute of Temporal
// trouble used to drop a version for the external targets (the route had changed, its publishers never
// heard of it until the next change) and, at start, failed the chain's routing entity itself.
const publisher = proxyActivities<RoutingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

/** Finished shifts kept for GET /v1/routes/:chain/shift and repeated requests. */
const RECENT_SHIFTS = 20;
/** Shifts that move traffic off a provider: they go ahead of failbacks (see `enqueue`). */
const FAILOVER_KINDS: ReadonlySet<ShiftKind> = new Set<ShiftKind>(['immediate', 'gradual', 'canary']);

/** What continue-as-new carries besides the route: shifts still waiting for their turn. */
export interface RoutingCarry {
  pending: ShiftTicket[];
  recent: ShiftQueueState['recent'];
  /** The weight-change log (who and why), for postmortems. */
  changes?: RouteChangeRecord[];
}

const issuesText = (issues: { path: string; message: string }[]) =>
  issues.map((i) => `${i.path}: ${i.message}`).join('; ');

export class RoutingEntity {
  readonly state: RouteState;
  readonly queue: ShiftQueueState;
  /** Every weight change with who and why, for postmortems (operator and Slack changes included). */
  readonly changes: RouteChangeRecord[];
  private readonly mutex = new Mutex();
  private running?: CancellationScope;

  constructor(initial: RouteState, carry?: RoutingCarry) {
    this.state = { ...initial };
    this.queue = { pending: [...(carry?.pending ?? [])], recent: [...(carry?.recent ?? [])] };
    this.changes = [...(carry?.changes ?? [])];
  }

  // ---- route changes (Updates) -------------------------------------------------------------------------
  validateSetWeights(req: SetWeightsRequest): void {
    if (!req.reason || !req.by) throw new Error('reason and by are required');
    // Emergency mode keeps the last weights: there is nowhere healthy to send traffic.
    const issues = validateWeights(req.weights, this.state.providers);
    if (issues.length) throw new Error(issuesText(issues));
  }

  setWeights(req: SetWeightsRequest): Promise<RouteState> {
    return this.change(
      () => {
        this.state.weights = compactWeights(req.weights);
        this.state.mode = req.mode ?? 'normal';
        this.state.reason = `${req.reason} (by ${req.by})`;
      },
      { reason: req.reason, by: req.by },
    );
  }

  validateSetHints(req: SetHintsRequest): void {
    if (!req.reason || !req.by) throw new Error('reason and by are required');
    if (!this.state.providers.includes(req.provider)) throw new Error(`provider: ${req.provider} is not in the chain`);
    const bad = req.hints.filter((h: string) => !(RECOVERY_ACTIONS as readonly string[]).includes(h));
    if (bad.length) throw new Error(`hints: unknown hint(s) ${bad.join(', ')}`);
  }

  /** Recovery hints (backup key, throttle, cheaper model, caching) ride on the route as signals for the application. */
  setHints(req: SetHintsRequest): Promise<RouteState> {
    return this.change(() => {
      const hints = { ...(this.state.hints ?? {}) };
      if (req.hints.length) hints[req.provider] = [...req.hints];
      else delete hints[req.provider];
      this.state.hints = hints;
      this.state.reason = `${req.reason} (by ${req.by})`;
    });
  }

  validateReconfigure(req: ReconfigureRouteRequest): void {
    if (!req.providers.length) throw new Error('providers: a chain needs at least one provider');
    const issues = validateWeights(req.weights, req.providers);
    if (issues.length) throw new Error(issuesText(issues));
    // Weights in effect during a failover must still name providers of the chain.
    const { weights, mode } = this.state;
    const orphan = Object.keys(weights).filter((p) => (weights[p] ?? 0) > 0 && !req.providers.includes(p));
    if (mode !== 'normal' && orphan.length)
      throw new Error(`providers: ${orphan.join(', ')} carries traffic in the current ${mode} route; fail back first`);
  }

  /**
   * The chain as configured now, sent by each worker at start: a provider added to the chain becomes a
   * failover target at once; changed weights are adopted while the route is normal (a failover in effect
   * keeps its weights; failback restores the configured ones). Nothing changed → no new version.
   */
  reconfigure(req: ReconfigureRouteRequest): Promise<RouteState> {
    const state = this.state;
    return this.mutex.runExclusive(async () => {
      const weights = compactWeights(req.weights);
      const providersChanged = JSON.stringify(req.providers) !== JSON.stringify(state.providers);
      const weightsChanged = state.mode === 'normal' && JSON.stringify(weights) !== JSON.stringify(state.weights);
      if (!providersChanged && !weightsChanged) return { ...state };
      state.providers = [...req.providers];
      if (weightsChanged) state.weights = weights;
      this.bumpVersion();
      state.reason = 'configuration changed (by lifeline worker start-up)';
      await publisher.publishRoute({ ...state });
      return { ...state };
    });
  }

  /** The current route to the outside world (at start: the table and publishers may have missed it). */
  publish(): Promise<{ published: string[] }> {
    return publisher.publishRoute({ ...this.state });
  }

  private async change(mutate: () => void, log?: { reason: string; by: string }): Promise<RouteState> {
    const state = this.state;
    return this.mutex.runExclusive(async () => {
      const before = state.weights;
      mutate();
      this.bumpVersion();
      if (log) {
        this.changes.push({
          chain: state.id,
          version: state.version,
          at: state.updatedAt,
          from: before,
          to: state.weights,
          mode: state.mode,
          ...log,
        });
        if (this.changes.length > ROUTE_CHANGE_LOG_LIMIT)
          this.changes.splice(0, this.changes.length - ROUTE_CHANGE_LOG_LIMIT);
      }
      await publisher.publishRoute({ ...state });
      return { ...state };
    });
  }

  private bumpVersion(): void {
    this.state.version += 1;
    this.state.updatedAt = new Date().toISOString();
  }

  // ---- the shift queue ---------------------------------------------------------------------------------
  private known(id: string): boolean {
    const q = this.queue;
    return (
      q.current?.ticket.id === id || q.pending.some((t) => t.id === id) || q.recent.some((r) => r.ticket.id === id)
    );
  }

  /**
   * Queues a shift; returns its place (0: running now). A repeated request (retried signal or Update) is the
   * same shift. A failover never waits behind a failback, which can take minutes: it goes first, and a
   * running failback is stopped (it returns to the failover route at its next safe point), so traffic moves
   * off a provider that just failed as fast as when the chain is idle.
   */
  enqueue(t: ShiftTicket): number {
    if (!this.known(t.id)) {
      if (FAILOVER_KINDS.has(t.request.kind)) {
        const firstFailback = this.queue.pending.findIndex((p) => p.request.kind === 'failback');
        this.queue.pending.splice(firstFailback < 0 ? this.queue.pending.length : firstFailback, 0, t);
        const current = this.queue.current;
        if (current?.ticket.request.kind === 'failback' && this.running) {
          const reason = `preempted: ${t.request.kind} failover requested (${t.request.reason})`;
          void getExternalWorkflowHandle(current.workflowId)
            .signal(stopShiftSignal, { reason })
            .catch(() => undefined);
        }
      } else this.queue.pending.push(t);
    }
    const at = this.queue.pending.findIndex((p) => p.id === t.id);
    return at < 0 ? 0 : at + (this.queue.current ? 1 : 0);
  }

  /** An incident's request (a signal: it cannot be refused, so a ticket for another chain is dropped). */
  requestShift(t: ShiftTicket): void {
    if (t.request?.chain === this.state.id && t.id) this.enqueue(t);
  }

  validateEnqueue(t: ShiftTicket): void {
    if (!t.id) throw new Error('id is required');
    if (t.request?.chain !== this.state.id) throw new Error(`request.chain: must be ${this.state.id}`);
    if (!t.request.reason || !t.request.by) throw new Error('request.reason and request.by are required');
  }

  enqueueShift(t: ShiftTicket): { id: string; workflowId: string; position: number } {
    return { id: t.id, workflowId: shiftWorkflowId(this.state.id, t.id), position: this.enqueue(t) };
  }

  cancelShift({ id, reason }: { id: string; reason: string }): void {
    const { queue, state } = this;
    const at = queue.pending.findIndex((t) => t.id === id);
    if (at >= 0) {
      const [t] = queue.pending.splice(at, 1);
      void this.finished(
        t,
        shiftWorkflowId(state.id, t.id),
        this.unchanged(t, 'cancelled', `cancelled before it started: ${reason}`),
      );
    } else if (queue.current?.ticket.id === id && this.running) {
      // The child stops at its next safe point and leaves a safe route; its result says what it did.
      void getExternalWorkflowHandle(queue.current.workflowId)
        .signal(stopShiftSignal, { reason })
        .catch(() => undefined);
    }
  }

  /** Runs the next queued shift as a child workflow and answers its requester. */
  async runNextShift(): Promise<void> {
    const t = this.queue.pending.shift()!;
    const workflowId = shiftWorkflowId(this.state.id, t.id);
    this.queue.current = { ticket: t, workflowId };
    this.running = new CancellationScope();
    let result: ShiftResult;
    try {
      result = await this.running.run(() =>
        executeChild(trafficShiftWorkflow, {
          workflowId,
          args: [t.request],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        }),
      );
    } catch (err) {
      // The shift records its own activity failures as `failed`; this is the child itself failing.
      const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      result = this.unchanged(t, isCancellation(err) ? 'cancelled' : 'failed', `shift workflow ended: ${cause}`);
    }
    this.running = undefined;
    this.queue.current = undefined;
    await this.finished(t, workflowId, result);
  }

  /** The result of a shift that moved nothing. */
  private unchanged(t: ShiftTicket, outcome: 'cancelled' | 'failed', detail: string): ShiftResult {
    const s = this.state;
    return {
      chain: s.id,
      kind: t.request.kind,
      outcome,
      detail,
      initial: s.weights,
      final: s.weights,
      mode: s.mode,
      version: s.version,
      steps: [],
    };
  }

  private async finished(t: ShiftTicket, workflowId: string, result: ShiftResult): Promise<void> {
    const recent = this.queue.recent;
    recent.push({ ticket: t, workflowId, result });
    if (recent.length > RECENT_SHIFTS) recent.splice(0, recent.length - RECENT_SHIFTS);
    if (!t.requester) return;
    try {
      await getExternalWorkflowHandle(t.requester).signal(shiftDoneSignal, { id: t.id, result });
    } catch {
      // The requester closed (e.g. an incident resolved mid-failback): the result stays in `recent`.
    }
  }

  // ---- continue-as-new -----------------------------------------------------------------------------------
  /** No change in flight and every handler done: safe to continue-as-new. */
  idle(): boolean {
    return !this.mutex.isLocked() && allHandlersFinished();
  }

  /** Queued shifts ride along; the recent ones are trimmed. */
  carry(): RoutingCarry {
    return { pending: this.queue.pending, recent: this.queue.recent.slice(-5), changes: this.changes };
  }
}
