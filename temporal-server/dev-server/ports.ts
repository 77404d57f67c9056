import net, { type AddressInfo } from 'node:net';

/**
 * A TCP port that is free on `host`: bind port 0, then (like the Temporal SDK core) connect to it and close the
 * accepted socket from the server side first, leaving the port in TIME_WAIT so the kernel does not hand it out again to
 * other bind(0) callers for a while — while an explicit bind (SO_REUSEADDR, the Go default) still succeeds.
 */
export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  if (process.platform === 'linux') {
    await new Promise<void>((resolve) => {
      server.once('connection', (sock) => sock.destroy());
      const client = net.connect(port, host);
      client.on('error', () => resolve());
      client.on('close', () => resolve());
      client.on('end', () => client.destroy());
    });
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when something accepts TCP connections on host:port (a port we were told to use is taken). */
export function portInUse(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (v: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
