// The real LiteLLM proxy (PyPI litellm[proxy], installed by .ci/install-litellm into a cached venv) as a
// child process, for the real-gateway test and bench/peer. A missing install throws with the command that
// fixes it: a test that needs the real proxy fails, it never skips or falls back to a fake.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Kept in step with .ci/install-litellm (never 1.107.0, a compromised release). */
export const LITELLM_VERSION = '1.108.7';
/** lifeline's route-following callback for DB-less proxies (integrations/litellm/), from sim/ or dist/sim/. */
export function lifelineRoutesPlugin(): string {
  const rel = join('integrations', 'litellm', 'lifeline_routes.py');
  const found = [resolve(__dirname, '..', rel), resolve(__dirname, '..', '..', rel)].find((p) => existsSync(p));
  if (!found) throw new Error(`${rel} not found next to ${__dirname}`);
  return found;
}

export function litellmBin(): string {
  const cache = process.env.LIFELINE_CACHE ?? join(homedir(), '.cache', 'lifeline');
  const bin = process.env.LIFELINE_LITELLM_BIN ?? join(cache, `litellm-${LITELLM_VERSION}`, 'bin', 'litellm');
  if (!existsSync(bin))
    throw new Error(`LiteLLM proxy ${LITELLM_VERSION} not installed at ${bin}: run .ci/install-litellm`);
  return bin;
}

/** A port free now (for a proxy whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface LiteLlmProxy {
  url: string;
  masterKey: string;
  /** The proxy's output so far (for a failing assertion's message). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `litellm --config` with `configYaml` (its `general_settings.master_key` is set here) and waits
 * until it answers. `withPlugin` copies lifeline_routes.py next to the config so
 * `callbacks: lifeline_routes.proxy_handler_instance` resolves.
 */
export async function startLiteLlmProxy(opts: {
  configYaml: string;
  env?: Record<string, string>;
  withPlugin?: boolean;
  port?: number;
  readyTimeoutMs?: number;
}): Promise<LiteLlmProxy> {
  const bin = litellmBin();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-litellm-'));
  const masterKey = 'sk-lifeline-test-master';
  writeFileSync(join(dir, 'config.yaml'), `${opts.configYaml}\ngeneral_settings: { master_key: ${masterKey} }\n`);
  if (opts.withPlugin) copyFileSync(lifelineRoutesPlugin(), join(dir, 'lifeline_routes.py'));
  const port = opts.port ?? (await freePort());
  let out = '';
  const child = spawn(bin, ['--config', join(dir, 'config.yaml'), '--host', '127.0.0.1', '--port', String(port)], {
    cwd: dir,
    env: {
      ...process.env,
      // No fetch of the model cost map from the internet at start, no telemetry.
      LITELLM_LOCAL_MODEL_COST_MAP: 'True',
      LITELLM_TELEMETRY: 'False',
      LITELLM_LOG: 'ERROR',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stop() ends the proxy and any worker it forked
  });
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const killer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`LiteLLM proxy exited with code ${child.exitCode} at start:\n${out.slice(-4000)}`);
    }
    const ok = await fetch(`${url}/health/liveliness`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`LiteLLM proxy not ready after ${opts.readyTimeoutMs ?? 120_000} ms:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, masterKey, output: () => out, stop };
}
