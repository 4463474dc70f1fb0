/**
 * The passthrough relay's behaviour, run by two test files: one with the
 * native relay (native-tunnel-relay.test.ts), one with the JavaScript
 * fallback (TLSWB_TUNNEL_RELAY=off, js-tunnel-relay.test.ts). Real peers:
 * Node TCP origins and clients, curl and openssl through an in-process
 * ForwardProxy that records to a pcapng; tshark reads every file and its TCP
 * streams must reassemble to exactly the bytes that went through.
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
import type { ProxyEvent } from '../../../electron/services/proxy/proxy-types';
import { expectCleanCapture, makeServerIdentity } from '../../integration/proxy-support';
import { tsharkTcpStreams as tsharkStreams } from '../../support/tshark-tcp-streams';
import { freeLoopbackAddress, runCurl, runOpenSslClient, startOpenSslServer, stopAllSpawned, type OpenSslServer } from '../../support/real-peers';

const ANSWER = 'HTTP/1.1 200 Connection established\r\n\r\n';

interface Recorded {
  proxy: ForwardProxy;
  events: ProxyEvent[];
  file: string;
  finish(): Promise<void>;
}

/** A passthrough proxy on 127.0.0.1 recording into `file`. */
async function startRecordingProxy(file: string, limits?: { idleTimeoutMs: number }): Promise<Recorded> {
  const recorder = await LegRecorder.create({ file });
  const events: ProxyEvent[] = [];
  const proxy = await ForwardProxy.start({ host: '127.0.0.1', port: 0, recorder, limits, onEvent: (e) => events.push(e) });
  return {
    proxy, events, file,
    async finish() {
      await proxy.close();
      await recorder.close();
    },
  };
}

/** A CONNECT through the proxy; resolves with the socket once the 200 is read (nothing after it consumed). */
function openTunnel(proxyPort: number, targetPort: number): Promise<{ socket: Socket; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: proxyPort, allowHalfOpen: true });
    const request = `CONNECT 127.0.0.1:${targetPort} HTTP/1.1\r\nHost: 127.0.0.1:${targetPort}\r\n\r\n`;
    socket.once('connect', () => socket.write(request));
    let head = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeListener('data', onData);
      socket.pause();
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve({ socket, head: request });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Everything the socket sends until its FIN. */
function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
    socket.resume();
  });
}

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Writes `data` in 64 KiB pieces, waiting for 'drain' (back-pressure), then ends. */
async function sendAll(socket: Socket, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; at += 65536) {
    if (!socket.write(data.subarray(at, at + 65536))) await new Promise((r) => socket.once('drain', r));
  }
  socket.end();
}

