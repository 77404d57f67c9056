// Adding replay fixtures from workflow tests: with ADD_HISTORY_FIXTURES=1, a test writes the histories it
// produced to test/fixtures/histories/, where the replay tier then checks every later change against them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export async function maybeWriteFixture(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.ADD_HISTORY_FIXTURES) return;
  const history = await handle.fetchHistory();
  writeFileSync(join(__dirname, '..', 'fixtures', 'histories', `${name}.json`), historyToJSON(history));
}
