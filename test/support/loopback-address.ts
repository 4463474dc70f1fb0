import { createServer } from 'node:net';

/**
 * Addresses and ports on loopback for real-peer tests. Linux routes all of
 * 127.0.0.0/8 to `lo`, so each test takes its own 127.x.y.z and can listen on
 * a well-known port (443, 3128) that tshark decodes without `-d`, without
 * clashing with tests running in parallel.
 */

/** Resolves true when `host:port` can be bound right now. */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A random 127.x.y.z (never 127.0.0.1) on which every port in `ports` is free. */
export async function freeLoopbackAddress(ports: number[] = [443]): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const host = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${2 + Math.floor(Math.random() * 250)}`;
    const free = await Promise.all(ports.map((port) => canListen(host, port)));
    if (free.every(Boolean)) return host;
  }
  throw new Error(`no free loopback address for ports ${ports.join(',')}`);
}

/** A port the kernel says is free on `host` (it may be taken again before use: callers retry on bind errors). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}
