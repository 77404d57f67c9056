// sloWorkflow on the time-skipping server, activities stubbed: a fast burn (1 h and 5 min above 14.4×)
// opens its warning incident in the minute the hour's error rate crosses the threshold, not the minute
// before, and once per episode; a quota forecast opens its incident when exhaustion comes within the
// horizon, once, while a quota that resets first never does. Few steps: the clock moves by env.sleep only.
import { Worker } from '@temporalio/worker';
import type { SloActivities } from '../../activities/types';
import type { SloSettings } from '../../workflows/messages';
import { sloReportQuery, sloSamplesSignal, type SloSampleBatch } from '../../workflows/messages';
import { workflowBundle, useTimeSkippingEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const testEnv = useTimeSkippingEnv();
const DAY = 86_400_000;

const settings = (over: Partial<SloSettings> = {}): SloSettings => ({
  slos: [
    {
      id: 'openai-availability',
      sli: 'availability',
      target: 99,
      windowMs: 30 * DAY,
      provider: 'openai',
      providers: ['openai'],
      chains: [],
    },
  ],
  quotaForecast: { enabled: true, horizonMs: 10 * 60_000, lookbackMs: 30 * 60_000, minSamples: 3 },
  ...over,
});

const probes = (total: number, ok: number): SloSampleBatch => ({
  probes: [{ provider: 'openai', total, ok, fast: {} }],
  quotas: [],
  routes: [],
});

function stubs(calls: string[]): SloActivities {
  return {
    async openSloBurnIncident({ status, alert }) {
      calls.push(`burn:${status.id}:${alert}`);
      return { incidentId: 'openai-1' };
    },
    async openQuotaForecastIncident({ provider, kind, forecast, now }) {
      calls.push(`quota:${provider}:${kind}:${Math.round((forecast.exhaustAt! - now) / 60_000)}`);
      return { incidentId: `${provider}-2` };
    },
  };
}

async function withWorker(taskQueue: string, calls: string[], fn: () => Promise<void>) {
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: stubs(calls),
  });
  await worker.runUntil(fn);
}

test('a fast burn opens one warning incident in the minute the 1 h window crosses 14.4×', async () => {
  const calls: string[] = [];
  await withWorker('tq-slo-burn', calls, async () => {
    const h = await testEnv().client.workflow.start('sloWorkflow', {
      taskQueue: 'tq-slo-burn',
      workflowId: 'slo-burn',
      args: [{ settings: settings() }],
    });
    // History older than the hour keeps the slow (6 h) alert quiet; 600 good probes inside the hour, then
    // 10 failing probes a minute: the hour's error rate passes 14.4 % (14.4× a 1 % budget) at minute 11.
    await h.signal(sloSamplesSignal, probes(6000, 6000));
    await testEnv().sleep('61 minutes');
    await h.signal(sloSamplesSignal, probes(600, 600));
    for (let minute = 1; minute <= 12; minute++) {
      await testEnv().sleep('1 minute');
      await h.signal(sloSamplesSignal, probes(10, 0));
      // The batch is in once the window counts it; the episode flag is set in the same workflow task.
      const r = await waitFor(
        () => h.query(sloReportQuery),
        (x) => x.slos[0].total === 6600 + 10 * minute,
        `minute ${minute} counted`,
      );
      const s = r.slos[0];
      if (minute <= 10) {
        expect(s).toMatchObject({ alert: null, burning: false });
        expect(s.burnRates['1h']).toBeLessThanOrEqual(14.4);
        expect(calls).toEqual([]);
      } else {
        expect(s).toMatchObject({ alert: 'fast', burning: true });
        await waitFor(
          () => h.query(sloReportQuery),
          (x) => x.slos[0].incidentId === 'openai-1',
          'the incident recorded',
        );
        expect(calls).toEqual(['burn:openai-availability:fast']);
      }
    }
    const r = await h.query(sloReportQuery);
    expect(r.slos[0].budgetRemaining).toBeLessThan(0);
    expect(r.slos[0].burnRates['6h']).toBeLessThan(6);
  });
});

test('a quota forecast opens its incident at the horizon, once; a quota that resets first never does', async () => {
  const calls: string[] = [];
  await withWorker('tq-slo-quota', calls, async () => {
    const h = await testEnv().client.workflow.start('sloWorkflow', {
      taskQueue: 'tq-slo-quota',
      workflowId: 'slo-quota',
      args: [
        { settings: settings({ slos: [], quotaForecast: { ...settings().quotaForecast, horizonMs: 11 * 60_000 } }) },
      ],
    });
    // openai requests: 1000, used at 50 a minute, resetting in 2 h → runs out at minute 20; an 11-min
    // horizon is reached at minute 9, so the reading of minute 10 opens it (the one of minute 8 does not). anthropic tokens fall as fast but reset 5 min after each reading.
    const start = await testEnv().currentTimeMs();
    for (let step = 0; step <= 6; step++) {
      if (step) await testEnv().sleep('2 minutes');
      const at = await testEnv().currentTimeMs();
      const minute = Math.round((at - start) / 60_000);
      await h.signal(sloSamplesSignal, {
        probes: [],
        routes: [],
        quotas: [
          {
            provider: 'openai',
            kind: 'requests',
            samples: [{ at, remaining: 1000 - 50 * minute, limit: 1000, resetAt: at + 2 * 3_600_000 }],
          },
          {
            provider: 'anthropic',
            kind: 'tokens',
            samples: [{ at, remaining: 1000 - 50 * minute, limit: 1000, resetAt: at + 5 * 60_000 }],
          },
        ],
      });
      const r = await waitFor(
        () => h.query(sloReportQuery),
        (x) => x.quotas.find((q) => q.provider === 'openai')?.remaining === 1000 - 50 * minute,
        `minute ${minute} read`,
      );
      const openai = r.quotas.find((q) => q.provider === 'openai')!;
      if (minute < 10) {
        expect(openai.alerting).toBe(false);
        expect(calls).toEqual([]);
      } else {
        expect(openai.alerting).toBe(true);
        await waitFor(
          () => h.query(sloReportQuery),
          (x) => !!x.quotas.find((q) => q.provider === 'openai')?.incidentId,
          'the forecast incident recorded',
        );
        expect(calls).toEqual(['quota:openai:requests:10']);
      }
      if (minute >= 4) {
        expect(r.quotas.find((q) => q.provider === 'anthropic')).toMatchObject({ exhausts: false, alerting: false });
      }
    }
    const q = (await h.query(sloReportQuery)).quotas.find((x) => x.provider === 'openai')!;
    expect(q).toMatchObject({ alerting: true, incidentId: 'openai-2', exhausts: true });
    expect(q.perMinute).toBeCloseTo(50, 0);
  });
});
