/** Reconcile the custom search attributes after start (start-dev skips them on a reused SQLite file; see index.ts). */
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { runCli, startError, type RunningServer } from './process';

export type SearchAttributeTypeName = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export const INDEXED_VALUE_TYPE: Record<SearchAttributeTypeName, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};
const TYPE_NAME_BY_INDEX: Record<number, SearchAttributeTypeName> = Object.fromEntries(
  Object.entries(INDEXED_VALUE_TYPE).map(([k, v]) => [v, k as SearchAttributeTypeName]),
);

async function listCustomSearchAttributes(address: string, namespace: string): Promise<Record<string, number>> {
  const connection = Connection.lazy({ address, connectTimeout: 5000 });
  try {
    await connection.ensureConnected();
    const res = await connection.operatorService.listSearchAttributes({ namespace });
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(res.customAttributes ?? {})) out[k] = Number(v);
    return out;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export async function ensureSearchAttributes(
  server: RunningServer,
  cliPath: string,
  address: string,
  namespace: string,
  wanted: Record<string, SearchAttributeTypeName>,
  log: (line: string) => void,
  deadline: number,
): Promise<void> {
  if (Object.keys(wanted).length === 0) return;
  const existing = await listCustomSearchAttributes(address, namespace);
  const missing: Partial<Record<SearchAttributeTypeName, string[]>> = {};
  const clashes: string[] = [];
  for (const [name, type] of Object.entries(wanted)) {
    const have = existing[name];
    if (have === undefined) (missing[type] ??= []).push(name);
    else if (have !== INDEXED_VALUE_TYPE[type]) clashes.push(`${name} is ${TYPE_NAME_BY_INDEX[have] ?? `type #${have}`}, wanted ${type}`);
  }
  if (clashes.length) {
    throw startError(
      server,
      `has search attributes of the wrong type in namespace ${namespace} (${clashes.join('; ')}); ` +
        `the SQLite file keeps old registrations — delete it or rename the attribute`,
    );
  }
  for (const [type, names] of Object.entries(missing) as [SearchAttributeTypeName, string[]][]) {
    log(`dev-server: registering search attributes ${names.join(', ')} (${type}) in ${namespace}`);
    const args = ['operator', 'search-attribute', 'create', '--address', address, '--namespace', namespace, '--type', type];
    for (const n of names) args.push('--name', n);
    const r = await runCli(cliPath, args, deadline);
    if (r.code !== 0) throw startError(server, `could not register search attributes ${names.join(', ')}`, r.summary);
  }
  // Verify (visibility may lag a moment behind the create call).
  for (;;) {
    const now = await listCustomSearchAttributes(address, namespace);
    const absent = Object.entries(wanted).filter(([n, t]) => now[n] !== INDEXED_VALUE_TYPE[t]);
    if (absent.length === 0) return;
    if (Date.now() > deadline) throw startError(server, `search attributes ${absent.map(([n]) => n).join(', ')} not visible in ${namespace}`);
    await sleep(250);
  }
}
