// What a Temporal history adds to the incident's own record: when signals, updates, activity results,
// child starts and the close actually reached the server. Works on the JSON form of a history (the one
// `temporal workflow show -o json` and historyToJSON produce, and the archive keeps), reading only
// names, times and failure messages — never payloads, so alert details and inputs stay out of reports.

/** The few fields of a history event (JSON form) the report reads. */
export interface HistoryEventJson {
  eventId?: string;
  eventTime?: string;
  eventType?: string;
  workflowExecutionSignaledEventAttributes?: { signalName?: string };
  workflowExecutionUpdateAcceptedEventAttributes?: { acceptedRequest?: { input?: { name?: string } } };
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  activityTaskCompletedEventAttributes?: { scheduledEventId?: string };
  activityTaskFailedEventAttributes?: { scheduledEventId?: string; failure?: { message?: string } };
  activityTaskTimedOutEventAttributes?: { scheduledEventId?: string };
  startChildWorkflowExecutionInitiatedEventAttributes?: { workflowType?: { name?: string }; workflowId?: string };
}

export interface HistoryJson {
  events?: HistoryEventJson[];
}

export interface HistoryFact {
  at: string;
  eventId: number;
  kind: 'signal' | 'update' | 'activity' | 'activity_failed' | 'child' | 'closed';
  name: string;
  message: string;
}

/** Event times carry nanoseconds; the record uses milliseconds. */
export function toMillisIso(t: string | undefined): string | null {
  if (!t) return null;
  const ms = Date.parse(t.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const CLOSE_EVENTS: Record<string, string> = {
  EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: 'workflow completed',
  EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 'workflow continued as new (next incident of this scope)',
  EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: 'workflow failed',
  EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: 'workflow terminated',
  EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: 'workflow cancelled',
  EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: 'workflow timed out',
};

/** True when the history ends with the run's close event (it is complete). */
export function historyIsClosed(h: HistoryJson): boolean {
  const last = h.events?.[h.events.length - 1];
  return !!last?.eventType && last.eventType in CLOSE_EVENTS;
}

export function historyFacts(h: HistoryJson): HistoryFact[] {
  const scheduled = new Map<string, { name: string; at: string }>();
  const facts: HistoryFact[] = [];
  for (const e of h.events ?? []) {
    const at = toMillisIso(e.eventTime);
    if (!at || !e.eventType) continue;
    const eventId = Number(e.eventId ?? 0);
    const push = (kind: HistoryFact['kind'], name: string, message: string) =>
      facts.push({ at, eventId, kind, name, message });
    if (e.workflowExecutionSignaledEventAttributes) {
      const name = e.workflowExecutionSignaledEventAttributes.signalName ?? 'unknown';
      push('signal', name, `signal ${name} received`);
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const name = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? 'unknown';
      push('update', name, `update ${name} accepted`);
    } else if (e.activityTaskScheduledEventAttributes) {
      scheduled.set(String(e.eventId), {
        name: e.activityTaskScheduledEventAttributes.activityType?.name ?? 'unknown',
        at,
      });
    } else if (e.activityTaskCompletedEventAttributes) {
      const s = scheduled.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId));
      if (s) push('activity', s.name, `activity ${s.name} completed in ${Date.parse(at) - Date.parse(s.at)} ms`);
    } else if (e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes) {
      const attrs = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
      const s = scheduled.get(String(attrs?.scheduledEventId));
      const why = e.activityTaskFailedEventAttributes?.failure?.message ?? 'timed out';
      if (s) push('activity_failed', s.name, `activity ${s.name} failed: ${why.slice(0, 200)}`);
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      const c = e.startChildWorkflowExecutionInitiatedEventAttributes;
      push(
        'child',
        c.workflowType?.name ?? 'unknown',
        `started ${c.workflowType?.name ?? 'child'} (${c.workflowId ?? '?'})`,
      );
    } else if (e.eventType in CLOSE_EVENTS) {
      push('closed', e.eventType, CLOSE_EVENTS[e.eventType]);
    }
  }
  return facts;
}
