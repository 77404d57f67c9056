// Every committed history must replay against today's workflow code: a change that would break
// in-flight incidents (non-determinism) fails here. Histories live in test/fixtures/histories/v<version>/,
// named by the version that recorded them. Record this version's with
// `UPDATE_HISTORY_FIXTURES=1 npx jest <file> --selectProjects integration workflow` (the tests that record
// are listed in CONTRIBUTING.md).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { quietTemporalRuntime, workflowBundle } from '../helpers/temporal';

const dir = join(__dirname, '..', 'fixtures', 'histories');
// `v0.1.0/incident-outage-recovered.json`: every version's folder, every history in it.
const files = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(dir, d.name))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `${d.name}/${f}`),
  );

const workflowTypeOf = (history: ReturnType<typeof historyFromJSON>) =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';

test('there are committed histories for every workflow type', () => {
  const types = new Set(
    files.map((f) => workflowTypeOf(historyFromJSON(JSON.parse(readFileSync(join(dir, f), 'utf8'))))),
  );
  expect([...types].sort()).toEqual([
    'incidentWorkflow',
    'intakeWorkflow',
    'monitorWorkflow',
    'routePublisherWorkflow',
    'routingWorkflow',
    'trafficShiftWorkflow',
  ]);
});

test.each(files)('%s replays without non-determinism', async (file) => {
  quietTemporalRuntime();
  const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  await expect(Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, file)).resolves.toBeUndefined();
});
