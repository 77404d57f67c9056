// One lifeline per data directory, and ports that are really its own: a second instance is refused at
// once with a message that says what to do; a lock left by a dead process is taken over.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { InstanceLockedError, LOCK_FILENAME, lockDataDir, startDevServer } from '../../temporal-server/dev-server';

test('a second lock on the same data directory names the owner and the way out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-lock-'));
  // Another live process holds it (our parent stands in for a running `lifeline up`).
  writeFileSync(join(dir, LOCK_FILENAME), `${process.ppid}\n`);
  const err = await lockDataDir(dir).catch((e: Error) => e);
  expect(err).toBeInstanceOf(InstanceLockedError);
  expect((err as Error).message).toMatch(
    new RegExp(`another lifeline is already running on the data directory .* \\(pid ${process.ppid}\\); stop it first`),
  );
});

test('a lock whose owner died is taken over, and released on stop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-lock-'));
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(join(dir, LOCK_FILENAME), `${dead.stdout}\n`);
  const lock = await lockDataDir(dir);
  expect(readFileSync(join(dir, LOCK_FILENAME), 'utf8').trim()).toBe(String(process.pid));
  await lock.release();
  expect(existsSync(join(dir, LOCK_FILENAME))).toBe(false);
});

/** A process standing in for a `temporal server start-dev` (or, without `dev`, for anything else). */
function fakeServer(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...args], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  return child;
}
const exited = (c: ChildProcess) =>
  new Promise<void>((r) => (c.exitCode !== null || c.signalCode ? r() : c.once('exit', () => r())));

test('a dev server orphaned by a killed lifeline is stopped by the next owner; a recycled pid is left alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-orphan-'));
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const orphan = fakeServer(['server', 'start-dev', '--db-filename', join(dir, 'temporal.sqlite')]);
  writeFileSync(join(dir, LOCK_FILENAME), `${dead.stdout}\nserver ${orphan.pid}\n`);
  const said: string[] = [];
  const lock = await lockDataDir(dir, process.pid, (l) => said.push(l));
  await exited(orphan);
  expect(orphan.signalCode).toBe('SIGTERM');
  expect(said.join('\n')).toMatch(
    new RegExp(`stopped the server \\(pid ${orphan.pid}\\) a previous lifeline \\(pid ${dead.stdout}\\) left running`),
  );
  await lock.recordServer(4242);
  expect(readFileSync(join(dir, LOCK_FILENAME), 'utf8')).toBe(`${process.pid}\nserver 4242\n`);
  await lock.release();

  // The recorded pid now belongs to something else (not a start-dev on this directory): never killed.
  const stranger = fakeServer(['server', 'start-dev', '--db-filename', '/elsewhere/temporal.sqlite']);
  try {
    writeFileSync(join(dir, LOCK_FILENAME), `${dead.stdout}\nserver ${stranger.pid}\n`);
    const again = await lockDataDir(dir);
    expect(stranger.exitCode).toBeNull();
    expect(stranger.signalCode).toBeNull();
    process.kill(stranger.pid!, 0); // still alive
    await again.release();
  } finally {
    stranger.kill('SIGKILL');
  }
});

test('the embedded server refuses a configured port someone else holds, before spawning anything', async () => {
  const other = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => other.once('listening', r));
  const port = (other.address() as net.AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-port-'));
  try {
    const err = await startDevServer({
      cliPath: '/nonexistent/temporal',
      dataDir: dir,
      port,
      searchAttributes: {},
    }).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `temporal.port ${port} on 127.0.0.1 is already in use — is another lifeline or Temporal server running? Stop it, or set temporal.port to another port (0 = any free port)`,
    );
    expect(existsSync(join(dir, LOCK_FILENAME))).toBe(false); // released on failure
  } finally {
    other.close();
  }
});
