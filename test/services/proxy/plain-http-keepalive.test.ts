import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardProxy } from '../../../electron/services/proxy/forward-proxy';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import type { ProxyOptions } from '../../../electron/services/proxy/proxy-types';
import { freePort, startTinyproxy, stopAllSpawned } from '../../support/real-peers';

/**
 * Plain http:// through the proxy on persistent connections (RFC 9112 9.3),
 * with real peers: curl reusing its connection to the proxy, Node http
 * origins (fixed-length, chunked with trailers, HEAD, 204, 304, Connection:
 * close), a raw origin whose response ends with its close, and raw sockets
 * for pipelining and hostile framing. Every recording is read by tshark
 * (decoding HTTP on the proxy's and the origins' ports) without a warning.
 */

const dir = mkdtempSync(join(tmpdir(), 'tlswb-keepalive-'));
let originA: HttpServer;
let originB: HttpServer;
let rawOrigin: NetServer;
let flakyOrigin: NetServer;
const ports = { a: 0, b: 0, raw: 0, flaky: 0 };
/** TCP connections each origin accepted. */
const accepted = { a: 0, b: 0 };
const CHUNKS = ['first chunk\n', 'second, a little later\n', 'x'.repeat(70_000), '\nlast\n'];

beforeAll(async () => {
  originA = createHttpServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/chunked') {
      res.setHeader('Trailer', 'X-Checksum');
      let i = 0;
      const next = (): void => {
        if (i < CHUNKS.length) {
          res.write(CHUNKS[i++]);
          setTimeout(next, 20);
        } else {
          res.addTrailers({ 'X-Checksum': 'abc' });
          res.end();
        }
      };
      next();
    } else if (url === '/204') {
      res.statusCode = 204;
      res.end();
    } else if (url === '/304') {
      res.statusCode = 304;
      res.setHeader('ETag', '"v1"');
      res.end();
    } else if (url === '/bye') {
      res.setHeader('Connection', 'close');
      res.end('origin closes after this\n');
    } else if (url === '/echo') {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => res.end(`echo ${req.headers['transfer-encoding'] ?? 'length'}: ${Buffer.concat(parts).toString()}\n`));
    } else {
      const body = `A saw ${req.method} ${url}\n`;
      res.setHeader('Content-Type', 'text/plain');
      // Stated for HEAD too: the proxy must not wait for those bytes.
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(req.method === 'HEAD' ? undefined : body);
    }
  });
  originA.on('connection', () => accepted.a++);
  originB = createHttpServer((req, res) => res.end(`B saw ${req.url}\n`));
  originB.on('connection', () => accepted.b++);
  // A response with neither Content-Length nor chunked: delimited by the origin's close.
  rawOrigin = createNetServer((s) => {
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close\n'));
    s.on('error', () => undefined);
  });
  // Answers the first request on each connection and keeps it open, then closes it when the next request comes,
  // as an origin closing an idle connection just as the proxy reuses it.
  flakyOrigin = createNetServer((s) => {
    let served = 0;
    s.on('data', (d: Buffer) => {
      if (!d.toString('latin1').endsWith('\r\n\r\n')) return;
      if (served++ > 0) {
        s.destroy();
        return;
      }
      const path = /^GET (\S+)/.exec(d.toString('latin1'))?.[1] ?? '?';
      const body = `flaky served ${path}\n`;
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    s.on('error', () => undefined);
  });
  for (const [name, server] of [['a', originA], ['b', originB], ['raw', rawOrigin], ['flaky', flakyOrigin]] as const) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports[name] = (server.address() as { port: number }).port;
  }
});

