/**
 * The native relay's fast path: without Basic auth to check, a plain
 * "CONNECT <IP>:<port> HTTP/1.x" is connected and answered in C
 * (connect_head.c decides which heads), and JavaScript hears of the tunnel
 * once it relays. What it must keep: the heads it takes are exactly heads
 * the JavaScript path would relay natively to the same target (checked on
 * seeded mutants of real heads); everything else, and every failure, is
 * answered as before (502 with the reason, 504 after the connect timeout,
 * LF-only heads relayed through JavaScript); the recording is clean and
 * carries the bytes each way. Real peers: Node TCP clients and origins, a
 * listener that never answers, tshark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectAuthority } from '../../../electron/core/http/connect-parser';
import { HttpHeadParser } from '../../../electron/core/http/http-head-parser';
import { parseIpAddress } from '../../../electron/core/net/tcp-packet-synthesizer';
import { ForwardProxy } from '../../../electron/services/proxy/forward-proxy';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import { nativeConnectHead } from '../../../electron/services/proxy/native-tunnel-relay';
import type { ProxyEvent } from '../../../electron/services/proxy/proxy-types';
import { expectCleanCapture } from '../../integration/proxy-support';
import { seededRandom } from '../../support/fuzz-mutations';
import { tsharkTcpStreams } from '../../support/tshark-tcp-streams';
import { exchange, startHelloEchoOrigin } from './proxy-exchange';

const MAX_HEAD = 16 * 1024;

/** What the JavaScript path relays natively (forward-proxy.ts nativeTunnelTarget): target and head length, or null. */
function javascriptTarget(bytes: Uint8Array): { address: Uint8Array; port: number; headLength: number } | null {
  const r = new HttpHeadParser(MAX_HEAD).push(bytes);
  if (!r.done || 'error' in r) return null;
  const head = r.head;
  if (head.kind !== 'request' || head.method !== 'CONNECT' || !head.target || !/^HTTP\/1\.[01]$/.test(head.version)) return null;
  const target = parseConnectAuthority(head.target);
  if (!target || target.port === 0 || !isIP(target.host)) return null;
  const address = parseIpAddress(target.host);
  return address ? { address, port: target.port, headLength: bytes.length - r.rest.length } : null;
}

const TEMPLATES = [
  'CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\nUser-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n',
  'CONNECT 10.0.0.254:8443 HTTP/1.0\r\n\r\n',
  'CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n\x16\x03\x01\x00\xa5',
  'CONNECT [2001:db8::ff00:42:8329]:65535 HTTP/1.1\r\nX-A: b\r\n\r\n',
  'CONNECT 255.255.255.255:1 HTTP/1.1\r\nhost:x\r\n\r\nearly',
];
/** Bytes a mutation inserts or writes: the ones the grammar turns on. */
const ALPHABET = [...' :[]./\r\n\t0123456789abcdefCONHTPx%@', '\0', '\xff', '\x7f'];

function mutate(text: string, random: () => number): Uint8Array {
  const bytes = [...Buffer.from(text, 'latin1')];
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (bytes.length + 1));
    const c = ALPHABET[Math.floor(random() * ALPHABET.length)]!.charCodeAt(0);
    const op = random();
    if (op < 0.4) bytes.splice(at, 0, c);
    else if (op < 0.7) bytes.splice(at, 1);
    else bytes[Math.min(at, bytes.length - 1)] = c;
  }
  return Uint8Array.from(bytes);
}

