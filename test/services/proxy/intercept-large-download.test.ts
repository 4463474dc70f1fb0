import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateCa } from '../../../electron/services/ca/certificate-authority';
import { LeafCertificateIssuer } from '../../../electron/services/ca/leaf-certificates';
import { ForwardProxy } from '../../../electron/services/proxy/forward-proxy';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import { makeTestPki, type TestPki } from '../../support/test-pki';
import { pausingDownload } from '../../support/pausing-download';

/**
 * A download larger than every buffer on the way through the intercepting
 * proxy, with a client that stops reading twice: the proxy's TLS writes wait
 * for the sockets to drain (TappedSocket), the body arrives unchanged, and
 * the saved file holds and decrypts it on both legs. Real peers: a Node https
 * origin, a Node TLS client trusting the tlswb CA, tshark.
 */

const dir = mkdtempSync(join(tmpdir(), 'tlswb-intercept-big-'));
const BIG_BODY = Buffer.alloc(5 * 1024 * 1024 + 77).map((_, i) => (i * 7919) >>> 5);
let pki: TestPki;
let origin: Server;
let originPort = 0;
const ca = loadOrCreateCa(join(dir, 'ca'));
const issuer = new LeafCertificateIssuer(ca);

beforeAll(async () => {
  mkdirSync(join(dir, 'pki'));
  pki = makeTestPki(join(dir, 'pki'));
  origin = createServer({ key: readFileSync(pki.rsaServer.key), cert: `${readFileSync(pki.rsaServer.cert, 'utf8')}${readFileSync(pki.chain, 'utf8')}` },
    (req, res) => res.end(req.url === '/big' ? BIG_BODY : 'small\n'));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originPort = (origin.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => origin?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** CONNECT, TLS trusting the tlswb CA, GET /big; reading pauses for a moment after 1.5 and 3 MB. The response's bytes. */
function download(proxyPort: number): Promise<Buffer> {
  return pausingDownload({
    proxy: { host: '127.0.0.1', port: proxyPort }, target: `127.0.0.1:${originPort}`, path: '/big', host: pki.serverName, pauseEvery: 1_500_000,
    tls: { servername: pki.serverName, ca: ca.certPem, ALPNProtocols: ['http/1.1'] },
  });
}

describe('a large download through the intercepting proxy', () => {
  it('arrives unchanged while the client pauses, and decrypts from the file on both legs', async () => {
    const file = join(dir, 'big.pcapng');
    const recorder = await LegRecorder.create({ file });
    const proxy = await ForwardProxy.start({
      host: '127.0.0.1', port: 0, recorder,
      intercept: { issuer, upstreamCaPem: [readFileSync(pki.caBundle, 'utf8')], insecureUpstream: false, resumeUpstreamSessions: true },
    });
    let response: Buffer;
    try {
      response = await download(proxy.address.port);
    } finally {
      await proxy.close();
      await recorder.close();
    }
    const body = response.subarray(response.indexOf('\r\n\r\n') + 4);
    expect(body.length).toBe(BIG_BODY.length);
    expect(body.equals(BIG_BODY)).toBe(true);

    // Both legs: the request and the whole response decrypted (the response's body length per leg).
    const r = spawnSync('tshark', ['-r', file, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri', '-e', 'http.content_length'],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    expect(r.stderr.replace(/^Running as user "root".*\n?/m, '')).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(lines.filter(([uri]) => uri === '/big')).toHaveLength(2);
    expect(lines.filter(([, length]) => length === String(BIG_BODY.length))).toHaveLength(2);
  });
});
