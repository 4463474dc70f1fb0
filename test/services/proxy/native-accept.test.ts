/**
 * Passthrough with the native relay accepting the clients itself (listen():
 * accept4 and the request head read in C). Every way a head can arrive or
 * fail to: split over many writes, with bytes after it, too slow, too long,
 * malformed, without credentials, ended early, to a host name (handed back to
 * Node as a socket), to a refusing target. Real peers (Node TCP clients and
 * origin); tshark reads the recording, whose client leg must carry exactly
 * the bytes the client sent and got.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardProxy } from '../../../electron/services/proxy/forward-proxy';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import { nativeTunnelRelay } from '../../../electron/services/proxy/native-tunnel-relay';
import type { ProxyEvent } from '../../../electron/services/proxy/proxy-types';
import { expectCleanCapture } from '../../integration/proxy-support';
import { tsharkTcpStreams } from '../../support/tshark-tcp-streams';
import { exchange, startHelloEchoOrigin } from './proxy-exchange';

/** Each TCP connection's bytes as tshark reassembles them (latin1 text), by the client's port. */
function tsharkStreams(file: string): Map<number, { fromClient: string; fromServer: string }> {
  return new Map(tsharkTcpStreams(file).map((t) => [t.clientPort, { fromClient: t.fromClient.toString('latin1'), fromServer: t.fromServer.toString('latin1') }]));
}

