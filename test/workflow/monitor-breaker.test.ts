// monitorWorkflow's circuit breaker on the time-skipping server, activities mocked: an unhealthy verdict
// opens it (and the incident), the durable cooldown leads to half-open trials, a failed trial re-opens,
// enough successful trials close it and report the recovery; the state is queryable throughout.
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import type { MonitorActivities, WatchResult } from '../../activities/types';
import { monitorStateQuery } from '../../workflows/messages';
import { workflowBundle, useTimeSkippingEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { maybeWriteFixture } from '../helpers/fixtures';
import { probeTaskQueue } from '../../domain/task-queues';

const testEnv = useTimeSkippingEnv();

const obs = (ok: boolean, status: number): WatchResult['observation'] => ({
  ok,
  status,
  latencyMs: 20,
  category: ok ? null : 'provider_outage',
  at: new Date().toISOString(),
});

test('closed → open → half-open → (failed trial) open → half-open → closed, durable and queryable', async () => {
  const calls: string[] = [];
  const trials = [false, true, true];
  let watches = 0;
  const activities: MonitorActivities = {
    async watchProvider() {
      watches += 1;
      calls.push(`watch${watches}`);
      if (watches === 1)
        return {
          healthy: false,
          transition: true,
          observation: obs(false, 503),
          streakStartedAt: new Date().toISOString(),
          reason: '3 consecutive failures',
        };
      await new Promise((_, reject) =>
        Context.current().cancellationSignal.addEventListener('abort', () => reject(new Error('cancelled'))),
      );
      throw new Error('unreachable');
    },
    async trialProbe() {
      const ok = trials.shift() ?? true;
      calls.push(`trial:${ok ? 'ok' : 'fail'}`);
      return obs(ok, ok ? 200 : 503);
    },
    async openProviderIncident() {
      calls.push('incident');
      return { incidentId: 'openai-1' };
    },
    async reportProviderRecovered() {
      calls.push('recovered');
      return { signalled: true };
    },
  };
  const taskQueue = 'tq-breaker';
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  // Probe loops run on their own task queue (domain/task-queues.ts).
  const probes = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue: probeTaskQueue(taskQueue),
    activities: { watchProvider: activities.watchProvider },
  });
  await probes.runUntil(
    worker.runUntil(async () => {
      const h = await testEnv().client.workflow.start('monitorWorkflow', {
        taskQueue,
        workflowId: 'monitor-breaker',
        args: [{ provider: 'openai', breakerCooldownMs: 30_000, trialsToClose: 2, trialIntervalMs: 1_000 }],
      });
      // Time only skips while a client waits on a result: move it on explicitly past cooldowns and trial gaps.
      const advance = async () => {
        await testEnv().sleep('5 seconds');
        return h.query(monitorStateQuery);
      };
      const seen = new Set<string>();
      const closed = await waitFor(
        advance,
        (s) => (seen.add(s.breaker!.phase), s.breaker?.phase === 'closed' && s.transitions === 2),
        'breaker closed again',
      );
      expect(seen.has('open')).toBe(true); // half-open lasts one trial gap: the call order below proves it
      expect(calls).toEqual(['watch1', 'incident', 'trial:fail', 'trial:ok', 'trial:ok', 'recovered', 'watch2']);
      expect(closed).toMatchObject({
        healthy: true,
        lastReason: '2 trial probe(s) succeeded',
        breaker: { phase: 'closed', openedCount: 2 },
      });
      await maybeWriteFixture('monitor-breaker-cycle', h);
      await h.terminate('test over');
    }),
  );
});

test('histories without the breaker patch keep the old loop (covered by replay); new runs start closed', async () => {
  const activities: MonitorActivities = {
    watchProvider: async () => {
      await new Promise((_, reject) =>
        Context.current().cancellationSignal.addEventListener('abort', () => reject(new Error('cancelled'))),
      );
      throw new Error('unreachable');
    },
    trialProbe: async () => obs(true, 200),
    openProviderIncident: async () => ({ incidentId: 'x' }),
    reportProviderRecovered: async () => ({ signalled: false }),
  };
  const taskQueue = 'tq-breaker-new';
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  await worker.runUntil(async () => {
    const h = await testEnv().client.workflow.start('monitorWorkflow', {
      taskQueue,
      workflowId: 'monitor-new',
      args: [{ provider: 'anthropic' }],
    });
    const s = await waitFor(
      () => h.query(monitorStateQuery),
      (x) => !!x.breaker,
      'breaker state',
    );
    expect(s.breaker).toMatchObject({ phase: 'closed', openedCount: 0 });
    await h.terminate('test over');
  });
});
