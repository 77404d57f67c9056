/**
 * Run `temporal server start-dev` (Temporal CLI 1.9.1) as a child process backed by a SQLite file, wait until its
 * frontend answers, make sure the namespace has the wanted retention and the custom search attributes exist, and
 * hand back a handle whose `stop()` shuts it down.
 *
 * Facts about CLI 1.9.1 this relies on (checked against `temporal server start-dev --help`):
 *  - flags: --db-filename, --ip, --port, --ui-port | --headless, --http-port, --metrics-port, --namespace,
 *    --search-attribute KEY=TYPE, --dynamic-config-value, and the global --log-level;
 *  - there is NO retention flag for start-dev (namespaces are created with 24h), so retention is applied afterwards
 *    (UpdateNamespace) and verified (DescribeNamespace);
 *  - on a reused SQLite file start-dev does not register new --search-attribute values (and silently ignores a type
 *    clash), so after start the attributes are reconciled: missing ones are added (AddSearchAttributes), a type
 *    clash is a clear error;
 *  - history/matching/worker service ports are always random; --http-port/--metrics-port default to random free ports
 *    too, but we pick them explicitly like the frontend port.
 */
export { buildStartDevArgs, type StartDevArgsInput } from './args';
export { getFreePort } from './ports';
export type { SearchAttributeTypeName } from './namespace-setup';
export { DEV_SERVER_DB_FILENAME, startDevServer, type DevServerHandle, type StartDevServerOptions } from './start';
export { InstanceLockedError, lockDataDir, LOCK_FILENAME } from './instance-lock';
