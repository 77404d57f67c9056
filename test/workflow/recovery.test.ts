// incidentWorkflow's recovery procedures on the time-skipping server (activities mocked): per root
// cause, the steps taken in order, the check after each, stopping at the first that works, else failover.
import { stubActivities, type AllIncidentActivities } from '../helpers/activity-stubs';
import { Worker } from '@temporalio/worker';
import type { IncidentContext } from '../../activities/types';
import type { FailureCategory } from '../../domain/classify';
import type { IncidentState } from '../../domain/incident';
import type { RecoveryAction, RecoveryCapabilities } from '../../domain/recovery';
import { alertsSignal, incidentStateQuery, resolveUpdate, type RouteState } from '../../workflows/messages';
import { workflowBundle, useTimeSkippingEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { resultSkippingTime, startRoutingEntity } from '../helpers/routing-entity';

const testEnv = useTimeSkippingEnv();

const NONE: RecoveryCapabilities = { backupKey: false, backupEndpoint: false, cheaperModel: false };

function mocks(rootCause: FailureCategory, caps: RecoveryCapabilities, worksAfter?: RecoveryAction) {
  const calls: string[] = [];
  let route: RouteState = {
    id: 'chat',
    providers: ['openai', 'anthropic'],
    weights: { openai: 100 },
    mode: 'normal',
    version: 1,
    updatedAt: new Date().toISOString(),
  };
  const ctx: IncidentContext = {
    services: [{ id: 'bot', users: 50 }],
    chains: ['chat'],
    impactRules: {
      critical: { minServices: 3, minUsers: 10_000 },
      high: { minServices: 2, minUsers: 1_000 },
      medium: { minUsers: 100 },
    },
    escalationLevels: {},
    ackTimeoutMs: 3_600_000,
    maxRepeats: 0,
    statusUpdateMs: { SEV1: 3_600_000, SEV2: 3_600_000, SEV3: 3_600_000, SEV4: 3_600_000 },
    recovery: { capabilities: caps, shiftStepMs: 1_000, failbackHealthyForMs: 0, failbackCheckEveryMs: 1_000 },
  };
  const activities: AllIncidentActivities = {
    ...stubActivities(),
    getIncidentContext: async () => ctx,
    notify: async () => ({ delivered: [] }),
    diagnoseProvider: async () => ({ rootCause, checks: [], recommendations: [], at: new Date().toISOString() }),
    renderReport: async () => ({ markdown: '# report', location: 'memory' }),
    applyRecoveryStep: async ({ action }) => {
      calls.push(`apply:${action}`);
      return { applied: true, detail: `${action} published` };
    },
    checkRecovery: async ({ action }) => {
      calls.push(`check:${action}`);
      return { healthy: action === worksAfter, detail: action === worksAfter ? 'HTTP 200' : 'HTTP 429' };
    },
    clearRecoveryHints: async () => {
      calls.push('clear');
    },
    shiftContext: async () => ({ route, configured: { openai: 100 }, unhealthy: [] }),
    applyRouteStep: async ({ request }) => {
      calls.push(
        `route:${Object.entries(request.weights)
          .map(([p, w]) => `${p}=${w}`)
          .join(',')}`,
      );
      route = { ...route, weights: request.weights, mode: request.mode ?? 'normal', version: route.version + 1 };
      return route;
    },
    validateProvider: async () => ({ healthy: true, detail: 'HTTP 200' }),
  };
  return { activities, calls };
}

let n = 0;
async function incident(m: ReturnType<typeof mocks>): Promise<IncidentState> {
  const taskQueue = `tq-recovery-${++n}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: m.activities,
  });
  return worker.runUntil(async () => {
    await startRoutingEntity(testEnv().client, taskQueue);
    const h = await testEnv().client.workflow.signalWithStart('incidentWorkflow', {
      taskQueue,
      workflowId: `incident-recovery-${n}`,
      args: [{ scope: 'openai', provider: 'openai', title: 'openai failing' }],
      signal: alertsSignal,
      signalArgs: [
        {
          alerts: [
            {
              provider: 'openai',
              kind: 'rate_limit',
              summary: '429',
              source: 'test',
              observedAt: new Date().toISOString(),
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
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'ops' }] });
    return await resultSkippingTime<IncidentState>(testEnv(), h);
  });
}

const steps = (s: IncidentState) =>
  s.timeline.filter((e) => e.type.startsWith('recovery') || e.type === 'traffic_shifted').map((e) => e.type);

test('rate limit: the backup key works → stop there, no failover', async () => {
  const m = mocks('rate_limit', { ...NONE, backupKey: true }, 'use_backup_key');
  const s = await incident(m);
  expect(m.calls).toEqual(['apply:use_backup_key', 'check:use_backup_key']);
  expect(steps(s)).toEqual(['recovery_plan', 'recovery_step', 'recovery_check', 'recovery_succeeded']);
  expect(s.routingChanges).toEqual([]);
  expect(s.mitigatedAt).toBeDefined();
});

test('rate limit without a backup key: step skipped, throttling signalled, then failover', async () => {
  const m = mocks('rate_limit', NONE);
  const s = await incident(m);
  expect(m.calls).toEqual(['apply:throttle', 'check:throttle', 'route:anthropic=100']);
  expect(s.timeline.find((e) => e.type === 'recovery_step')?.message).toMatch(/use_backup_key: skipped/);
  expect(steps(s)).toEqual(['recovery_plan', 'recovery_step', 'recovery_step', 'recovery_check', 'traffic_shifted']);
  expect(s.routingChanges[0]).toMatchObject({ from: { openai: 100 }, to: { anthropic: 100 }, mode: 'degraded' });
});

test('network: retries with backoff (three checks), then the backup endpoint, then failover', async () => {
  const m = mocks('network', { ...NONE, backupEndpoint: true });
  await incident(m);
  expect(m.calls).toEqual([
    'apply:retry_with_backoff',
    'check:retry_with_backoff',
    'check:retry_with_backoff',
    'check:retry_with_backoff',
    'apply:use_backup_endpoint',
    'check:use_backup_endpoint',
    'route:anthropic=100',
  ]);
});

test('quota: a cheaper model works → no failover', async () => {
  const m = mocks('quota_exceeded', { ...NONE, cheaperModel: true }, 'use_cheaper_model');
  const s = await incident(m);
  expect(m.calls).toEqual(['apply:use_cheaper_model', 'check:use_cheaper_model']);
  expect(s.routingChanges).toEqual([]);
});

test('authentication with a revoked backup too, and provider outages: straight to failover', async () => {
  const auth = mocks('authentication', { ...NONE, backupKey: true });
  await incident(auth);
  expect(auth.calls).toEqual(['apply:use_backup_key', 'check:use_backup_key', 'route:anthropic=100']);
  const outage = mocks('provider_outage', NONE);
  const s = await incident(outage);
  expect(outage.calls).toEqual(['route:anthropic=100']);
  expect(steps(s)).toEqual(['recovery_plan', 'traffic_shifted']);
});