describe('the native relay connects and answers plain CONNECTs itself', () => {
  let dir: string;
  let origin: Server;
  let originPort = 0;
  const peers: ChildProcess[] = [];
  const fillers: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tlswb-fast-'));
    ({ server: origin, port: originPort } = await startHelloEchoOrigin());
  });

  afterAll(async () => {
    for (const s of fillers) s.destroy();
    for (const p of peers) p.kill();
    await new Promise<void>((r) => origin.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes only heads the JavaScript path relays natively, with the same target and head length (seeded mutants of real heads)', () => {
    const connectHead = nativeConnectHead();
    expect(connectHead).toBeTypeOf('function');
    // The heads curl and browsers send are taken.
    for (const t of TEMPLATES) {
      const bytes = Buffer.from(t, 'latin1');
      const taken = connectHead!(bytes);
      const expected = javascriptTarget(bytes);
      expect(taken).not.toBeNull();
      expect(expected).not.toBeNull();
      expect([parseIpAddress(taken![0]), taken![1], taken![2]]).toEqual([expected!.address, expected!.port, expected!.headLength]);
    }
    const random = seededRandom(0x7f4a7c15);
    let taken = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = mutate(TEMPLATES[i % TEMPLATES.length]!, random);
      const c = connectHead!(bytes);
      if (c === null) continue;
      taken++;
      const expected = javascriptTarget(bytes);
      expect(expected, JSON.stringify(Buffer.from(bytes).toString('latin1'))).not.toBeNull();
      expect([parseIpAddress(c[0]), c[1], c[2]]).toEqual([expected!.address, expected!.port, expected!.headLength]);
    }
    // The mutants exercise both outcomes.
    expect(taken).toBeGreaterThan(1000);
    expect(taken).toBeLessThan(20_000);
  });

  it('relays and records a fast tunnel; answers a refusing target 502 and a silent one 504 as the JavaScript path does; LF-only heads still relay', async () => {
    const file = join(dir, 'fast.pcapng');
    const recorder = await LegRecorder.create({ file });
    const events: ProxyEvent[] = [];
    const proxy = await ForwardProxy.start({ host: '127.0.0.1', port: 0, recorder, limits: { connectTimeoutMs: 400 }, onEvent: (e) => events.push(e) });
    const port = proxy.address.port;

    const request = `CONNECT 127.0.0.1:${originPort} HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\n\r\n`;
    const fast = await exchange(port, [`${request}early`], /echo early/);
    expect(fast.text).toBe('HTTP/1.1 200 Connection established\r\n\r\nhello\necho early');
    const fastPort = fast.socket.localPort!;
    fast.socket.end();

    // Not the fast path's (bare LF line ends): JavaScript parses it and the relay relays it all the same.
    const lf = await exchange(port, [`CONNECT 127.0.0.1:${originPort} HTTP/1.1\nHost: x\n\nlf`], /echo lf/);
    expect(lf.text).toBe('HTTP/1.1 200 Connection established\r\n\r\nhello\necho lf');
    const lfPort = lf.socket.localPort!;
    lf.socket.end();

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await exchange(port, [`CONNECT 127.0.0.1:${deadPort} HTTP/1.1\r\n\r\n`]);
    expect(refused.text).toMatch(new RegExp(`^HTTP/1\\.1 502 [\\s\\S]*cannot connect to 127\\.0\\.0\\.1:${deadPort}: .*refused`));

    // A listener that never accepts, its accept queue full: the connect gets no answer.
    const silent = spawn('python3', ['-c', [
      'import socket, time', 's = socket.socket()', "s.bind(('127.0.0.1', 0))", 's.listen(0)', 'print(s.getsockname()[1], flush=True)', 'time.sleep(60)',
    ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    peers.push(silent);
    const silentPort = Number((await new Promise<string>((r) => silent.stdout!.once('data', (d: Buffer) => r(d.toString())))).trim());
    for (let i = 0; i < 4; i++) {
      const s = connect(silentPort, '127.0.0.1');
      s.on('error', () => undefined);
      fillers.push(s);
    }
    await new Promise((r) => setTimeout(r, 200));
    const timedOut = await exchange(port, [`CONNECT 127.0.0.1:${silentPort} HTTP/1.1\r\n\r\n`]);
    expect(timedOut.text).toMatch(new RegExp(`^HTTP/1\\.1 504 [\\s\\S]*connecting to 127\\.0\\.0\\.1:${silentPort} timed out after 0\\.4 s`));

    await new Promise((r) => setTimeout(r, 100));
    await proxy.close();
    await recorder.close();
    expectCleanCapture(file);
    const streams = new Map(tsharkTcpStreams(file).map((t) => [t.clientPort, t]));
    expect(streams.get(fastPort)?.fromClient.toString('latin1')).toBe(`${request}early`);
    expect(streams.get(fastPort)?.fromServer.toString('latin1')).toBe('HTTP/1.1 200 Connection established\r\n\r\nhello\necho early');
    expect(streams.get(lfPort)?.fromServer.toString('latin1')).toBe('HTTP/1.1 200 Connection established\r\n\r\nhello\necho lf');
    // The upstream leg of the fast tunnel carries the bytes after the head, then the origin's.
    const upstreamLegs = [...streams.values()].filter((t) => t.serverPort === originPort);
    expect(upstreamLegs.map((t) => t.fromClient.toString('latin1'))).toContain('early');
    expect(events.filter((e) => e.type === 'tunnel-opened').map((e) => e.type === 'tunnel-opened' && e.client))
      .toEqual([`127.0.0.1:${fastPort}`, `127.0.0.1:${lfPort}`]);
    const refusals = events.filter((e) => e.type === 'refused').map((e) => e.type === 'refused' && e.status);
    expect(refusals).toEqual([502, 504]);
    const closedEvents = events.filter((e) => e.type === 'tunnel-closed');
    expect(closedEvents.map((e) => e.type === 'tunnel-closed' && [e.bytesFromClient, e.bytesFromServer])).toContainEqual([request.length + 5, 'hello\necho early'.length]);
  });
});
