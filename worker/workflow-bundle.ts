// The workflow bundle, made once at build time (`npm run build` runs this file from dist/) and loaded by
// every worker, so a worker starts without webpack (seconds of CPU and ~100 MB at each start; on a small
// host that is the difference between a rolling restart and a stall). Running from the TypeScript
// sources (tests, ts-node) there is no prebuilt bundle: the SDK bundles workflows/ itself.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** dist/workflow-bundle.js, beside dist/worker/. */
export const PREBUILT_BUNDLE = join(__dirname, '..', 'workflow-bundle.js');

/** The build's bundle when this module runs from dist/ and the file exists; otherwise none. */
export function prebuiltWorkflowBundle(): { codePath: string } | undefined {
  return __filename.endsWith('.js') && existsSync(PREBUILT_BUNDLE) ? { codePath: PREBUILT_BUNDLE } : undefined;
}

/** Bundles workflows/ (webpack, through the SDK) quietly: only errors are printed. */
export async function bundleWorkflows(): Promise<string> {
  const noop = () => undefined;
  const error = (m: string) => process.stderr.write(`${m}\n`);
  const logger = { trace: noop, debug: noop, info: noop, warn: noop, error, log: noop };
  return (await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger })).code;
}

if (require.main === module) {
  const t0 = Date.now();
  void bundleWorkflows().then(
    (code) => {
      writeFileSync(PREBUILT_BUNDLE, code);
      process.stdout.write(
        `workflow bundle: ${PREBUILT_BUNDLE} (${Math.round(code.length / 1024)} KB) in ${Date.now() - t0} ms\n`,
      );
    },
    (err: Error) => {
      process.stderr.write(`workflow bundle failed: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
