/** The project cache `<binDir>/<name>` plus its `<name>.version` stamp; a pin change makes the entry stale. */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Ctx } from './context';
import { isExecutableFile } from './files';
import type { BinarySpec, Source } from './versions';

interface Stamp {
  name: string;
  version: string;
  source: Source;
  sha256: string;
  fetchedAt: string;
}

function stampPath(spec: BinarySpec, ctx: Ctx): string {
  return path.join(ctx.binDir, `${spec.name}.version`);
}

export async function cacheState(spec: BinarySpec, ctx: Ctx): Promise<'ok' | string> {
  const bin = path.join(ctx.binDir, spec.name);
  if (!(await isExecutableFile(bin))) return `nothing cached at ${bin}`;
  let stamp: Partial<Stamp>;
  try {
    stamp = JSON.parse(await fsp.readFile(stampPath(spec, ctx), 'utf8')) as Partial<Stamp>;
  } catch {
    return `${bin} has no readable version stamp; re-fetching`;
  }
  if (stamp.version !== spec.version)
    return `cached ${bin} is ${stamp.version ?? 'unknown'}, pinned ${spec.version}; re-fetching`;
  return 'ok';
}

/**
 * Write `produced` to `<binDir>/<name>`, then its stamp, each atomically (temp file, fsync, rename), so a concurrent
 * reader never runs a half-written binary. The binary (≈ 100 MB) is read whole: this happens once per pin change.
 */
export async function installIntoCache(spec: BinarySpec, ctx: Ctx, produced: string, source: Source): Promise<void> {
  const data = await fsp.readFile(produced);
  await writeFileAtomic(path.join(ctx.binDir, spec.name), data, { mode: 0o755 });
  const sha256 = createHash('sha256').update(data).digest('hex');
  const stamp: Stamp = { name: spec.name, version: spec.version, source, sha256, fetchedAt: new Date().toISOString() };
  await writeFileAtomic(stampPath(spec, ctx), `${JSON.stringify(stamp, null, 2)}\n`);
}
