// incidentWorkflow's message API: every signal, query and update, each calling its method on the
// incident entity (workflows/incident-entity.ts). Registered synchronously before the workflow's first
// await, so nothing sent at start (the opening alerts of signal-with-start) is missed. Validators are
// synchronous and only read.
import { setHandler } from '@temporalio/workflow';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  alertsSignal,
  alertSummarySignal,
  escalateUpdate,
  incidentStateQuery,
  owningIncidentUpdate,
  providerRecoveredSignal,
  resolveUpdate,
  shiftDoneSignal,
} from './messages';
import type { IncidentEntity } from './incident-entity';

export function registerIncidentHandlers(incident: IncidentEntity): void {
  setHandler(incidentStateQuery, () => incident.state);
  setHandler(alertsSignal, (batch) => incident.onAlerts(batch));
  setHandler(owningIncidentUpdate, () => incident.owningIncident());
  setHandler(shiftDoneSignal, (done) => incident.onShiftDone(done));
  setHandler(providerRecoveredSignal, (report) => incident.onProviderRecovered(report));
  setHandler(acknowledgeUpdate, (req) => incident.acknowledge(req), { validator: (req) => incident.validateOpen(req) });
  setHandler(escalateUpdate, (req) => incident.escalate(req), { validator: (req) => incident.validateEscalate(req) });
  setHandler(resolveUpdate, (req) => incident.resolve(req), { validator: (req) => incident.validateOpen(req) });
  setHandler(addNoteUpdate, (req) => incident.addNote(req), { validator: (req) => incident.validateNote(req) });
  setHandler(alertSummarySignal, (forward) => incident.onAlertSummary(forward));
}
