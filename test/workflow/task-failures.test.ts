// The shared WORKFLOW_TASK_FAILED check (test/helpers/task-failures.ts) sees a workflow that throws: the
// server keeps retrying the task and the workflow never fails, which is exactly what would otherwise pass
// unnoticed. This test expects the failure and says so; every other workflow test fails on one.
import { Worker } from '@temporalio/worker';
import { stubActivities } from '../helpers/activity-stubs';
import { expectWorkflowTaskFailures } from '../helpers/task-failures';
import { alertsSignal } from '../../workflows/messages';
import { useTimeSkippingEnv, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import type { IncidentContext } from '../../activities/types';

const testEnv = useTimeSkippingEnv();

test('a workflow task that throws is caught by the shared check (here expected, and said so)', async () => {
  expectWorkflowTaskFailures(
    'getIncidentContext returns a malformed context, so the incident workflow throws a TypeError',
    (f) => /reduce|undefined/.test(f.message),
  );
  const activities = stubActivities({ getIncidentContext: async () => ({}) as IncidentContext });
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue: 'tq-task-failure',
    workflowBundle: workflowBundle(),
    activities,
  });
  await worker.runUntil(async () => {
    const h = await testEnv().client.workflow.signalWithStart('incidentWorkflow', {
      taskQueue: 'tq-task-failure',
      workflowId: 'incident-task-failure',
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
              observedAt: new Date().toISOString(),
            },
          ],
        },
      ],
    });
    const history = await waitFor(
      () => h.fetchHistory(),
      (hist) => !!hist.events?.some((e) => e.workflowTaskFailedEventAttributes),
      'WORKFLOW_TASK_FAILED in the history',
    );
    // The workflow is still running: a task failure is retried forever, not surfaced as a failed workflow.
    expect((await h.describe()).status.name).toBe('RUNNING');
    expect(history.events?.filter((e) => e.workflowTaskFailedEventAttributes).length).toBeGreaterThanOrEqual(1);
    await h.terminate('test done');
  });
});
