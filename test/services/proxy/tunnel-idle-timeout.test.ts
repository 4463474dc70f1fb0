import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardProxy } from '../../../electron/services/proxy/forward-proxy';

/**
 * A CONNECT tunnel that goes idle is closed without a word: the request
 * head's 408 timer must not outlive the head (socket.setTimeout keeps its
 * listener, and the tunnel's idle timeout re-arms the same timer), or the
 * client would read "HTTP/1.1 408" inside its tunnel.
 */
let origin: Server;
let originPort = 0;

beforeAll(async () => {
  // A silent TCP origin: accepts and never writes, so the tunnel only idles.
  origin = createServer(() => undefined);
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  originPort = (origin.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((r) => origin.close(() => r()));
});

describe('a tunnel that goes idle', () => {
  it('is closed with nothing written into it after the 200', async () => {
    const proxy = await ForwardProxy.start({ host: '127.0.0.1', port: 0, limits: { headTimeoutMs: 200, idleTimeoutMs: 400 } });
    try {
      const received = await new Promise<string>((resolve, reject) => {
        const client = connect(proxy.address.port, '127.0.0.1', () => {
          client.write(`CONNECT 127.0.0.1:${originPort} HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\n\r\n`);
        });
        let text = '';
        client.setEncoding('latin1');
        client.on('data', (d: string) => {
          text += d;
        });
        client.on('close', () => resolve(text));
        client.on('error', reject);
      });
      expect(received).toMatch(/^HTTP\/1\.1 200 /);
      expect(received).not.toContain('408');
      // Only the one answer: the tunnel carried nothing else before it closed.
      expect(received.endsWith('\r\n\r\n')).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
