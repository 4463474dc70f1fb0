import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect } from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freeLoopbackAddress, freePort, runCurl, runOpenSslClient, spawnTracked, startOpenSslServer, startTinyproxy,
  stopAllSpawned, type OpenSslServer,
} from '../support/real-peers';
import { analyzeWithCli, tlswbBin, type ContractSession } from '../support/oracle';
import { pausingDownload } from '../support/pausing-download';
import {
  expectCleanCapture, expectFullAgreement, makeServerIdentity, startTlswbProxy, tsharkRequestUris, type ServerIdentity,
} from './proxy-support';

/**
 * `tlswb proxy` with real peers on loopback: curl, openssl s_client and
 * tinyproxy in front of or behind it, openssl s_server and a Node https
 * server as origins. Each saved file is read by tshark and capinfos without a
 * warning and agrees 100% with tshark (compare-analysis.py).
 * The proxy listens on port 3128, which tshark decodes as HTTP, so the client
 * legs' CONNECT and TLS are decoded by tshark as well.
 */

let dir: string;
let origin: string;
let identity: ServerIdentity;
let untrusted: ServerIdentity;
let server: OpenSslServer;
let badServer: OpenSslServer;
let nodeOrigin: HttpsServer;
let nodeOriginPort: number;
let caDir: string;

type TunnelSession = ContractSession & { tunnel?: { id: number; leg: 'client' | 'upstream' } };

/** What the Node origin sends for /big: more than the proxy's socket buffers and its recording batches hold. */
const BIG_BODY = Buffer.alloc(6 * 1024 * 1024 + 123).map((_, i) => (i * 7919) >>> 5);

/** CONNECT through `proxy`, TLS (trusting `ca`), GET `path` on `target`, the reader pausing twice; the response bytes. */
function downloadThrough(proxy: { host: string; port: number }, target: string, ca: Buffer, path: string): Promise<Buffer> {
  return pausingDownload({
    proxy, target, connectHost: true, path, host: 'origin', pauseEvery: 2_000_000,
    tls: { ca, servername: 'origin.tlswb.test', checkServerIdentity: () => undefined },
  });
}

/** TCP payload bytes of every leg in the file: stream -> [from the client, from the server], with the server port. */
function payloadByLeg(file: string): Map<number, { serverPort: number; fromClient: number; fromServer: number }> {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.flags.syn', '-e', 'tcp.flags.ack', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.len'],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  const legs = new Map<number, { serverPort: number; fromClient: number; fromServer: number; clientPort: number }>();
  for (const line of r.stdout.trim().split('\n')) {
    const [stream, syn, ack, src, dst, len] = line.split('\t').map(Number) as [number, number, number, number, number, number];
    if (syn && !ack) legs.set(stream, { serverPort: dst, clientPort: src, fromClient: 0, fromServer: 0 });
    const leg = legs.get(stream);
    if (!leg) continue;
    if (src === leg.clientPort) leg.fromClient += len;
    else leg.fromServer += len;
  }
  return legs;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-proxy-'));
  origin = await freeLoopbackAddress([443, 4443]);
  identity = makeServerIdentity(dir, 'origin', origin);
  untrusted = makeServerIdentity(dir, 'untrusted', origin);
  server = await startOpenSslServer({ host: origin, port: 443, identity, args: ['-alpn', 'http/1.1'] });
  badServer = await startOpenSslServer({ host: origin, port: 4443, identity: untrusted });
  nodeOrigin = createHttpsServer({ cert: readFileSync(identity.cert), key: readFileSync(identity.key) }, (req, res) => {
    if (req.url === '/big') res.end(BIG_BODY);
    else res.end(`node origin saw ${req.url}\n`);
  });
  nodeOriginPort = await freePort(origin);
  await new Promise<void>((resolve) => nodeOrigin.listen(nodeOriginPort, origin, resolve));
  caDir = join(dir, 'ca');
  const exported = spawnTracked('tlswb ca', process.execPath, [tlswbBin, 'ca', '--export', join(dir, 'tlswb-ca.pem'), '--ca-dir', caDir]);
  expect(await exported.waitForExit(30_000)).toBe(0);
  expect(exported.output()).toMatch(/update-ca-certificates[\s\S]*certutil[\s\S]*security add-trusted-cert[\s\S]*certutil -addstore/);
});

