/** Set and verify the namespace retention after start (start-dev has no retention flag; see index.ts). */
import { runCli, startError, type RunningServer } from './process';

async function describeRetentionSeconds(cliPath: string, address: string, namespace: string, deadline: number): Promise<number> {
  const r = await runCli(cliPath, ['operator', 'namespace', 'describe', '--address', address, '--namespace', namespace, '-o', 'json'], deadline);
  if (r.code !== 0) throw new Error(`temporal operator namespace describe failed: ${r.summary}`);
  const parsed = JSON.parse(r.stdout) as { config?: { workflowExecutionRetentionTtl?: string } };
  const ttl = parsed.config?.workflowExecutionRetentionTtl ?? '';
  const m = /^(\d+(?:\.\d+)?)s$/.exec(ttl);
  if (!m) throw new Error(`unexpected workflowExecutionRetentionTtl ${JSON.stringify(ttl)} from namespace describe`);
  return Number(m[1]);
}

export async function ensureRetention(
  server: RunningServer,
  cliPath: string,
  address: string,
  namespace: string,
  days: number,
  log: (line: string) => void,
  deadline: number,
): Promise<void> {
  const want = days * 86_400;
  const have = await describeRetentionSeconds(cliPath, address, namespace, deadline);
  if (have === want) return;
  log(`dev-server: setting retention of ${namespace} from ${have / 86_400}d to ${days}d`);
  const r = await runCli(cliPath, ['operator', 'namespace', 'update', '--address', address, '--namespace', namespace, '--retention', `${days}d`], deadline);
  if (r.code !== 0) throw startError(server, `could not set retention of ${namespace} to ${days}d`, r.summary);
  const after = await describeRetentionSeconds(cliPath, address, namespace, deadline);
  if (after !== want) throw startError(server, `retention of ${namespace} is ${after}s after update, expected ${want}s`);
}
