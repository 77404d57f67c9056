// The first lines of a config for one lifeline on its own embedded Temporal dev server, as the process-level
// tests and the benches write it: the API and Temporal on free ports of 127.0.0.1, no Temporal UI, one bearer
// token. The caller appends providers, chains and whatever else the test needs.

export interface EmbeddedConfigHead {
  taskQueue: string;
  dataDir: string;
  /** The one token: its name, the environment variable holding its value, its scopes. */
  token: { name: string; env: string; scopes: string[] };
  /** Ingestion rate limit (per second and burst); the config's default when absent. */
  ingestPerSecond?: number;
}

export function embeddedConfigHead(o: EmbeddedConfigHead): string {
  const { name, env, scopes } = o.token;
  const lines = [
    'server: { host: 127.0.0.1, port: 0 }',
    `temporal: { address: embedded, port: 0, uiPort: false, taskQueue: ${o.taskQueue} }`,
    `dataDir: ${o.dataDir}`,
    `auth: { tokens: [{ name: ${name}, tokenEnv: ${env}, scopes: [${scopes.join(', ')}] }] }`,
  ];
  const n = o.ingestPerSecond;
  if (n !== undefined) lines.push(`ingest: { rateLimit: { perSecond: ${n}, burst: ${n} } }`);
  return lines.join('\n') + '\n';
}