afterAll(async () => {
  await new Promise<void>((resolve) => (nodeOrigin ? nodeOrigin.close(() => resolve()) : resolve()));
  await server?.stop();
  await badServer?.stop();
  await stopAllSpawned();
  if (process.env.TLSWB_KEEP_CAPTURES) console.log(`proxy captures kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

/** Sessions of one tunnel: [client leg, upstream leg]. */
function tunnelLegs(sessions: TunnelSession[], id: number): [TunnelSession, TunnelSession] {
  const client = sessions.find((s) => s.tunnel?.id === id && s.tunnel.leg === 'client');
  const upstream = sessions.find((s) => s.tunnel?.id === id && s.tunnel.leg === 'upstream');
  expect(client, `client leg of tunnel ${id}`).toBeDefined();
  expect(upstream, `upstream leg of tunnel ${id}`).toBeDefined();
  return [client!, upstream!];
}

describe('passthrough', () => {
  it('curl and openssl s_client through the proxy: both legs recorded, unchanged, linked, and agreeing with tshark', async () => {
    const host = await freeLoopbackAddress([3128]);
    const file = join(dir, 'passthrough.pcapng');
    const proxy = await startTlswbProxy(host, 3128, ['-w', file]);
    const curl = await runCurl(`https://${origin}/passthrough`, { proxy: proxy.url });
    expect(curl.exit).toBe(0);
    expect(curl.connectCode).toBe(200);
    expect(curl.httpCode).toBe(200);
    const viaNode = await runCurl(`https://${origin}:${nodeOriginPort}/from-curl`, { proxy: proxy.url, args: ['--cacert', identity.caCert] });
    expect(viaNode.httpCode).toBe(200);
    const sClient = await runOpenSslClient({ host: origin, port: 443, args: ['-proxy', `${host}:3128`, '-CAfile', identity.caCert] });
    expect(sClient.output).toMatch(/^(New|Reused), TLSv1\.3/m);
    expect(sClient.output).toMatch(/Verify return code: 0 \(ok\)/);
    expect(await proxy.stop()).toBe(0);

    expectCleanCapture(file);
    expectFullAgreement(file);
    const doc = analyzeWithCli(file);
    const sessions = doc.sessions as TunnelSession[];
    expect(sessions).toHaveLength(6);
    for (const id of [1, 2, 3]) {
      const [client, upstream] = tunnelLegs(sessions, id);
      expect(client.server).toEqual({ ip: host, port: 3128 });
      expect(client.proxy?.status).toBe(200);
      expect(upstream.server.ip).toBe(origin);
      expect(upstream.proxy).toBeNull();
      // Passthrough: the handshake on both legs is the same bytes.
      expect(upstream.ja3Hash).toBe(client.ja3Hash);
      expect(upstream.ja3sHash).toBe(client.ja3sHash);
      expect(upstream.certificates).toEqual(client.certificates);
    }
    expect(tunnelLegs(sessions, 2)[0].proxy?.target).toBe(`${origin}:${nodeOriginPort}`);
  });

  it('relays a large download unchanged while the client pauses, and records every byte on both legs', async () => {
    const host = await freeLoopbackAddress([3128]);
    const file = join(dir, 'passthrough-big.pcapng');
    const proxy = await startTlswbProxy(host, 3128, ['-w', file]);
    const response = await downloadThrough({ host, port: 3128 }, `${origin}:${nodeOriginPort}`, readFileSync(identity.caCert), '/big');
    expect(await proxy.stop()).toBe(0);
    const body = response.subarray(response.indexOf('\r\n\r\n') + 4);
    expect(body.length).toBe(BIG_BODY.length);
    expect(body.equals(BIG_BODY)).toBe(true);

    expectCleanCapture(file);
    const legs = [...payloadByLeg(file).values()];
    expect(legs).toHaveLength(2);
    const client = legs.find((l) => l.serverPort === 3128)!;
    const upstream = legs.find((l) => l.serverPort === nodeOriginPort)!;
    const connectRequest = `CONNECT ${origin}:${nodeOriginPort} HTTP/1.1\r\nHost: ${origin}:${nodeOriginPort}\r\n\r\n`;
    const connectAnswer = 'HTTP/1.1 200 Connection established\r\n\r\n';
    // The tunnel's bytes are the same on both legs; the client leg has the CONNECT exchange before them.
    expect(client.fromClient).toBe(upstream.fromClient + connectRequest.length);
    expect(client.fromServer).toBe(upstream.fromServer + connectAnswer.length);
    expect(upstream.fromServer).toBeGreaterThan(BIG_BODY.length);
  });
});

