// Every committed history must replay against today's workflow code: a change that would break
// in-flight incidents (non-determinism) fails here. Refresh the fixtures with
// `UPDATE_HISTORY_FIXTURES=1 npx jest --selectProjects integration -- test/integration/outage.test.ts`
// (and `… -- test/integration/archive.test.ts` for incident-declared-archived.json, a history taken from
// the archive, with the archive-on-close patch marker).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { quietTemporalRuntime, workflowBundle } from '../helpers/temporal';

const dir = join(__dirname, '..', 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

const workflowTypeOf = (history: ReturnType<typeof historyFromJSON>) =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';

test('there are committed histories for every workflow type', () => {
  const types = new Set(files.map((f) => workflowTypeOf(historyFromJSON(JSON.parse(readFileSync(join(dir, f), 'utf8'))))));
  expect([...types].sort()).toEqual(['incidentWorkflow', 'intakeWorkflow', 'monitorWorkflow', 'routePublisherWorkflow', 'routingWorkflow', 'trafficShiftWorkflow']);
});

test.each(files)('%s replays without non-determinism', async (file) => {
  quietTemporalRuntime();
  const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  await expect(Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, file)).resolves.toBeUndefined();
});
