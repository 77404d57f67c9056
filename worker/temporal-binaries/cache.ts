/** The project cache `<binDir>/<name>` plus its `<name>.version` stamp; a pin change makes the entry stale. */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Ctx } from './context';
import { isExecutableFile, sha256File } from './files';
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
  if (stamp.version !== spec.version) return `cached ${bin} is ${stamp.version ?? 'unknown'}, pinned ${spec.version}; re-fetching`;
  return 'ok';
}

/** Copy/move `produced` to `<binDir>/<name>` via temp file + rename, then write the stamp the same way. */
export async function installIntoCache(spec: BinarySpec, ctx: Ctx, produced: string, source: Source): Promise<void> {
  const dest = path.join(ctx.binDir, spec.name);
  const tmp = path.join(ctx.binDir, `.${spec.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    // Same filesystem for everything under binDir: try a rename first, copy otherwise.
    try {
      await fsp.rename(produced, tmp);
    } catch {
      await fsp.copyFile(produced, tmp);
    }
    await fsp.chmod(tmp, 0o755);
    const sha256 = await sha256File(tmp);
    await fsyncPath(tmp);
    await fsp.rename(tmp, dest);
    const stamp: Stamp = { name: spec.name, version: spec.version, source, sha256, fetchedAt: new Date().toISOString() };
    await writeFileAtomic(stampPath(spec, ctx), `${JSON.stringify(stamp, null, 2)}\n`);
  } finally {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
  }
}

async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

async function fsyncPath(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
