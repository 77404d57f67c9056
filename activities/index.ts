// The activity factory: every activity, built from injected dependencies (samples-typescript style).
import type { ActivityDeps } from './deps';
import { createArchiveActivities } from './archive';
import { createContextActivities } from './context';
import { createDeliverActivities } from './deliver';
import { createDiagnoseActivities } from './diagnose';
import { createNotifyActivities, type Channel } from './notify';
import { createReportActivities } from './report';
import { createRoutingActivities } from './routing';
import { createWatchActivities } from './watch';
import { createStatusActivities } from './subscriber-updates';
import { createRecoveryActivities } from './recovery';
import { createShiftActivities } from './shift';
import { createIntakeActivities, type IntakeActivities } from './intake';
import type { ArchiveActivities, IncidentActivities, MonitorActivities, RoutePublishActivities, RoutingActivities, ShiftActivities } from './types';

export type { ActivityDeps } from './deps';

export function createActivities(
  deps: ActivityDeps,
  opts: { channels?: Channel[] } = {},
): IncidentActivities & MonitorActivities & RoutingActivities & RoutePublishActivities & ShiftActivities & ArchiveActivities & IntakeActivities {
  return {
    ...createContextActivities(deps),
    ...createNotifyActivities(deps, opts.channels),
    ...createDeliverActivities(deps, opts.channels),
    ...createDiagnoseActivities(deps),
    ...createRoutingActivities(deps),
    ...createReportActivities(deps),
    ...createWatchActivities(deps),
    ...createStatusActivities(deps),
    ...createArchiveActivities(deps),
    ...createRecoveryActivities(deps),
    ...createShiftActivities(deps),
    ...createIntakeActivities(deps),
  };
}
