/**
 * Each recorded leg has the segment size of its real socket: on loopback
 * (MTU 64 KiB) the kernel's segments are 65,483 bytes (65,535 - IPv4 and TCP
 * headers - timestamps), so the recording's are too and its SYNs announce
 * that MSS. Both ways in which the proxy learns it are covered: the relay's
 * own sockets (an IP target: accepted and connected in C) and Node sockets
 * (a host name target: Node connects). tshark must reassemble every byte of
 * both legs of a large transfer, with no expert warning.
 */
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardProxy } from '../../../electron/services/proxy/forward-proxy';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import { nativeTunnelRelay, socketSegmentSize } from '../../../electron/services/proxy/native-tunnel-relay';
import { expectCleanCapture } from '../../integration/proxy-support';
import { tsharkTcpStreams } from '../../support/tshark-tcp-streams';

const LOOPBACK_MSS = 65_483;

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** CONNECT to `target`, send `up` and end; resolves with everything the tunnel returned until its FIN. */
function tunnelExchange(proxyPort: number, target: string, up: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: proxyPort, allowHalfOpen: true });
    socket.once('connect', () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    const chunks: Buffer[] = [];
    let answered = false;
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (!answered && Buffer.concat(chunks).includes('\r\n\r\n')) {
        answered = true;
        socket.end(up);
      }
    });
    socket.once('end', () => {
      const all = Buffer.concat(chunks);
      resolve(all.subarray(all.indexOf('\r\n\r\n') + 4));
    });
    socket.once('error', reject);
  });
}

/** tshark's fields of the frames matching `filter`, one array per frame. */
function tsharkFields(file: string, filter: string, fields: string[]): string[][] {
  const r = spawnSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
}

describe('recorded legs have their socket\'s segment size', () => {
  let dir: string;
  let origin: Server;
  let originPort = 0;
  const down = randomBytes(2 * 1024 * 1024 + 3);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tlswb-mss-'));
    // Answers every connection, once the client ended, with the SHA-256 (hex) of what it read, then `down`.
    origin = createServer({ allowHalfOpen: true }, (s: Socket) => {
      const got: Buffer[] = [];
      s.on('data', (d: Buffer) => got.push(d));
      s.once('end', () => s.end(Buffer.concat([Buffer.from(sha(Buffer.concat(got)), 'latin1'), down])));
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originPort = (origin.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((r) => origin.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a loopback socket\'s MSS as the kernel\'s segments have it', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const socket = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
    await new Promise((r) => socket.once('connect', r));
    const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
    expect(socketSegmentSize(fd)).toBe(LOOPBACK_MSS);
    expect(socketSegmentSize(-1)).toBeUndefined();
    socket.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('records a large transfer on every loopback leg in segments of that size; tshark reassembles all of it cleanly', async () => {
    expect(nativeTunnelRelay()).not.toBeNull();
    const file = join(dir, 'mss.pcapng');
    const recorder = await LegRecorder.create({ file });
    const proxy = await ForwardProxy.start({ host: '127.0.0.1', port: 0, recorder });
    const up = randomBytes(1024 * 1024 + 11);
    // An IP target (the relay's own sockets), then a host name (Node's sockets).
    for (const target of [`127.0.0.1:${originPort}`, `localhost:${originPort}`]) {
      const got = await tunnelExchange(proxy.address.port, target, up);
      expect(sha(got)).toBe(sha(Buffer.concat([Buffer.from(sha(up), 'latin1'), down])));
    }
    await proxy.close();
    await recorder.close();

    expectCleanCapture(file);
    // Every SYN and SYN-ACK (2 tunnels x 2 legs) announces the socket's MSS.
    const syns = tsharkFields(file, 'tcp.flags.syn == 1', ['tcp.options.mss_val']);
    expect(syns).toHaveLength(8);
    for (const [mss] of syns) expect(Number(mss)).toBe(LOOPBACK_MSS);
    // And the data segments are that large (the downloads fill them), no larger, on each of the 4 legs.
    const lengths = tsharkFields(file, 'tcp.len > 0', ['tcp.stream', 'tcp.len', 'ip.len']);
    const largest = new Map<string, number>();
    for (const [stream, len, ipLen] of lengths) {
      largest.set(stream!, Math.max(largest.get(stream!) ?? 0, Number(len)));
      expect(Number(ipLen)).toBeLessThanOrEqual(65_535);
    }
    expect([...largest.values()]).toEqual([LOOPBACK_MSS, LOOPBACK_MSS, LOOPBACK_MSS, LOOPBACK_MSS]);
    const streams = tsharkTcpStreams(file);
    expect(streams).toHaveLength(4);
    const answer = Buffer.concat([Buffer.from(sha(up), 'latin1'), down]);
    for (const s of streams) {
      if (s.serverPort === originPort) {
        expect(sha(s.fromClient)).toBe(sha(up));
        expect(sha(s.fromServer)).toBe(sha(answer));
      } else {
        expect(s.fromClient.subarray(s.fromClient.indexOf('\r\n\r\n') + 4).equals(up)).toBe(true);
        expect(sha(s.fromServer.subarray(s.fromServer.indexOf('\r\n\r\n') + 4))).toBe(sha(answer));
      }
    }
  }, 120_000);
});