describe('passthrough with the native relay accepting the clients', () => {
  let dir: string;
  let origin: Server;
  let originPort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tlswb-accept-'));
    // An echo origin that says hello first.
    ({ server: origin, port: originPort } = await startHelloEchoOrigin());
  });

  afterAll(async () => {
    await new Promise<void>((r) => origin.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the native relay is loaded (else this would test Node accepting)', () => {
    expect(nativeTunnelRelay()).not.toBeNull();
  });

  it('relays a head split over many writes and bytes sent with the head; the client leg records exactly what went each way', async () => {
    const file = join(dir, 'split.pcapng');
    const recorder = await LegRecorder.create({ file });
    const events: ProxyEvent[] = [];
    const proxy = await ForwardProxy.start({ host: '127.0.0.1', port: 0, recorder, onEvent: (e) => events.push(e) });
    const port = proxy.address.port;
    const request = `CONNECT 127.0.0.1:${originPort} HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\n\r\n`;

    const split = await exchange(port, [request.slice(0, 5), request.slice(5, 30), request.slice(30, -1), `${request.slice(-1)}`, 'ping'], /echo ping/);
    expect(split.text).toBe('HTTP/1.1 200 Connection established\r\n\r\nhello\necho ping');
    const splitPort = split.socket.localPort!;
    split.socket.end();

    // The first bytes of the tunnel in the same write as the head: they reach the origin first.
    const together = await exchange(port, [`${request}early`], /echo early/);
    expect(together.text).toBe('HTTP/1.1 200 Connection established\r\n\r\nhello\necho early');
    const togetherPort = together.socket.localPort!;
    together.socket.end();

    await new Promise((r) => setTimeout(r, 100));
    await proxy.close();
    await recorder.close();
    expectCleanCapture(file);
    const streams = tsharkStreams(file);
    expect(streams.get(splitPort)).toEqual({ fromClient: `${request}ping`, fromServer: 'HTTP/1.1 200 Connection established\r\n\r\nhello\necho ping' });
    expect(streams.get(togetherPort)).toEqual({ fromClient: `${request}early`, fromServer: 'HTTP/1.1 200 Connection established\r\n\r\nhello\necho early' });
    const opened = events.filter((e) => e.type === 'tunnel-opened');
    expect(opened.map((e) => e.type === 'tunnel-opened' && e.client)).toEqual([`127.0.0.1:${splitPort}`, `127.0.0.1:${togetherPort}`]);
    expect(events.filter((e) => e.type === 'tunnel-closed')).toHaveLength(2);
  });

  it('answers as Node does what it hands back: 408 to a head too slow, 431 to one too long, 400 to garbage, 407 without credentials, 502 to a refusing target; a host name and plain http:// still work', async () => {
    const file = join(dir, 'refused.pcapng');
    const recorder = await LegRecorder.create({ file });
    const events: ProxyEvent[] = [];
    const proxy = await ForwardProxy.start({
      host: '127.0.0.1', port: 0, recorder, auth: { user: 'u', password: 'p' },
      limits: { headTimeoutMs: 300, maxHeadBytes: 1024 }, onEvent: (e) => events.push(e),
    });
    const port = proxy.address.port;
    const auth = `Proxy-Authorization: Basic ${Buffer.from('u:p').toString('base64')}\r\n`;

    const slow = await exchange(port, ['CONNECT 127.0.0.1:1 HTTP/1.1\r\n']);
    expect(slow.text).toMatch(/^HTTP\/1\.1 408 [\s\S]*no complete request head in time/);
    const long = await exchange(port, [`CONNECT 127.0.0.1:1 HTTP/1.1\r\nX: ${'a'.repeat(2000)}\r\n\r\n`]);
    expect(long.text).toMatch(/^HTTP\/1\.1 431 /);
    const garbage = await exchange(port, ['\x16\x03\x01 not http\r\n\r\n']);
    expect(garbage.text).toMatch(/^HTTP\/1\.1 400 /);
    const anonymous = await exchange(port, [`CONNECT 127.0.0.1:${originPort} HTTP/1.1\r\n\r\n`]);
    expect(anonymous.text).toMatch(/^HTTP\/1\.1 407 [\s\S]*Proxy-Authenticate: Basic/);
    // A port nothing listens on: take one from a server closed again.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await exchange(port, [`CONNECT 127.0.0.1:${deadPort} HTTP/1.1\r\n${auth}\r\n`]);
    expect(refused.text).toMatch(new RegExp(`^HTTP/1\\.1 502 [\\s\\S]*cannot connect to 127\\.0\\.0\\.1:${deadPort}`));
    // Ended before a complete head: as from Node's own accept, the head timeout answers (408), and the proxy goes on.
    const ended = connect({ host: '127.0.0.1', port });
    await new Promise((r) => ended.once('connect', r));
    const endedAnswer: Buffer[] = [];
    ended.on('data', (d: Buffer) => endedAnswer.push(d));
    const endedClosed = new Promise((r) => ended.once('close', r));
    ended.end('CONN');
    await endedClosed;
    expect(Buffer.concat(endedAnswer).toString('latin1')).toMatch(/^HTTP\/1\.1 408 /);

    const named = await exchange(port, [`CONNECT localhost:${originPort} HTTP/1.1\r\n${auth}\r\nping`], /echo ping/);
    expect(named.text).toBe('HTTP/1.1 200 Connection established\r\n\r\nhello\necho ping');
    named.socket.end();
    const plainSockets: Socket[] = [];
    const plain = createServer((s) => {
      plainSockets.push(s);
      s.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nplain');
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const plainPort = (plain.address() as { port: number }).port;
    const get = await exchange(port, [`GET http://127.0.0.1:${plainPort}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Connection: close\r\n\r\n`], /plain$/);
    expect(get.text).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*plain$/);
    get.socket.destroy();
    // The proxy keeps its side of the origin connection until the origin closes it.
    for (const s of plainSockets) s.destroy();
    await new Promise<void>((r) => plain.close(() => r()));

    await new Promise((r) => setTimeout(r, 100));
    await proxy.close();
    await recorder.close();
    expectCleanCapture(file);
    const refusals = events.flatMap((e) => (e.type === 'refused' ? [e.status] : []));
    expect(refusals).toEqual([408, 431, 400, 407, 502, 408]);
    // What the client got is what the recording shows it got.
    const streams = tsharkStreams(file);
    expect(streams.get(slow.socket.localPort!)?.fromServer).toBe(slow.text);
    expect(streams.get(refused.socket.localPort!)?.fromServer).toBe(refused.text);
    expect(streams.get(long.socket.localPort!)?.fromClient).toMatch(/^CONNECT 127\.0\.0\.1:1 HTTP\/1\.1\r\nX: a+/);
  });
});
