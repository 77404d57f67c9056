// Replay fixtures: with UPDATE_HISTORY_FIXTURES=1, tests write the histories they produced to
// test/fixtures/histories/v<version>/ (the package version that recorded them), where the replay tier then
// checks every later change against them. Older versions' folders stay as long as runs of that code can be open.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { version } from '../../package.json';

export const recordingFixtures = (): boolean =>
  !!(process.env.UPDATE_HISTORY_FIXTURES || process.env.ADD_HISTORY_FIXTURES);

/** The folder of this version's fixtures (created on first use). */
export function historyFixtureDir(): string {
  const dir = join(__dirname, '..', 'fixtures', 'histories', `v${version}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function maybeWriteFixture(name: string, handle: WorkflowHandle): Promise<void> {
  if (!recordingFixtures()) return;
  const history = await handle.fetchHistory();
  writeFileSync(join(historyFixtureDir(), `${name}.json`), historyToJSON(history));
}
