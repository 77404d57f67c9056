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
import { createIntakeActivities } from './intake';
import { createSloActivities } from './slo';
import { createDrillActivities } from './drill';
import { createRolloutActivities } from './rollout';

export type { ActivityDeps } from './deps';
export type { Activities } from './types';

// No return type written out: activities/types.ts derives the workflows' activity types from this.
export function createActivities(deps: ActivityDeps, opts: { channels?: Channel[] } = {}) {
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
    ...createSloActivities(deps),
    ...createDrillActivities(deps),
    ...createRolloutActivities(deps),
  };
}
