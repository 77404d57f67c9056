// Scheduled drills are Temporal Schedules written at worker start (worker/drill-schedules.ts): created,
// updated in place on the next start, paused when disabled, deleted when removed, and a triggered
// schedule runs the drill. Local dev server; the drill's activities are fakes.
import { Worker } from '@temporalio/worker';
import type { DrillActivities } from '../../activities/types';
import { configSchema, type LifelineConfig } from '../../config/schema';
import type { DrillReport } from '../../domain/drill';
import { drillScheduleId } from '../../workflows/messages';
import { ensureDrillSchedules } from '../../worker/drill-schedules';
import { useLocalEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const testEnv = useLocalEnv();

function config(drills: unknown[], taskQueue: string): LifelineConfig {
  return configSchema.parse({
    temporal: { taskQueue },
    providers: [
      { id: 'openai', kind: 'openai', baseUrl: 'sim:openai' },
      { id: 'anthropic', kind: 'anthropic', baseUrl: 'sim:anthropic' },
    ],
    chains: [{ id: 'chat', providers: ['openai', 'anthropic'], weights: { openai: 100 } }],
    drills,
  });
}

test('drill schedules are created, updated, paused and deleted with the config, and a run records its report', async () => {
  const { client } = testEnv();
  const taskQueue = 'tq-drill-schedules';
  const monthly = { id: 'monthly', chain: 'chat', share: 10, durationMs: 60_000, schedule: '0 10 1 * *' };
  const first = await ensureDrillSchedules(client, config([monthly], taskQueue));
  expect(first.written).toEqual([drillScheduleId('monthly')]);
  const handle = client.schedule.getHandle(drillScheduleId('monthly'));
  let d = await handle.describe();
  expect(d.spec.calendars?.length ?? 0).toBeGreaterThan(0);
  expect(d.state.paused).toBe(false);
  expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'drillWorkflow', taskQueue });

  // The next start with the drill changed and disabled: the same schedule, updated and paused.
  await ensureDrillSchedules(client, config([{ ...monthly, share: 'full', enabled: false }], taskQueue));
  d = await handle.describe();
  expect(d.state.paused).toBe(true);
  const args = (d.action as { args?: unknown[] }).args as { share: unknown; scheduled: boolean }[];
  expect(args[0]).toMatchObject({ share: 'full', scheduled: true });

  // Enabled again and triggered: the drill runs (its pre-drill check refuses here: a fake says an incident is open).
  await ensureDrillSchedules(client, config([{ ...monthly, enabled: true }], taskQueue));
  const reports: DrillReport[] = [];
  const stub = (): DrillActivities =>
    ({
      async drillPreflight() {
        return {
          route: {
            id: 'chat',
            providers: ['openai', 'anthropic'],
            weights: { openai: 100 },
            mode: 'normal',
            version: 1,
            updatedAt: '',
          },
          configured: { openai: 100 },
          unhealthy: [],
          blockers: ['an incident is open on openai'],
          detectionBoundMs: {},
        };
      },
      async recordDrillReport(r: DrillReport) {
        reports.push(r);
        return { location: 'memory' };
      },
      async announceDrill() {
        return { delivered: ['log'] };
      },
    }) as unknown as DrillActivities;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: stub(),
  });
  await worker.runUntil(async () => {
    await handle.trigger();
    await waitFor(
      async () => reports.length,
      (n) => n > 0,
      'the scheduled drill report',
    );
  });
  expect(reports[0]).toMatchObject({ drill: 'monthly', scheduled: true, by: 'schedule', outcome: 'refused' });
  expect(reports[0].id).toMatch(/^drill-monthly-scheduled/);

  // Removed from the config: the schedule is deleted.
  await ensureDrillSchedules(client, config([], taskQueue));
  await expect(handle.describe()).rejects.toThrow();
});
