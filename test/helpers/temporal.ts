// Shared test plumbing for Temporal: the binaries and workflow bundle prepared by global-setup.
import { Runtime, DefaultLogger } from '@temporalio/worker';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/messages';

export function workflowBundle() {
  const codePath = process.env.LIFELINE_TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('LIFELINE_TEST_WORKFLOW_BUNDLE is not set: run the tests through jest (test/global-setup.ts)');
  return { codePath };
}

export function cliPath(): string {
  const p = process.env.LIFELINE_TEMPORAL_CLI;
  if (!p) throw new Error('LIFELINE_TEMPORAL_CLI is not set: run the tests through jest (test/global-setup.ts)');
  return p;
}

export function testServerPath(): string {
  const p = process.env.LIFELINE_TEMPORAL_TEST_SERVER;
  if (!p) throw new Error('LIFELINE_TEMPORAL_TEST_SERVER is not set: run the tests through jest (test/global-setup.ts)');
  return p;
}

let runtimeInstalled = false;
/** The SDK's core logs at INFO by default; tests only want warnings. Installable once per process. */
export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    /* already installed by another suite in this worker */
  }
}

/** lifeline's custom search attributes, on a server that does not have them yet (the test server). */
export async function registerSearchAttributes(connection: Connection, namespace = 'default'): Promise<void> {
  const searchAttributes = Object.fromEntries(
    Object.keys(SEARCH_ATTRIBUTE_TYPES).map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
  );
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}

/**
 * A time-skipping test environment for one test file, with lifeline's search attributes; torn down after
 * the file. Returns a getter because the environment exists only once beforeAll has run.
 */
export function useTimeSkippingEnv(): () => import('@temporalio/testing').TestWorkflowEnvironment {
  let env: import('@temporalio/testing').TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    quietTemporalRuntime();
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } });
    await registerSearchAttributes(env.connection);
  });
  afterAll(async () => env?.teardown());
  return () => {
    if (!env) throw new Error('time-skipping environment not started (use it inside tests)');
    return env;
  };
}
