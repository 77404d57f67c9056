// monitorWorkflow and application outcomes on the time-skipping server, activities mocked: the probe loop
// keeps passing while users fail, and the passive window — fed by aggregated `outcomes` signals — cancels
// the loop, opens the breaker and the incident; in half-open, trial traffic counts as trials and closes it.
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import type { MonitorActivities, WatchResult } from '../../activities/types';
import { monitorStateQuery, outcomeMinutesQuery, outcomesSignal } from '../../workflows/messages';
import { addOutcome, emptyCounts, type OutcomeCounts } from '../../domain/outcome-counts';
import { minuteOf, type OutcomeBucket } from '../../domain/outcome-window';
import { workflowBundle, useTimeSkippingEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { probeTaskQueue } from '../../domain/task-queues';

const testEnv = useTimeSkippingEnv();

const obs = (ok: boolean): WatchResult['observation'] => ({
  ok,
  status: ok ? 200 : 503,
  latencyMs: 20,
  category: ok ? null : 'provider_outage',
  at: new Date().toISOString(),
});

function bucket(n: number, failed: number, trial = false): OutcomeBucket {
  const c: OutcomeCounts = emptyCounts();
  for (let i = 0; i < n; i++)
    addOutcome(c, {
      ok: i >= failed,
      ...(i < failed ? { errorType: 'server_error' as const } : {}),
      latencyMs: 90,
      final: true,
      trial,
    });
  return {
    minutes: [{ minute: minuteOf(Date.now()), counts: c }],
    recent: c,
    window: { minRequests: 20, errorShare: 0.5, windowMs: 10_000 },
  };
}

test('failing user traffic opens the breaker and the incident while probes pass; trial traffic closes it', async () => {
  const calls: string[] = [];
  const incidents: Parameters<MonitorActivities['openProviderIncident']>[0][] = [];
  let watchCancelled = 0;
  const activities: MonitorActivities = {
    async watchProvider() {
      calls.push('watch');
      // Probes pass: the loop never reports a transition; it ends only when cancelled.
      await new Promise((_, reject) =>
        Context.current().cancellationSignal.addEventListener('abort', () => {
          watchCancelled += 1;
          reject(new Error('cancelled'));
        }),
      );
      throw new Error('unreachable');
    },
    async trialProbe() {
      calls.push('trial-probe');
      return obs(true);
    },
    async openProviderIncident(args) {
      calls.push('incident');
      incidents.push(args);
      return { incidentId: 'openai-1' };
    },
    async reportProviderRecovered(args) {
      calls.push(`recovered: ${args.detail}`);
      return { signalled: true };
    },
  };
  const taskQueue = 'tq-outcomes';
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  const probes = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue: probeTaskQueue(taskQueue),
    // The probe loop's heartbeat carries its cancellation.
    activities: { watchProvider: activities.watchProvider },
  });
  await probes.runUntil(
    worker.runUntil(async () => {
      const h = await testEnv().client.workflow.start('monitorWorkflow', {
        taskQueue,
        workflowId: 'monitor-outcomes',
        // Trials every minute: trial traffic, not the probe, must be what closes the breaker.
        args: [{ provider: 'openai', breakerCooldownMs: 30_000, trialsToClose: 3, trialIntervalMs: 60_000 }],
      });
      await waitFor(
        () => Promise.resolve(calls),
        (c) => c.includes('watch'),
        'probe loop running',
      );
      // Below minRequests: failures alone do not trip.
      await h.signal(outcomesSignal, bucket(10, 10));
      let s = await h.query(monitorStateQuery);
      expect(s.outcomes).toMatchObject({ attempts: 10, errors: 10, buckets: 1 });
      expect(s.breaker?.phase).toBe('closed');
      // Another API process's bucket takes the window over 20 attempts at ≥ 50 % errors.
      await h.signal(outcomesSignal, bucket(20, 5));
      s = await waitFor(
        () => h.query(monitorStateQuery),
        (x) => x.breaker?.phase === 'open',
        'breaker opened by outcomes',
      );
      expect(s).toMatchObject({ healthy: false, transitions: 1, breaker: { openedCount: 1 } });
      expect(s.lastReason).toBe('user traffic: 15 of 30 attempts failed in 10 s (50 % ≥ 50 %, mostly server_error)');
      expect(incidents).toEqual([
        expect.objectContaining({
          provider: 'openai',
          source: 'lifeline-outcomes',
          summary: `openai failing user traffic (${s.lastReason})`,
          observation: expect.objectContaining({ ok: false, category: 'provider_outage', errorType: 'server_error' }),
        }),
      ]);
      await waitFor(
        () => Promise.resolve(watchCancelled),
        (n) => n === 1,
        'probe loop cancelled',
      );
      // The report's aggregates: one minute holding both buckets.
      const minutes = await h.query(outcomeMinutesQuery);
      expect(minutes).toHaveLength(1);
      expect(minutes[0].counts).toMatchObject({ attempts: 30, errors: 15, requests: 30, lost: 15 });

      // Past the cooldown: half-open, one trial probe passes (1 of 3), then trial traffic arrives.
      await waitFor(
        async () => {
          await testEnv().sleep('10 seconds');
          return h.query(monitorStateQuery);
        },
        (x) => x.breaker?.phase === 'half-open' && x.breaker.trialSuccesses === 1,
        'half-open after one trial probe',
      );
      await h.signal(outcomesSignal, bucket(2, 0, true));
      s = await waitFor(
        () => h.query(monitorStateQuery),
        (x) => x.breaker?.phase === 'closed',
        'closed by trial traffic',
      );
      expect(s).toMatchObject({ healthy: true, transitions: 2, lastReason: '3 trial probe(s) succeeded' });
      expect(calls.filter((c) => c === 'trial-probe')).toHaveLength(1);
      await waitFor(
        () => Promise.resolve(calls),
        (c) => c.filter((x) => x === 'watch').length === 2,
        'probing again',
      );
      expect(calls).toEqual([
        'watch',
        'incident',
        'trial-probe',
        'recovered: trial traffic: 2 request(s) succeeded',
        'watch',
      ]);
      // The window was reset at each transition: the old failures cannot trip it again.
      expect((await h.query(monitorStateQuery)).outcomes).toMatchObject({ attempts: 0, errors: 0 });
      await h.terminate('test over');
    }),
  );
});

