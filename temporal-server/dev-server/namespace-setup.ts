/**
 * After start, through the gRPC services: the namespace retention (start-dev has no flag for it) and the custom
 * search attributes (start-dev skips them on a reused SQLite file, and ignores a type clash); see index.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs, optionalTsToMs } from '@temporalio/common/lib/time';
import { startError, type RunningServer } from './process';

export const SEARCH_ATTRIBUTE_TYPES = ['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'] as const;
export type SearchAttributeTypeName = (typeof SEARCH_ATTRIBUTE_TYPES)[number];

/** The proto's IndexedValueType number (`KeywordList` → INDEXED_VALUE_TYPE_KEYWORD_LIST), through the SDK's mapping. */
const indexed = (type: SearchAttributeTypeName): number =>
  encodeSearchAttributeIndexedValueType(type.replace(/\B(?=[A-Z])/g, '_').toUpperCase() as 'KEYWORD_LIST') ?? 0;

interface Setup {
  retentionDays: number;
  searchAttributes: Record<string, SearchAttributeTypeName>;
  log: (line: string) => void;
  deadline: number;
}

export async function configureNamespace(
  server: RunningServer,
  address: string,
  namespace: string,
  s: Setup,
): Promise<void> {
  const connection = Connection.lazy({ address, connectTimeout: 5000 });
  try {
    await connection.ensureConnected();
    await ensureSearchAttributes(connection, server, namespace, s);
    await ensureRetention(connection, server, namespace, s);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function ensureSearchAttributes(
  connection: Connection,
  server: RunningServer,
  namespace: string,
  s: Setup,
): Promise<void> {
  const wanted = Object.entries(s.searchAttributes).map(([name, type]) => [name, type, indexed(type)] as const);
  if (wanted.length === 0) return;
  const list = async () => {
    const res = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.fromEntries(Object.entries(res.customAttributes ?? {}).map(([k, v]) => [k, Number(v)]));
  };
  const existing = await list();
  const clashes = wanted.filter(([n, , t]) => existing[n] !== undefined && existing[n] !== t);
  if (clashes.length) {
    const what = clashes.map(
      ([n, type]) =>
        `${n} is ${SEARCH_ATTRIBUTE_TYPES.find((t) => indexed(t) === existing[n]) ?? `type #${existing[n]}`}, wanted ${type}`,
    );
    throw startError(
      server,
      `has search attributes of the wrong type in namespace ${namespace} (${what.join('; ')}); ` +
        `the SQLite file keeps old registrations — delete it or rename the attribute`,
    );
  }
  const missing = wanted.filter(([n]) => existing[n] === undefined);
  if (missing.length) {
    s.log(
      `dev-server: registering search attributes ${missing.map(([n, type]) => `${n} (${type})`).join(', ')} in ${namespace}`,
    );
    const searchAttributes = Object.fromEntries(missing.map(([n, , t]) => [n, t]));
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes }).catch((err: unknown) => {
      throw startError(server, `could not register search attributes ${missing.map(([n]) => n).join(', ')}`, err);
    });
  }
  // Verify (visibility may lag a moment behind the create call).
  for (;;) {
    const now = await list();
    const absent = wanted.filter(([n, , t]) => now[n] !== t);
    if (absent.length === 0) return;
    if (Date.now() > s.deadline)
      throw startError(server, `search attributes ${absent.map(([n]) => n).join(', ')} not visible in ${namespace}`);
    await sleep(250);
  }
}

async function ensureRetention(
  connection: Connection,
  server: RunningServer,
  namespace: string,
  s: Setup,
): Promise<void> {
  const want = s.retentionDays * 86_400;
  const seconds = async () =>
    (optionalTsToMs(
      (await connection.workflowService.describeNamespace({ namespace })).config?.workflowExecutionRetentionTtl,
    ) ?? 0) / 1000;
  const have = await seconds();
  if (have === want) return;
  s.log(`dev-server: setting retention of ${namespace} from ${have / 86_400}d to ${s.retentionDays}d`);
  await connection.workflowService
    .updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: msToTs(want * 1000) } })
    .catch((err: unknown) => {
      throw startError(server, `could not set retention of ${namespace} to ${s.retentionDays}d`, err);
    });
  const after = await seconds();
  if (after !== want)
    throw startError(server, `retention of ${namespace} is ${after}s after update, expected ${want}s`);
}
