// The activity factory: every activity, built from injected dependencies (samples-typescript style).
import type { ActivityDeps } from './deps';
import { createContextActivities } from './context';
import { createDiagnoseActivities } from './diagnose';
import { createNotifyActivities, type Channel } from './notify';
import { createReportActivities } from './report';
import { createRoutingActivities } from './routing';
import { createWatchActivities } from './watch';
import { createRecoveryActivities } from './recovery';
import { createShiftActivities } from './shift';
import type { IncidentActivities, MonitorActivities, RoutingActivities, ShiftActivities } from './types';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps, opts: { channels?: Channel[] } = {}): IncidentActivities & MonitorActivities & RoutingActivities & ShiftActivities {
  return {
    ...createContextActivities(deps),
    ...createNotifyActivities(deps, opts.channels),
    ...createDiagnoseActivities(deps),
    ...createRoutingActivities(deps),
    ...createReportActivities(deps),
    ...createWatchActivities(deps),
    ...createRecoveryActivities(deps),
    ...createShiftActivities(deps),
  };
}
