// Runs once before every tier: obtains the Temporal binaries (fetching them on a fresh machine) and
// bundles the workflow code once, so each test file can start a worker without re-bundling.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveTemporalBinaries } from '../temporal-server/binaries';
import { bundleWorkflows } from '../worker/workflow-bundle';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const bins = await resolveTemporalBinaries({ log: (l) => process.stderr.write(`[setup] ${l}\n`) });
  process.env.LIFELINE_TEMPORAL_CLI = bins.cli.path;
  process.env.LIFELINE_TEMPORAL_TEST_SERVER = bins.testServer.path;
  const dir = resolve(__dirname, '..', '.temporal', 'test');
  mkdirSync(dir, { recursive: true });
  const code = await bundleWorkflows();
  const codePath = join(dir, 'workflow-bundle.js');
  writeFileSync(codePath, code);
  process.env.LIFELINE_TEST_WORKFLOW_BUNDLE = codePath;
  process.stderr.write(
    `[setup] temporal CLI: ${bins.cli.source}, test server: ${bins.testServer.source}; workflow bundle ${Math.round(code.length / 1024)} KB; ${Date.now() - started} ms\n`,
  );
}
