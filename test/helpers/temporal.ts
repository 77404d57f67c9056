// Shared test plumbing for Temporal: the binaries and workflow bundle prepared by global-setup.
import { Runtime, DefaultLogger, makeTelemetryFilterString } from '@temporalio/worker';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/messages';
import { recordRuntimeLog, watchHistories } from './task-failures';

export function workflowBundle() {
  const codePath = process.env.LIFELINE_TEST_WORKFLOW_BUNDLE;
  if (!codePath)
    throw new Error('LIFELINE_TEST_WORKFLOW_BUNDLE is not set: run the tests through jest (test/global-setup.ts)');
  return { codePath };
}

export function cliPath(): string {
  const p = process.env.LIFELINE_TEMPORAL_CLI;
  if (!p) throw new Error('LIFELINE_TEMPORAL_CLI is not set: run the tests through jest (test/global-setup.ts)');
  return p;
}

export function testServerPath(): string {
  const p = process.env.LIFELINE_TEMPORAL_TEST_SERVER;
  if (!p)
    throw new Error('LIFELINE_TEMPORAL_TEST_SERVER is not set: run the tests through jest (test/global-setup.ts)');
  return p;
}

let runtimeInstalled = false;
/**
 * The SDK's core logs at INFO by default; tests print only errors. Warnings are forwarded too, unprinted,
 * so the core's "Failing workflow task" reaches test/helpers/task-failures.ts. Installed once per process,
 * first thing in the workflow and integration tiers (test/setup/task-failures.ts).
 */
export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      // As in production (worker/worker.ts): the process's signals are not the SDK's to act on.
      shutdownSignals: [],
      logger: new DefaultLogger('WARN', (entry) => {
        recordRuntimeLog(entry);
        if (entry.level === 'ERROR')
          process.stderr.write(
            `[temporal] ${entry.message} ${entry.meta ? JSON.stringify(entry.meta).slice(0, 2000) : ''}\n`,
          );
      }),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
      },
    });
  } catch (err) {
    // A Runtime created before this point would not report workflow task failures: say so loudly.
    throw new Error(
      `the test Temporal Runtime could not be installed (one already exists in this process): ${(err as Error).message}`,
    );
  }
}

/** lifeline's custom search attributes, on a server that does not have them yet (the test server). */
export async function registerSearchAttributes(connection: Connection, namespace = 'default'): Promise<void> {
  const searchAttributes = Object.fromEntries(
    Object.keys(SEARCH_ATTRIBUTE_TYPES).map((name) => [
      name,
      temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    ]),
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
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: testServerPath() } },
    });
    await registerSearchAttributes(env.connection);
  });
  afterAll(async () => env?.teardown());
  return () => {
    if (!env) throw new Error('time-skipping environment not started (use it inside tests)');
    return env;
  };
}

/**
 * A local dev-server environment for one test file (real time, real visibility), with lifeline's search
 * attributes. For tests whose timers are made short instead of skipped: the time-skipping server stalls
 * on timers in child workflows of the routing entity and needs the clock pushed step by step, which is
 * slow under load.
 */
export function useLocalEnv(): () => import('@temporalio/testing').TestWorkflowEnvironment {
  let env: import('@temporalio/testing').TestWorkflowEnvironment | undefined;
  let unwatch: (() => void) | undefined;
  beforeAll(async () => {
    quietTemporalRuntime();
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: cliPath() }, ui: false },
    });
    await registerSearchAttributes(env.connection);
    unwatch = watchHistories(env.client);
  });
  afterAll(async () => {
    unwatch?.();
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error('local environment not started (use it inside tests)');
    return env;
  };
}
