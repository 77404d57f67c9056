/** Fetch step 4: let the Temporal SDK download the binary from temporal.download, after a short reachability probe. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { FetchStep } from './context';
import { errText, StepFailed } from './errors';
import { probeReachable } from './probe';

export const sdkDownloadStep: FetchStep = async (spec, ctx) => {
  const host = new URL(ctx.sdkProbeUrl).host;
  ctx.log(`${spec.name}: checking ${host} reachability (hard ${ctx.sdkProbeTimeoutMs} ms timeout) …`);
  ctx.probe ??= probeReachable(ctx.sdkProbeUrl, ctx.sdkProbeTimeoutMs);
  const probe = await ctx.probe;
  if (!probe.reachable) throw new StepFailed(`${host} unreachable (${probe.detail}; probe took ${probe.ms} ms)`);
  ctx.log(
    `${spec.name}: ${host} reachable (${probe.detail}, ${probe.ms} ms); letting the Temporal SDK download ${spec.sdkVersion} …`,
  );

  let testing: typeof import('@temporalio/testing');
  try {
    testing = await import('@temporalio/testing');
  } catch (err) {
    throw new StepFailed(`@temporalio/testing is not installed (${errText(err)})`);
  }
  const downloadDir = path.join(ctx.cacheDir, 'sdk', spec.kind);
  await fsp.mkdir(downloadDir, { recursive: true });
  const executable = { type: 'cached-download' as const, downloadDir, version: spec.sdkVersion };
  const env =
    spec.kind === 'cli'
      ? await testing.TestWorkflowEnvironment.createLocal({ server: { executable, ip: '127.0.0.1' } })
      : await testing.TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  await env.teardown();

  // The SDK names its download `<prefix>-<version>`; take the newest matching, complete file.
  const candidates: { file: string; mtime: number }[] = [];
  for (const name of await fsp.readdir(downloadDir)) {
    if (!name.startsWith(spec.sdkFilePrefix) || name.endsWith('.downloading')) continue;
    const file = path.join(downloadDir, name);
    const st = await fsp.stat(file);
    if (st.isFile()) candidates.push({ file, mtime: st.mtimeMs });
  }
  candidates.sort((a, b) => b.mtime - a.mtime);
  if (candidates.length === 0)
    throw new StepFailed(`SDK reported success but left no ${spec.sdkFilePrefix}-* in ${downloadDir}`);
  return candidates[0].file;
};
