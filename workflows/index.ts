// The workflow bundle's entry point: every workflow type the worker registers.
export { incidentWorkflow } from './incident';
export { monitorWorkflow } from './monitor';
export { routingWorkflow } from './routing';
export { archiveIncidentWorkflow } from './archive';
export { trafficShiftWorkflow } from './shift';
export { routePublisherWorkflow } from './publish';
export { intakeWorkflow } from './intake';
export { sloWorkflow } from './slo';
export { drillWorkflow } from './drill';
export { rolloutWorkflow } from './rollout';
