// Test tiers, cheapest first. `npm test` runs them all after tsc --noEmit and eslint.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  // Temporal binaries are resolved once (and fetched if missing) before any tier runs.
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Per-project testTimeout is not honoured by jest; workflow and integration tests need minutes.
  testTimeout: 180000,
  // Only reaps handles left after every test has finished (a grpc channel deliberately left open under a
  // worker that would not drain — test/helpers/stack.ts). It hides no failure: that suite has already
  // failed, because stack.stop() rethrows the rejected run().
  forceExit: true,
  // Test files run in a worker process that is replaced once it holds more than this after a file. Without
  // it jest runs every file in its own process on a 2-core machine (one worker → "in band"), whose heap grew
  // to ~3.5 GB of its 4 GB limit by the scale test (file 67 of 142): garbage collection then stalled the
  // event loop that also carries that test's 150 probe loops, heartbeats were late and loops restarted
  // (its "every probe loop running" failed in 2 of the last 9 fresh-clone runs; sampled in one of them:
  // jest's process at 3.5 GB and 100–130 % CPU throughout the test).
  workerIdleMemoryLimit: '1.5GB',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    // Both fail a test whose run produced a WORKFLOW_TASK_FAILED it did not expect (test/setup/task-failures.ts).
    {
      ...common,
      displayName: 'workflow',
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/task-failures.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/task-failures.ts'],
    },
    { ...common, displayName: 'replay', testMatch: ['<rootDir>/test/replay/**/*.test.ts'] },
    // The route clients' own suites (clients/typescript against a fake lifeline; the Python suite runs from
    // test/integration/python-client.test.ts).
    { ...common, displayName: 'clients', testMatch: ['<rootDir>/clients/typescript/test/**/*.test.ts'] },
    // A real Temporal cluster (server built from go.temporal.io/server + PostgreSQL 15, see
    // .ci/install-temporal-cluster) with lifeline's workers and APIs as separate processes (dist/: build first).
    {
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
      globalSetup: '<rootDir>/test/cluster/global-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
    },
    // Not part of `npm test`: run with `npx jest --selectProjects bench`.
    { ...common, displayName: 'bench', testMatch: ['<rootDir>/bench/**/*.bench.ts'] },
  ],
};
