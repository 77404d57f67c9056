// Public text from the workflow: an operator's public update reaches subscribers at once, word for word;
// an internal note never does; acknowledging twice records one acknowledgement.
import { Worker } from '@temporalio/worker';
import { stubActivities } from '../helpers/activity-stubs';
import type { IncidentActivities, StatusUpdateRequest } from '../../activities/types';
import type { IncidentState } from '../../domain/incident';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  alertsSignal,
  incidentStateQuery,
  resolveUpdate,
} from '../../workflows/messages';
import { workflowBundle, useTimeSkippingEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const testEnv = useTimeSkippingEnv();

test('a public update is emailed at once; an internal note never; a second ack changes nothing', async () => {
  const published: StatusUpdateRequest[] = [];
  const acts: IncidentActivities = {
    ...stubActivities(),
    publishStatusUpdate: async (req) => {
      published.push(req);
      return { sent: 1 };
    },
  };
  const taskQueue = 'tq-public-updates';
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: acts,
  });
  await worker.runUntil(async () => {
    const h = await testEnv().client.workflow.signalWithStart('incidentWorkflow', {
      taskQueue,
      workflowId: 'incident-public-updates',
      args: [{ scope: 'openai', provider: 'openai', title: 'openai errors' }],
      signal: alertsSignal,
      signalArgs: [
        {
          alerts: [
            {
              provider: 'openai',
              kind: 'outage',
              summary: 'HTTP 503',
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
      'monitoring',
    );
    await h.executeUpdate(addNoteUpdate, { args: [{ by: 'dana', text: 'false alarm: grafana panel misconfigured' }] });
    await h.executeUpdate(addNoteUpdate, {
      args: [{ by: 'dana', text: 'A fix is rolling out; errors are dropping.', public: true }],
    });
    await waitFor(
      async () => published,
      (p) => p.some((r) => r.update.body === 'A fix is rolling out; errors are dropping.'),
      'the public update emailed',
    );
    await h.executeUpdate(acknowledgeUpdate, { args: [{ by: 'dana' }] });
    const twice = await h.executeUpdate(acknowledgeUpdate, { args: [{ by: 'sam' }] });
    expect(twice.acknowledgements).toEqual([expect.objectContaining({ by: 'dana' })]);
    await h.executeUpdate(resolveUpdate, { args: [{ by: 'dana', note: 'false alarm: grafana panel misconfigured' }] });
    const final = (await h.result()) as IncidentState;
    expect(final.timeline.filter((e) => e.type === 'acknowledged')).toHaveLength(1);
    expect(JSON.stringify(published)).not.toContain('grafana');
    expect(published[published.length - 1].update).toMatchObject({
      status: 'resolved',
      body: 'This incident has been resolved.',
    });
  });
});