test('failed trial traffic re-opens a half-open breaker without waiting for the next trial probe', async () => {
  const calls: string[] = [];
  const activities: MonitorActivities = {
    async watchProvider() {
      await new Promise((_, reject) =>
        Context.current().cancellationSignal.addEventListener('abort', () => reject(new Error('cancelled'))),
      );
      throw new Error('unreachable');
    },
    async trialProbe() {
      calls.push('trial-probe');
      return obs(true);
    },
    openProviderIncident: async () => ({ incidentId: 'anthropic-1' }),
    reportProviderRecovered: async () => ({ signalled: true }),
  };
  const taskQueue = 'tq-outcomes-fail';
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  await worker.runUntil(async () => {
    // Started open (continued mid-outage): the probe loop never runs.
    const h = await testEnv().client.workflow.start('monitorWorkflow', {
      taskQueue,
      workflowId: 'monitor-outcomes-fail',
      args: [
        { provider: 'anthropic', healthy: false, breakerCooldownMs: 5_000, trialsToClose: 2, trialIntervalMs: 60_000 },
      ],
    });
    await waitFor(
      async () => {
        await testEnv().sleep('3 seconds');
        return h.query(monitorStateQuery);
      },
      (x) => x.breaker?.phase === 'half-open',
      'half-open',
    );
    await h.signal(outcomesSignal, bucket(4, 1, true));
    const s = await waitFor(
      () => h.query(monitorStateQuery),
      (x) => x.breaker?.phase === 'open',
      'open again on a failed trial request',
    );
    expect(s.breaker).toMatchObject({ openedCount: 2, lastReason: 'trial failed: trial traffic: 1 of 4 failed' });
    expect(calls).toEqual(['trial-probe']);
    await h.terminate('test over');
  });
});

test('outcome signals roll the monitor over (probe loop cancelled), carrying the minutes and the window', async () => {
  const runs: string[] = [];
  const cancelled: string[] = [];
  const activities: MonitorActivities = {
    async watchProvider() {
      const ctx = Context.current();
      runs.push(ctx.info.workflowExecution!.runId);
      // Heartbeats carry the cancellation to the activity.
      const beat = setInterval(() => ctx.heartbeat(), 200);
      await new Promise((_, reject) =>
        ctx.cancellationSignal.addEventListener('abort', () => {
          clearInterval(beat);
          cancelled.push(ctx.info.workflowExecution!.runId);
          reject(new Error('cancelled'));
        }),
      );
      throw new Error('unreachable');
    },
    trialProbe: async () => obs(true),
    openProviderIncident: async () => ({ incidentId: 'x' }),
    reportProviderRecovered: async () => ({ signalled: true }),
  };
  const taskQueue = 'tq-outcomes-roll';
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  const probes = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue: probeTaskQueue(taskQueue),
    activities: { watchProvider: activities.watchProvider },
  });
  await probes.runUntil(
    worker.runUntil(async () => {
      const h = await testEnv().client.workflow.start('monitorWorkflow', {
        taskQueue,
        workflowId: 'monitor-outcomes-roll',
        args: [{ provider: 'openai', historyLimit: 25 }],
      });
      const first = (await h.describe()).runId;
      await waitFor(
        () => Promise.resolve(runs),
        (r) => r.includes(first),
        'probe loop running',
      );
      // Healthy traffic only (no trip): 30 signals of 4 attempts, one failed each — 120 attempts, 30 errors.
      for (let i = 0; i < 30; i++) await h.signal(outcomesSignal, bucket(4, 1));
      const next = await waitFor(
        () => h.describe(),
        (d) => d.runId !== first,
        'continued as new',
      );
      expect(next.status.name).toBe('RUNNING');
      await waitFor(
        () => Promise.resolve(cancelled),
        (c) => c.includes(first),
        'the first run’s probe loop cancelled',
      );
      await waitFor(
        () => Promise.resolve(runs),
        (r) => r.includes(next.runId),
        'a probe loop in the new run',
      );
      // Everything received is still there, whichever run took each signal.
      const minutes = await h.query(outcomeMinutesQuery);
      expect(minutes.reduce((n, m) => n + m.counts.attempts, 0)).toBe(120);
      const s = await h.query(monitorStateQuery);
      expect(s.breaker?.phase).toBe('closed');
      expect(s.outcomes).toMatchObject({ attempts: 120, errors: 30 });
      await h.terminate('test over');
    }),
  );
});
