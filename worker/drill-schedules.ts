// Scheduled drills as Temporal Schedules (`drill-<id>`), written idempotently at every worker start like
// the entity workflows (worker/entities.ts): a new drill gets its schedule, a changed one is updated, a
// disabled one is paused, a removed one is deleted. The schedule starts drillWorkflow with the drill's
// settings as configured now; overlapping runs are skipped (a drill still holding is never doubled).
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { DrillConfig, LifelineConfig } from '../config/schema';
import { DRILL_SCHEDULE_PREFIX, drillScheduleId, drillWorkflowId, type DrillInput } from '../workflows/messages';

function scheduleOptions(d: DrillConfig & { schedule: string }, taskQueue: string) {
  const input: DrillInput = {
    drill: d.id,
    chain: d.chain,
    share: d.share,
    to: d.to,
    durationMs: d.durationMs,
    checkEveryMs: d.checkEveryMs,
    by: 'schedule',
    scheduled: true,
  };
  return {
    spec: { cronExpressions: [d.schedule] },
    // Temporal appends the run's scheduled time to this ID.
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'drillWorkflow',
      taskQueue,
      workflowId: drillWorkflowId(d.id, 'scheduled'),
      args: [input],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 10 * 60_000 },
    state: {
      paused: !d.enabled,
      note: d.enabled ? 'lifeline drill (config)' : 'disabled in config (enabled: false)',
    },
  };
}

/** Creates, updates, pauses or deletes the drill schedules to match the config. Best effort per drill. */
export async function ensureDrillSchedules(
  client: Client,
  config: LifelineConfig,
  opts: { log?: (line: string) => void } = {},
): Promise<{ written: string[] }> {
  const taskQueue = config.temporal.taskQueue;
  const wanted = config.drills.filter((d): d is DrillConfig & { schedule: string } => !!d.schedule);
  const written: string[] = [];
  for (const d of wanted) {
    const scheduleId = drillScheduleId(d.id);
    const options = scheduleOptions(d, taskQueue);
    try {
      try {
        await client.schedule.create({ scheduleId, ...options });
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, ...options }));
      }
      written.push(scheduleId);
    } catch (err) {
      opts.log?.(`warning: drill schedule ${scheduleId} not written: ${(err as Error).message}`);
    }
  }
  // Drills removed from the config (or no longer scheduled) lose their schedule.
  try {
    const keep = new Set(written.concat(wanted.map((d) => drillScheduleId(d.id))));
    for await (const s of client.schedule.list()) {
      if (!s.scheduleId.startsWith(DRILL_SCHEDULE_PREFIX) || keep.has(s.scheduleId)) continue;
      await client.schedule
        .getHandle(s.scheduleId)
        .delete()
        .catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
    }
  } catch (err) {
    opts.log?.(`warning: stale drill schedules not removed: ${(err as Error).message}`);
  }
  return { written };
}