function closedEvents(events: ProxyEvent[]): Extract<ProxyEvent, { type: 'tunnel-closed' }>[] {
  return events.filter((e): e is Extract<ProxyEvent, { type: 'tunnel-closed' }> => e.type === 'tunnel-closed');
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function passthroughRelayCases(): void {
  let dir: string;
  let origin: Server;
  let originPort = 0;
  /** What the origin does with each connection (set by each test). */
  let onOrigin: (socket: Socket) => void = () => undefined;
  const originSockets = new Set<Socket>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tlswb-relay-'));
    origin = createServer({ allowHalfOpen: true }, (s) => {
      originSockets.add(s);
      s.once('close', () => originSockets.delete(s));
      onOrigin(s);
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originPort = (origin.address() as { port: number }).port;
  });

  afterAll(async () => {
    // Half-open leftovers (a test's origin that never ended its side) would hold close() up.
    for (const s of originSockets) s.destroy();
    await new Promise<void>((r) => origin.close(() => r()));
    await stopAllSpawned();
    rmSync(dir, { recursive: true, force: true });
  });

  it('relays large transfers both ways under back-pressure; the file reassembles to exactly the bytes sent on both legs', async () => {
    const up = randomBytes(3 * 1024 * 1024 + 17);
    const down = randomBytes(4 * 1024 * 1024 + 5);
    let originGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    onOrigin = (s) => {
      // The origin reads nothing for a while: the client's upload must wait (TCP windows, the relay's bounded buffer).
      s.pause();
      originGot = new Promise((resolve) => setTimeout(() => resolve(readAll(s)), 300));
      void sendAll(s, down);
    };
    const rec = await startRecordingProxy(join(dir, 'big.pcapng'));
    const proxyPort = rec.proxy.address.port;
    const { socket, head } = await openTunnel(proxyPort, originPort);
    // And the client does not read at first either: the download waits too.
    const clientGot = new Promise<Buffer>((resolve) => setTimeout(() => resolve(readAll(socket)), 300));
    await sendAll(socket, up);
    const [atOrigin, atClient] = await Promise.all([originGot, clientGot]);
    expect(sha(atOrigin)).toBe(sha(up));
    expect(sha(atClient)).toBe(sha(down));
    await until(() => closedEvents(rec.events).length === 1);
    expect(closedEvents(rec.events)[0]).toMatchObject({ bytesFromClient: head.length + up.length, bytesFromServer: down.length });
    await rec.finish();

    expectCleanCapture(rec.file);
    const streams = tsharkStreams(rec.file);
    expect(streams).toHaveLength(2);
    const clientLeg = streams.find((s) => s.serverPort === proxyPort)!;
    const upstreamLeg = streams.find((s) => s.serverPort === originPort)!;
    expect(sha(clientLeg.fromClient)).toBe(sha(Buffer.concat([Buffer.from(head, 'latin1'), up])));
    expect(sha(clientLeg.fromServer)).toBe(sha(Buffer.concat([Buffer.from(ANSWER, 'latin1'), down])));
    expect(sha(upstreamLeg.fromClient)).toBe(sha(up));
    expect(sha(upstreamLeg.fromServer)).toBe(sha(down));
  });

  it('passes half-closes through both ways: bytes after a FIN still arrive, and each leg ends with FINs, not resets', async () => {
    onOrigin = (s) => {
      // Origin A: answers after the client's FIN, then ends.
      const got: Buffer[] = [];
      s.on('data', (d: Buffer) => got.push(d));
      s.once('end', () => s.end(`after your FIN: ${Buffer.concat(got).toString()}`));
    };
    const rec = await startRecordingProxy(join(dir, 'half-client.pcapng'));
    const a = await openTunnel(rec.proxy.address.port, originPort);
    a.socket.end('ping');
    expect((await readAll(a.socket)).toString()).toBe('after your FIN: ping');

    // Origin B: ends first; the client still sends, then ends.
    let originHeard: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    onOrigin = (s) => {
      originHeard = readAll(s);
      s.end('bye first');
    };
    const b = await openTunnel(rec.proxy.address.port, originPort);
    expect((await readAll(b.socket)).toString()).toBe('bye first');
    b.socket.end('still talking');
    expect((await originHeard).toString()).toBe('still talking');

    await until(() => closedEvents(rec.events).length === 2);
    await rec.finish();
    expectCleanCapture(rec.file);
    const streams = tsharkStreams(rec.file);
    expect(streams).toHaveLength(4);
    for (const s of streams) expect(s.resets).toBe(0);
    const fins = spawnSync('tshark', ['-r', rec.file, '-Y', 'tcp.flags.fin == 1', '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8' });
    // Two FINs per connection, four connections.
    expect(fins.stdout.trim().split('\n')).toHaveLength(8);
    const upstreamA = streams.filter((s) => s.serverPort === originPort)[0]!;
    expect(upstreamA.fromServer.toString()).toBe('after your FIN: ping');
  });

  it('a reset on either side closes the tunnel, and the recording shows it', async () => {
    onOrigin = (s) => {
      s.once('data', () => s.resetAndDestroy());
    };
    const rec = await startRecordingProxy(join(dir, 'reset.pcapng'));
    const a = await openTunnel(rec.proxy.address.port, originPort);
    // The proxy closes the client's connection (a FIN, as Node's destroy() sends; the client's socket allows half-open).
    const aClosed = new Promise<void>((resolve) => {
      a.socket.once('end', () => resolve());
      a.socket.once('close', () => resolve());
    });
    a.socket.on('error', () => undefined);
    a.socket.resume();
    a.socket.write('hello');
    await aClosed;

    // The client resets: the origin's connection closes too.
    let originClosed: Promise<void> = Promise.resolve();
    onOrigin = (s) => {
      s.on('error', () => undefined);
      s.resume();
      originClosed = new Promise((resolve) => {
        s.once('end', () => resolve());
        s.once('close', () => resolve());
      });
    };
    const b = await openTunnel(rec.proxy.address.port, originPort);
    b.socket.write('before the reset');
    await until(() => rec.events.filter((e) => e.type === 'tunnel-opened').length === 2);
    await new Promise((r) => setTimeout(r, 100));
    b.socket.resetAndDestroy();
    await originClosed;
    await until(() => closedEvents(rec.events).length === 2);
    expect(rec.proxy.activeConnections).toBe(0);
    await rec.finish();

    const read = spawnSync('tshark', ['-r', rec.file], { encoding: 'utf8' });
    expect(read.status, read.stderr).toBe(0);
    const streams = tsharkStreams(rec.file);
    expect(streams).toHaveLength(4);
    // Each tunnel's two legs show a reset (the side that reset, and the proxy cutting the other).
    for (const s of streams) expect(s.resets, `stream ${s.clientPort} -> ${s.serverPort}`).toBeGreaterThan(0);
  });

  it('closing the proxy ends open tunnels: each leg gets its FINs and the tunnel-closed event comes', async () => {
    const held: Socket[] = [];
    onOrigin = (s) => {
      held.push(s);
      s.on('error', () => undefined);
      s.resume();
    };
    const rec = await startRecordingProxy(join(dir, 'close.pcapng'));
    const tunnels = await Promise.all([1, 2, 3].map(() => openTunnel(rec.proxy.address.port, originPort)));
    for (const t of tunnels) {
      t.socket.on('error', () => undefined);
      t.socket.write('open');
      t.socket.resume();
    }
    await until(() => held.length === 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(rec.proxy.activeConnections).toBe(3);
    await rec.finish();
    expect(closedEvents(rec.events)).toHaveLength(3);
    for (const e of closedEvents(rec.events)) expect(e.bytesFromClient).toBe(tunnels[0]!.head.length + 4);
    expectCleanCapture(rec.file);
    const fins = spawnSync('tshark', ['-r', rec.file, '-Y', 'tcp.flags.fin == 1', '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8' });
    // Each of the six legs ends in the file (the proxy's FIN on each, as it closed them).
    expect(new Set(fins.stdout.trim().split('\n')).size).toBe(6);
    for (const s of held) s.destroy();
  });

  it('answers 502 with the reason when the target refuses, and relays to an IPv6 target', async () => {
    const rec = await startRecordingProxy(join(dir, 'v6.pcapng'));
    const proxyPort = rec.proxy.address.port;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(proxyPort, '127.0.0.1', () => s.write(`CONNECT 127.0.0.1:${closedPort} HTTP/1.1\r\n\r\n`));
      let text = '';
      s.setEncoding('latin1');
      s.on('data', (d: string) => (text += d));
      s.on('close', () => resolve(text));
      s.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 502 /);
    expect(answer).toContain(`cannot connect to 127.0.0.1:${closedPort}: connection refused (ECONNREFUSED)`);

    const v6 = createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo: '), d])));
      s.on('end', () => s.end());
    });
    await new Promise<void>((r) => v6.listen(0, '::1', r));
    const v6Port = (v6.address() as { port: number }).port;
    const tunnel = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: proxyPort, allowHalfOpen: true }, () => s.write(`CONNECT [::1]:${v6Port} HTTP/1.1\r\n\r\n`));
      s.once('data', (d: Buffer) => {
        expect(d.toString('latin1')).toBe(ANSWER);
        resolve(s);
      });
      s.once('error', reject);
    });
    const echoed = readAll(tunnel);
    tunnel.end('over IPv6');
    expect((await echoed).toString()).toBe('echo: over IPv6');
    await until(() => closedEvents(rec.events).length === 1);
    await rec.finish();
    await new Promise<void>((r) => v6.close(() => r()));
    expectCleanCapture(rec.file);
    const addresses = spawnSync('tshark', ['-r', rec.file, '-Y', 'ipv6 && tcp.flags.syn == 1 && tcp.flags.ack == 0', '-T', 'fields', '-e', 'ipv6.dst', '-e', 'tcp.dstport'], { encoding: 'utf8' });
    expect(addresses.stdout.trim()).toBe(`::1\t${v6Port}`);
  });

  it('a host name target (Node resolves and connects, then the relay takes both sockets) relays both ways', async () => {
    onOrigin = (s) => {
      s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo: '), d])));
      s.on('end', () => s.end());
    };
    const rec = await startRecordingProxy(join(dir, 'name.pcapng'));
    const proxyPort = rec.proxy.address.port;
    const tunnel = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: proxyPort, allowHalfOpen: true }, () => s.write(`CONNECT localhost:${originPort} HTTP/1.1\r\n\r\n`));
      s.once('data', (d: Buffer) => {
        expect(d.toString('latin1')).toBe(ANSWER);
        resolve(s);
      });
      s.once('error', reject);
    });
    const echoed = readAll(tunnel);
    tunnel.end('by name');
    expect((await echoed).toString()).toBe('echo: by name');
    await until(() => closedEvents(rec.events).length === 1);
    await rec.finish();
    expectCleanCapture(rec.file);
    const streams = tsharkStreams(rec.file);
    expect(streams.find((x) => x.serverPort === originPort)?.fromServer.toString()).toBe('echo: by name');
  });

  describe('with real clients', () => {
    let server: OpenSslServer;
    let host: string;
    let identity: ReturnType<typeof makeServerIdentity>;

    beforeAll(async () => {
      host = await freeLoopbackAddress([443]);
      identity = makeServerIdentity(dir, 'origin', host);
      server = await startOpenSslServer({ host, port: 443, identity });
    });

    afterAll(async () => {
      await server?.stop();
    });

    it('curl and openssl s_client through it: answered, recorded cleanly on both legs', async () => {
      const recorder = await LegRecorder.create({ file: join(dir, 'clients.pcapng') });
      const proxy = await ForwardProxy.start({ host: '127.0.0.1', port: 0, recorder });
      const proxyPort = proxy.address.port;
      const proxyUrl = `http://127.0.0.1:${proxyPort}`;
      const curl = await runCurl(`https://${host}/via-curl`, { proxy: proxyUrl });
      expect(curl.exit).toBe(0);
      expect(curl.httpCode).toBe(200);
      const sClient = await runOpenSslClient({ host, port: 443, args: ['-proxy', `127.0.0.1:${proxyPort}`, '-CAfile', identity.caCert] });
      expect(sClient.output).toMatch(/Verify return code: 0 \(ok\)/);
      expect(sClient.output).toMatch(/HTTP\/1\.0 200 ok/);
      await proxy.close();
      await recorder.close();
      expectCleanCapture(join(dir, 'clients.pcapng'));
      const streams = tsharkStreams(join(dir, 'clients.pcapng'));
      expect(streams).toHaveLength(4);
      // Each upstream leg carries what its client leg carried, less the CONNECT and its answer.
      const clientLegs = streams.filter((s) => s.serverPort === proxyPort);
      const upstreamLegs = streams.filter((s) => s.serverPort === 443);
      for (const [i, c] of clientLegs.entries()) {
        const u = upstreamLegs[i]!;
        expect(c.fromClient.subarray(c.fromClient.indexOf('\r\n\r\n') + 4).equals(u.fromClient)).toBe(true);
        expect(c.fromServer.subarray(ANSWER.length).equals(u.fromServer)).toBe(true);
        expect(u.fromServer.length).toBeGreaterThan(1000);
      }
    });
  });
}
