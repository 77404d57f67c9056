import type { SearchAttributeTypeName } from './namespace-setup';

export interface StartDevArgsInput {
  dbFilename: string;
  host: string;
  port: number;
  uiPort?: number;
  httpPort?: number;
  metricsPort?: number;
  namespace: string;
  searchAttributes: Record<string, SearchAttributeTypeName>;
  /** SQLite durability (see config `temporal.sqliteSync`); undefined = the CLI's default. */
  sqliteSync?: 'normal' | 'full';
}

/** The exact argv passed to the CLI (exported so callers/tests can see it). */
export function buildStartDevArgs(i: StartDevArgsInput): string[] {
  const args = ['server', 'start-dev', '--db-filename', i.dbFilename, '--ip', i.host, '--port', String(i.port)];
  if (i.uiPort !== undefined) args.push('--ui-port', String(i.uiPort));
  else args.push('--headless');
  if (i.httpPort !== undefined) args.push('--http-port', String(i.httpPort));
  if (i.metricsPort !== undefined) args.push('--metrics-port', String(i.metricsPort));
  args.push('--namespace', i.namespace);
  for (const [name, type] of Object.entries(i.searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  // The dev server otherwise phones home for a version check; pointless (and noisy) on offline machines.
  args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false');
  args.push('--log-level', 'warn');
  // WAL + synchronous=NORMAL: one fsync per checkpoint instead of several per commit; commits still
  // survive the crash of any process. FULL keeps WAL but fsyncs every commit.
  if (i.sqliteSync) args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', `synchronous=${i.sqliteSync}`);
  return args;
}