afterAll(async () => {
  for (const s of [originA, originB, rawOrigin, flakyOrigin]) await new Promise((resolve) => s?.close(resolve));
  await stopAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  proxyPort: number;
  file: string;
}

/** A proxy recording into `name`.pcapng around `body`; closed (file complete) before the checks. */
async function withProxy<T>(name: string, body: (port: number) => Promise<T>, options: Partial<ProxyOptions> = {}): Promise<T & Run> {
  const file = join(dir, `${name}.pcapng`);
  const recorder = await LegRecorder.create({ file });
  const proxy = await ForwardProxy.start({ host: '127.0.0.1', port: 0, recorder, ...options });
  const proxyPort = proxy.address.port;
  try {
    const result = await body(proxyPort);
    return { ...result, proxyPort, file };
  } finally {
    await proxy.close();
    await recorder.close();
  }
}

function curl(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('curl', ['-sS', '--max-time', '15', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** Writes `text` on one connection to the proxy and collects everything until the proxy closes. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(text));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

function tshark(file: string, proxyPort: number, args: string[]): { stdout: string; stderr: string } {
  const decode = [proxyPort, ports.a, ports.b, ports.raw, ports.flaky].flatMap((p) => ['-d', `tcp.port==${p},http`]);
  const r = spawnSync('tshark', ['-r', file, ...decode, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr.replace(/^Running as user "root".*\n?/m, '') };
}

/** The server port of every recorded TCP connection (one SYN each), in order. */
function connectionsByServerPort(run: Run): number[] {
  const r = tshark(run.file, run.proxyPort, ['-Y', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', '-T', 'fields', '-e', 'tcp.dstport']);
  return r.stdout.trim().split('\n').filter(Boolean).map(Number);
}

/**
 * tshark reads the file, HTTP decoded on every leg, without a warning, an
 * error or a malformed frame (`exceptClientRequests`: but for the client's own
 * hostile requests).
 */
function expectCleanHttpCapture(run: Run, exceptClientRequests = false): void {
  const bad = '(_ws.expert.severity >= 6291456 || _ws.malformed || tcp.checksum.status == 0)';
  const filter = exceptClientRequests ? `${bad} && tcp.dstport != ${run.proxyPort}` : bad;
  const r = tshark(run.file, run.proxyPort, ['-o', 'tcp.check_checksum:TRUE', '-Y', filter]);
  expect(r.stderr).toBe('');
  expect(r.stdout.trim(), 'frames with warnings or errors').toBe('');
}

/** Request URIs tshark sees, with the server port of their leg. */
function requestsSeen(run: Run): string[] {
  const r = tshark(run.file, run.proxyPort, ['-Y', 'http.request', '-T', 'fields', '-e', 'tcp.dstport', '-e', 'http.request.method', '-e', 'http.request.uri']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => l.replace(/\t/g, ' '));
}

describe('plain http:// on persistent connections', () => {
  it('curl sends several requests on one connection: one client leg, the origin connection reused, another origin in between', async () => {
    accepted.a = 0;
    accepted.b = 0;
    const a = `http://127.0.0.1:${ports.a}`;
    const b = `http://127.0.0.1:${ports.b}`;
    const run = await withProxy('several', async (port) => ({
      curl: await curl(['-x', `http://127.0.0.1:${port}`, `${a}/one`, `${a}/chunked`, `${a}/two`, `${b}/other`, `${a}/three`]),
    }));
    expect(run.curl.stderr).toBe('');
    expect(run.curl.code).toBe(0);
    expect(run.curl.stdout).toBe(`A saw GET /one\n${CHUNKS.join('')}A saw GET /two\nB saw /other\nA saw GET /three\n`);
    // A kept for /one, /chunked, /two; B for /other; a new connection to A for /three.
    expect(accepted).toEqual({ a: 2, b: 1 });
    expect(connectionsByServerPort(run)).toEqual([run.proxyPort, ports.a, ports.b, ports.a]);
    expectCleanHttpCapture(run);
    const p = run.proxyPort;
    expect(requestsSeen(run)).toEqual([
      `${p} GET ${a}/one`, `${ports.a} GET /one`, `${p} GET ${a}/chunked`, `${ports.a} GET /chunked`,
      `${p} GET ${a}/two`, `${ports.a} GET /two`, `${p} GET ${b}/other`, `${ports.b} GET /other`,
      `${p} GET ${a}/three`, `${ports.a} GET /three`,
    ]);
    // The chunked response reached the client with its chunks and trailer, as the origin sent it.
    const trailer = tshark(run.file, p, ['-Y', `tcp.srcport == ${p} && http.response`, '-T', 'fields', '-e', 'http.transfer_encoding', '-e', 'http.chunked_trailer_part']);
    expect(trailer.stdout).toMatch(/chunked\tX-Checksum: abc/);
  });

  it('responses without a body (HEAD, 204, 304) do not hold up the next request', async () => {
    const a = `http://127.0.0.1:${ports.a}`;
    const run = await withProxy('no-body', async (port) => ({
      curl: await curl(['-x', `http://127.0.0.1:${port}`, '-w', '%{http_code}\n',
        '-I', `${a}/head`, '--next', '-x', `http://127.0.0.1:${port}`, '-w', '%{http_code}\n', `${a}/204`, `${a}/304`, `${a}/after`]),
    }));
    expect(run.curl.code).toBe(0);
    expect(run.curl.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 17\r\n[\s\S]*\r\n\r\n200\n204\n304\nA saw GET \/after\n200\n$/);
    expect(connectionsByServerPort(run)).toEqual([run.proxyPort, ports.a]);
    expectCleanHttpCapture(run);
  });

  it('honours Connection: close from the client, from the origin, and a response delimited by the close', async () => {
    const a = `http://127.0.0.1:${ports.a}`;
    const fromClient = await withProxy('close-client', async (port) => ({
      curl: await curl(['-x', `http://127.0.0.1:${port}`, '-H', 'Connection: close', '-D', '-', `${a}/one`, `${a}/two`]),
    }));
    expect(fromClient.curl.stdout).toMatch(/Connection: close\r\n[\s\S]*A saw GET \/one\n[\s\S]*A saw GET \/two\n$/);
    expect(connectionsByServerPort(fromClient)).toEqual([fromClient.proxyPort, ports.a, fromClient.proxyPort, ports.a]);
    expectCleanHttpCapture(fromClient);

    // The origin closes after /bye: the client keeps its connection; the next request opens a new origin connection.
    const fromOrigin = await withProxy('close-origin', async (port) => ({
      curl: await curl(['-x', `http://127.0.0.1:${port}`, `${a}/bye`, `${a}/next`]),
    }));
    expect(fromOrigin.curl.stdout).toBe('origin closes after this\nA saw GET /next\n');
    expect(connectionsByServerPort(fromOrigin)).toEqual([fromOrigin.proxyPort, ports.a, ports.a]);
    expectCleanHttpCapture(fromOrigin);

    const untilClose = await withProxy('until-close', async (port) => ({
      curl: await curl(['-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${ports.raw}/raw`, `${a}/after`]),
    }));
    expect(untilClose.curl.stdout).toBe('until close\nA saw GET /after\n');
    // The body ended with the close: so did the client connection, and curl made a new one.
    expect(connectionsByServerPort(untilClose)).toEqual([untilClose.proxyPort, ports.raw, untilClose.proxyPort, ports.a]);
    expectCleanHttpCapture(untilClose);
  });

  it('sends an idempotent request again on a new connection when the reused one closes unanswered', async () => {
    const f = `http://127.0.0.1:${ports.flaky}`;
    const run = await withProxy('retry', async (port) => ({
      curl: await curl(['-x', `http://127.0.0.1:${port}`, `${f}/first`, `${f}/second`]),
    }));
    expect(run.curl.stdout).toBe('flaky served /first\nflaky served /second\n');
    expect(connectionsByServerPort(run)).toEqual([run.proxyPort, ports.flaky, ports.flaky]);
    expectCleanHttpCapture(run);
  });

  it('relays a chunked request body, then serves the next request on the same connection', async () => {
    const a = `http://127.0.0.1:${ports.a}`;
    const run = await withProxy('upload', async (port) => ({
      curl: await curl(['-x', `http://127.0.0.1:${port}`, '-H', 'Transfer-Encoding: chunked', '--data-binary', 'uploaded bytes', `${a}/echo`,
        '--next', '-x', `http://127.0.0.1:${port}`, `${a}/after`]),
    }));
    expect(run.curl.stdout).toBe('echo chunked: uploaded bytes\nA saw GET /after\n');
    expect(connectionsByServerPort(run)).toEqual([run.proxyPort, ports.a]);
    expectCleanHttpCapture(run);
  });

  it('chains through tinyproxy (--upstream): absolute-form requests to it, a new connection whenever it closes', async () => {
    const tinyPort = await freePort('127.0.0.1');
    const tiny = await startTinyproxy({ dir, host: '127.0.0.1', port: tinyPort });
    const a = `http://127.0.0.1:${ports.a}`;
    try {
      const run = await withProxy('chained', async (port) => ({
        curl: await curl(['-x', `http://127.0.0.1:${port}`, `${a}/via/tiny`, `${a}/again`]),
      }), { upstream: { host: '127.0.0.1', port: tinyPort, authorization: null } });
      expect(run.curl.stdout).toBe('A saw GET /via/tiny\nA saw GET /again\n');
      const servers = connectionsByServerPort(run);
      expect(servers.filter((p) => p === run.proxyPort)).toHaveLength(1);
      expect(servers.filter((p) => p === tinyPort).length).toBeGreaterThanOrEqual(1);
      const sent = tshark(run.file, run.proxyPort, ['-d', `tcp.port==${tinyPort},http`, '-Y', `http.request && tcp.dstport == ${tinyPort}`, '-T', 'fields', '-e', 'http.request.uri']);
      expect(sent.stdout.trim().split('\n')).toEqual([`${a}/via/tiny`, `${a}/again`]);
    } finally {
      await tiny.stop();
    }
  });

  it('checks Basic auth on every request of a pipelined connection', async () => {
    const a = `http://127.0.0.1:${ports.a}`;
    const auth = `Proxy-Authorization: Basic ${Buffer.from('alice:s3cret').toString('base64')}\r\n`;
    const run = await withProxy('auth', async (port) => ({
      answer: await raw(port, `GET ${a}/one HTTP/1.1\r\nHost: x\r\n${auth}\r\nGET ${a}/two HTTP/1.1\r\nHost: x\r\n${auth}\r\nGET ${a}/three HTTP/1.1\r\nHost: x\r\n\r\n`),
    }), { auth: { user: 'alice', password: 's3cret' } });
    expect(run.answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*A saw GET \/one\nHTTP\/1\.1 200 OK\r\n[\s\S]*A saw GET \/two\nHTTP\/1\.1 407 [^\r]*\r\n[\s\S]*Proxy-Authenticate: Basic/);
    expect(run.answer).not.toMatch(/three/);
    expect(connectionsByServerPort(run)).toEqual([run.proxyPort, ports.a]);
    expectCleanHttpCapture(run);
  });

  it('answers 400 to hostile framing and 502 to an unreachable origin, and closes', async () => {
    const a = `http://127.0.0.1:${ports.a}`;
    const run = await withProxy('hostile', async (port) => ({
      smuggling: await raw(port, `POST ${a}/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
      duplicate: await raw(port, `POST ${a}/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`),
      negative: await raw(port, `POST ${a}/echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`),
      // After a good request, a chunk size no number can hold: the request is cut, nothing hangs.
      hugeChunk: await raw(port, `GET ${a}/one HTTP/1.1\r\nHost: x\r\n\r\nPOST ${a}/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${'f'.repeat(40)}\r\n`),
      unreachable: await raw(port, `GET ${a}/one HTTP/1.1\r\nHost: x\r\n\r\nGET http://127.0.0.1:1/ HTTP/1.1\r\nHost: x\r\n\r\n`),
      badSecond: await raw(port, `GET ${a}/one HTTP/1.1\r\nHost: x\r\n\r\nNONSENSE\r\n\r\n`),
    }));
    expect(run.smuggling).toMatch(/^HTTP\/1\.1 400 [\s\S]*smuggling/);
    expect(run.duplicate).toMatch(/^HTTP\/1\.1 400 [\s\S]*more than one Content-Length/);
    expect(run.negative).toMatch(/^HTTP\/1\.1 400 [\s\S]*invalid Content-Length/);
    expect(run.hugeChunk).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*A saw GET \/one\nHTTP\/1\.1 400 [\s\S]*chunk size too large/);
    expect(run.unreachable).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*A saw GET \/one\nHTTP\/1\.1 502 [\s\S]*connection refused/);
    expect(run.badSecond).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*A saw GET \/one\nHTTP\/1\.1 400 /);
    // tshark flags the hostile requests themselves (smuggling shape, a chunk size it cannot read), nothing the proxy sent.
    expectCleanHttpCapture(run, true);
  });
});
