// A scripted incident on the time-skipping server: fault 20 s before detection, acknowledged after
// exactly 7 minutes of skipped time, provider back 30 minutes later. The report's durations and failover
// KPIs must come out of the workflow's own timestamps as those injected timings.
import { stubActivities, type AllIncidentActivities } from '../helpers/activity-stubs';
import { startRoutingEntity } from '../helpers/routing-entity';
import { Worker } from '@temporalio/worker';
import type { ArchiveRequest } from '../../activities/types';
import type { IncidentState } from '../../domain/incident';
import { buildReportModel, formatDuration } from '../../domain/report';
import { renderPostmortem } from '../../activities/report';
import { acknowledgeUpdate, alertsSignal, incidentStateQuery, providerRecoveredSignal } from '../../workflows/messages';
import { workflowBundle, useTimeSkippingEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { DEFAULT_IMPACT_RULES, DEFAULT_STATUS_UPDATE_MS } from '../../domain/impact';

const testEnv = useTimeSkippingEnv();

test('durations and KPIs match the injected timings (MTTD 20 s, MTTA 7 min, MTTR 37 min)', async () => {
  const archived: ArchiveRequest[] = [];
  const activities: AllIncidentActivities = {
    ...stubActivities(),
    getIncidentContext: async () => ({
      services: [{ id: 'support-bot', users: 12_000 }],
      chains: ['chat'],
      impactRules: DEFAULT_IMPACT_RULES,
      escalationLevels: {},
      ackTimeoutMs: 60 * 60_000, // no escalation before the scripted ack
      maxRepeats: 0,
      statusUpdateMs: DEFAULT_STATUS_UPDATE_MS,
      // Failback without waits, so resolution follows recovery at once and MTTR is the scripted 37 min.
      recovery: {
        capabilities: { backupKey: false, backupEndpoint: false, cheaperModel: false },
        shiftStepMs: 1,
        failbackHealthyForMs: 0,
        failbackCheckEveryMs: 1,
      },
    }),
    notify: async () => ({ delivered: ['log'] }),
    deliverNotification: async (d) => ({ channel: d.channel, status: 'delivered' }),
    publishStatusUpdate: async () => ({ sent: 0 }),
    diagnoseProvider: async () => ({
      rootCause: 'provider_outage',
      checks: [{ name: 'api_probe', status: 'failed', detail: 'HTTP 503' }],
      recommendations: [],
      at: new Date().toISOString(),
    }),
    renderReport: async (state) => ({ markdown: await renderPostmortem(state), location: 'memory' }),
    startArchiver: async (req) => {
      archived.push(req);
      return { archiveWorkflowId: `archive-${req.state.id}`, started: true };
    },
    archiveIncident: async () => ({ location: 'memory', alreadyArchived: false, events: 0 }),
  };
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue: 'tq-timings',
    workflowBundle: workflowBundle(),
    activities,
  });
  await worker.runUntil(async () => {
    await startRoutingEntity(testEnv().client, 'tq-timings'); // failover and failback queue there
    // The server's clock, not the host's: time skipping moves it ahead of Date.now(). Each scripted step
    // also takes some real (unskipped) time — queries, an update, workflow tasks — measured here on the
    // server's clock, so the tolerance below is this run's figure, not a guess at the machine's load.
    const t0 = await testEnv().currentTimeMs();
    const h = await testEnv().client.workflow.signalWithStart('incidentWorkflow', {
      taskQueue: 'tq-timings',
      workflowId: 'incident-timings',
      args: [{ scope: 'openai', provider: 'openai', title: 'openai down' }],
      signal: alertsSignal,
      signalArgs: [
        {
          alerts: [
            {
              provider: 'openai',
              kind: 'outage',
              summary: 'probe 503',
              source: 'probe',
              observedAt: new Date(t0 - 20_000).toISOString(),
            },
          ],
        },
      ],
    });
    await waitFor(
      () => h.query(incidentStateQuery),
      (s) => s.phase === 'monitoring',
      'monitoring phase',
    );
    const t1 = await testEnv().currentTimeMs();
    await testEnv().sleep('7 minutes');
    const a0 = await testEnv().currentTimeMs();
    await h.executeUpdate(acknowledgeUpdate, { args: [{ by: 'dana' }] });
    const a1 = await testEnv().currentTimeMs();
    await testEnv().sleep('30 minutes');
    await h.signal(providerRecoveredSignal, {
      at: new Date(await testEnv().currentTimeMs()).toISOString(),
      detail: 'probe 200',
    });
    const final = (await h.result()) as IncidentState;
    const unskipped = t1 - t0 + (a1 - a0);

    const model = buildReportModel(final);
    const d = Object.fromEntries(model.durations.map((x) => [x.name, x]));
    // Each duration is its injected timing plus at most the measured real time of the steps around it.
    const near = (name: string, ms: number | null, injected: number) =>
      expect(
        `${name} ${ms! >= injected - 1000 && ms! <= injected + unskipped + 1000 ? 'within' : 'outside'} [${injected}, ${injected + unskipped + 1000}] ms: ${ms}`,
      ).toMatch(/ within /);
    near('mttd', d.mttd.ms, 20_000);
    near('mtta', d.mtta.ms, 7 * 60_000);
    near('mttr', d.mttr.ms, 37 * 60_000);
    expect(d.mttm.ms!).toBeLessThanOrEqual(unskipped + 1000);
    for (const x of [d.mttd, d.mtta, d.mttr]) expect(x.text).toBe(formatDuration(x.ms));
    process.stdout.write(
      `[figures] report timings: ${unskipped} ms of real time in the scripted steps (tolerance of the durations)\n`,
    );
    // Detection met needs < 30 s: 20 s injected + this run's step time (printed above; seconds at most).
    expect(Object.fromEntries(model.kpis.map((k) => [k.name, k.verdict]))).toEqual({
      detection: 'met',
      failover: 'met',
      restoration: 'met',
      total: 'missed',
    });
    expect(model.prevention.priority).toBe('high'); // SEV1

    expect(final.report).toContain(`| Time to acknowledge | ${d.mtta.text} |`);
    expect(final.report).toContain(`| Detection (fault → detected) | < 30 s | ${d.mttd.text} | met |`);
    expect(final.report).toMatch(/\| Total recovery \(fault → resolved\) \| < 5 min \| 37 min[^|]* \| missed \|/);
    expect(archived).toHaveLength(1);
    expect(archived[0].state.acknowledgedAt).toBe(final.acknowledgedAt);
  });
});