describe('intercept', () => {
  it('curl trusting the exported CA (no -k): both handshakes recorded with their secrets, tshark decrypts the request', async () => {
    const host = await freeLoopbackAddress([3128]);
    const file = join(dir, 'intercept.pcapng');
    const proxy = await startTlswbProxy(host, 3128, ['--intercept', '--ca-dir', caDir, '--upstream-ca', identity.caCert, '-w', file]);
    const curl = await runCurl(`https://${origin}/intercepted/path?x=1`, {
      proxy: proxy.url, args: ['--cacert', join(dir, 'tlswb-ca.pem'), '--http1.1'],
    });
    expect(curl.output).not.toMatch(/curl: \(/);
    expect(curl.httpCode).toBe(200);
    const h2 = await runCurl(`https://${origin}:${nodeOriginPort}/node/h1`, { proxy: proxy.url, args: ['--cacert', join(dir, 'tlswb-ca.pem')] });
    expect(h2.httpCode).toBe(200);
    expect(await proxy.stop()).toBe(0);
    const log = proxy.process.output();
    expect(log).toMatch(/tunnel 1: intercepted/);
    expect(log).not.toMatch(/BEGIN|PRIVATE|CLIENT_TRAFFIC_SECRET|CLIENT_RANDOM/);
    expect(statSync(join(caDir, 'ca.key')).mode & 0o777).toBe(0o600);

    expectCleanCapture(file);
    // Both legs of both tunnels decrypted by tshark from the file's own secrets.
    expect(tsharkRequestUris(file)).toEqual([
      `${origin}:443`, '/intercepted/path?x=1', '/intercepted/path?x=1',
      `${origin}:${nodeOriginPort}`, '/node/h1', '/node/h1',
    ]);
    expectFullAgreement(file, { withoutSecrets: true });
    const sessions = analyzeWithCli(file).sessions as TunnelSession[];
    const [client, upstream] = tunnelLegs(sessions, 1);
    // Two different handshakes: curl's towards the proxy, Node's towards the server.
    expect(client.ja3Hash).not.toBe(upstream.ja3Hash);
    expect(client.sni).toBeNull(); // curl sends no SNI for an IP address
    // TLS 1.3 hides the certificates on the wire; the file's own secrets decrypt both handshakes:
    // the leaf the proxy made from its CA towards curl, the origin's own certificate upstream.
    expect(client.version).toBe(0x0304);
    expect(client.certificates.map((c) => c.issuer)).toEqual(['O=TLS Workbench, CN=tlswb interception CA']);
    expect(upstream.certificates.map((c) => c.subject)).toEqual(['CN=origin.tlswb.test']);
  });

  it('refuses an upstream certificate it cannot verify (502 with the reason), and allows it with --insecure-upstream', async () => {
    const host = await freeLoopbackAddress([3128]);
    const strict = await startTlswbProxy(host, 3128, ['--intercept', '--ca-dir', caDir]);
    const refused = await runCurl(`https://${origin}:4443/`, { proxy: strict.url, args: ['--cacert', join(dir, 'tlswb-ca.pem')] });
    expect(refused.connectCode).toBe(200);
    expect(refused.httpCode).toBe(502);
    await strict.stop();
    expect(strict.process.output()).toMatch(/upstream TLS to \S+ failed: .*(self.signed|unable to (get|verify))/i);

    const lax = await startTlswbProxy(host, 3128, ['--intercept', '--ca-dir', caDir, '--insecure-upstream']);
    const allowed = await runCurl(`https://${origin}:4443/`, { proxy: lax.url, args: ['--cacert', join(dir, 'tlswb-ca.pem')] });
    expect(allowed.httpCode).toBe(200);
    await lax.stop();
    expect(lax.process.output()).toMatch(/not trusted .*continuing \(--insecure-upstream\)/);
  });
});

describe('chaining and bad input', () => {
  it('chains through tinyproxy with --upstream: the upstream leg carries our CONNECT to tinyproxy', async () => {
    const host = await freeLoopbackAddress([3128, 8888]);
    const tiny = await startTinyproxy({ dir, host, port: 8888, connectPorts: [443] });
    const file = join(dir, 'chained.pcapng');
    const proxy = await startTlswbProxy(host, 3128, ['--upstream', tiny.url, '-w', file]);
    const curl = await runCurl(`https://${origin}/chained`, { proxy: proxy.url });
    expect(curl.httpCode).toBe(200);
    await proxy.stop();
    await tiny.stop();
    expectCleanCapture(file);
    const sessions = analyzeWithCli(file).sessions as TunnelSession[];
    const [client, upstream] = tunnelLegs(sessions, 1);
    expect(upstream.server).toEqual({ ip: host, port: 8888 });
    expect(upstream.proxy).toEqual({ target: `${origin}:443`, status: 200 });
    expect(client.ja3Hash).toBe(upstream.ja3Hash);
  });

  it('answers 400 to a malformed request, 407 without credentials, 502 when the target is unreachable', async () => {
    const host = await freeLoopbackAddress([3128]);
    const proxy = await startTlswbProxy(host, 3128, ['--auth', 'alice:s3cret']);
    const raw = (text: string): Promise<string> => new Promise((resolve, reject) => {
      const socket = connect({ host, port: 3128 }, () => socket.write(text));
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => (answer += d));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
      socket.setTimeout(10_000, () => socket.destroy());
    });
    expect(await raw('NONSENSE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(`CONNECT ${origin}:443 HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(/^HTTP\/1\.1 407 [\s\S]*Proxy-Authenticate: Basic/);
    expect(await raw(`CONNECT ${origin}:443 HTTP/1.1\r\nProxy-Authorization: Basic ${Buffer.from('alice:wrong').toString('base64')}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 407 /);
    expect(await raw(`CONNECT ${'a'.repeat(20_000)}:443 HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
    const closedPort = await freePort(origin);
    const unreachable = await runCurl(`https://${origin}:${closedPort}/`, { proxy: `http://alice:s3cret@${host}:3128` });
    expect(unreachable.connectCode).toBe(502);
    const withAuth = await runCurl(`https://${origin}/`, { proxy: `http://alice:s3cret@${host}:3128` });
    expect(withAuth.httpCode).toBe(200);
    await proxy.stop();
    expect(proxy.process.output()).toMatch(/502 .*connection refused \(ECONNREFUSED\)/);
    expect(proxy.process.output()).not.toMatch(/s3cret/);
  });

  it('warns when listening beyond loopback', async () => {
    const port = await freePort('0.0.0.0');
    const proxy = await startTlswbProxy('0.0.0.0', port, []);
    await proxy.stop();
    expect(proxy.process.output()).toMatch(/warning: listening on 0\.0\.0\.0: anyone who can reach it can use this proxy \(no --auth\)/);
  });
});
