/**
 * Fetch step 6: `go install` the pinned CLI into `<cacheDir>/go-bin`. CLI only — the test server is a GraalVM build of
 * the Java SDK's test server and has no Go module.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { FetchStep } from './context';
import { StepFailed } from './errors';
import { run } from './exec';
import { isExecutableFile } from './files';

export const goInstallStep: FetchStep = async (spec, ctx) => {
  if (!spec.goPackage) {
    ctx.log(`${spec.name}: no go-install route (it is the Java SDK's test server, not a Go module)`);
    throw new StepFailed(
      `not available for ${spec.name} (native build of the Java SDK's test server; there is no Go module)`,
    );
  }
  const v = await run(ctx.goCommand, ['version'], { env: ctx.env, timeoutMs: 30_000 });
  if (v.code !== 0) throw new StepFailed(`\`${ctx.goCommand}\` not usable (${v.summary})`);
  const gobin = path.join(ctx.cacheDir, 'go-bin');
  await fsp.mkdir(gobin, { recursive: true });
  const target = `${spec.goPackage}@v${spec.version}`;
  ctx.log(
    `${spec.name}: trying GOBIN=${gobin} ${ctx.goCommand} install ${target} (${v.stdout.trim()}; compiling can take minutes) …`,
  );
  const r = await run(ctx.goCommand, ['install', target], {
    env: { ...ctx.env, GOBIN: gobin },
    timeoutMs: 45 * 60_000,
  });
  if (r.code !== 0) throw new StepFailed(`\`go install ${target}\` failed: ${r.summary}`);
  const built = path.join(gobin, spec.name);
  if (!(await isExecutableFile(built))) throw new StepFailed(`go install succeeded but ${built} is missing`);
  return built;
};
