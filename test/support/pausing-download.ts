/**
 * A large download through a CONNECT proxy by a reader that stops for a moment
 * twice (after `pauseEvery` and 2 x `pauseEvery` bytes), so the proxy must hold
 * the server back (back-pressure) instead of buffering: CONNECT, TLS with
 * `tls`'s options, GET `path`; resolves to the response's bytes.
 */
import { connect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

export interface PausingDownload {
  proxy: { host: string; port: number };
  /** host:port asked in the CONNECT. */
  target: string;
  /** Send `Host: target` with the CONNECT too. */
  connectHost?: boolean;
  tls: ConnectionOptions;
  path: string;
  /** The request's Host header. */
  host: string;
  pauseEvery: number;
}

export function pausingDownload(o: PausingDownload): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const raw = connect(o.proxy, () => raw.write(`CONNECT ${o.target} HTTP/1.1\r\n${o.connectHost ? `Host: ${o.target}\r\n` : ''}\r\n`));
    raw.on('error', reject);
    raw.once('data', (answer: Buffer) => {
      if (!/^HTTP\/1\.1 200 /.test(answer.toString('latin1'))) return reject(new Error(answer.toString('latin1')));
      const tls = tlsConnect({ ...o.tls, socket: raw }, () => {
        tls.write(`GET ${o.path} HTTP/1.1\r\nHost: ${o.host}\r\nConnection: close\r\n\r\n`);
      });
      const chunks: Buffer[] = [];
      let received = 0;
      let pauses = 0;
      tls.on('data', (d: Buffer) => {
        chunks.push(d);
        received += d.length;
        if (pauses < 2 && received > (pauses + 1) * o.pauseEvery) {
          pauses++;
          tls.pause();
          setTimeout(() => tls.resume(), 300);
        }
      });
      tls.on('end', () => resolve(Buffer.concat(chunks)));
      tls.on('error', reject);
    });
  });
}
