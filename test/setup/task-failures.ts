// setupFilesAfterEnv of the workflow and integration tiers: every test fails if a workflow task failed
// while it ran (see test/helpers/task-failures.ts). The capturing Runtime logger is installed here, before
// any test code can create a Runtime with another one.
import { assertNoUnexpectedTaskFailures } from '../helpers/task-failures';
import { quietTemporalRuntime } from '../helpers/temporal';

quietTemporalRuntime();

afterEach(async () => {
  await assertNoUnexpectedTaskFailures();
});
