import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateCa } from '../../../electron/services/ca/certificate-authority';
import { LeafCertificateIssuer } from '../../../electron/services/ca/leaf-certificates';
import { ForwardProxy } from '../../../electron/services/proxy/forward-proxy';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import { expectCleanCapture } from '../../integration/proxy-support';
import { makeTestPki, type TestPki } from '../../support/test-pki';

/**
 * HTTP/2 through the intercepting proxy: curl --http2 offers h2, the proxy
 * mirrors the offer to a Node HTTP/2-only origin (allowHTTP1 false) and the
 * origin's choice back to curl, and relays the decrypted frames unchanged.
 * The saved file decrypts in tshark with no options, showing the request's
 * :path on both legs.
 */

const dir = mkdtempSync(join(tmpdir(), 'tlswb-h2-'));
let pki: TestPki;
let origin: Http2SecureServer;
let originPort = 0;
const originSaw: Array<{ path: string; alpn: string | false | undefined }> = [];
const ca = loadOrCreateCa(join(dir, 'ca'));
const issuer = new LeafCertificateIssuer(ca);
const caFile = join(dir, 'tlswb-ca.pem');

beforeAll(async () => {
  mkdirSync(join(dir, 'pki'));
  pki = makeTestPki(join(dir, 'pki'), 'localhost');
  writeFileSync(caFile, ca.certPem);
  origin = createSecureServer({
    allowHTTP1: false,
    key: readFileSync(pki.ecServer.key),
    cert: `${readFileSync(pki.ecServer.cert, 'utf8')}${readFileSync(pki.chain, 'utf8')}`,
  }, (req, res) => {
    originSaw.push({ path: req.url, alpn: req.stream.session?.alpnProtocol });
    res.setHeader('content-type', 'text/plain');
    res.end(`h2 origin saw ${req.url}\n`);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originPort = (origin.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => origin?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function curl(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('HTTP/2 through the intercepting proxy', () => {
  it('curl --http2 reaches an h2-only origin; tshark decrypts the :path on both legs from the file alone', async () => {
    originSaw.length = 0;
    const file = join(dir, 'h2.pcapng');
    const recorder = await LegRecorder.create({ file });
    const intercepted: Array<string | null> = [];
    const proxy = await ForwardProxy.start({
      host: '127.0.0.1', port: 0, recorder,
      intercept: { issuer, upstreamCaPem: [readFileSync(pki.caBundle, 'utf8')], insecureUpstream: false },
      onEvent: (e) => {
        if (e.type === 'tunnel-intercepted') intercepted.push(e.alpn);
      },
    });
    const proxyPort = proxy.address.port;
    let run: Awaited<ReturnType<typeof curl>>;
    try {
      run = await curl(['-sS', '--http2', '--cacert', caFile, '--max-time', '15', '-w', '\nVERSION %{http_version}\n',
        '-x', `http://127.0.0.1:${proxyPort}`, `https://localhost:${originPort}/h2/path?q=1`]);
    } finally {
      await proxy.close();
      await recorder.close();
    }
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('h2 origin saw /h2/path?q=1\n\nVERSION 2\n');
    expect(originSaw).toEqual([{ path: '/h2/path?q=1', alpn: 'h2' }]);
    expect(intercepted).toEqual(['h2']);

    expectCleanCapture(file);
    const read = spawnSync('tshark', ['-r', file, '-Y', 'http2.headers.path', '-T', 'fields', '-e', 'tcp.dstport', '-e', 'http2.headers.path'],
      { encoding: 'utf8', timeout: 60_000 });
    expect(read.stderr.replace(/^Running as user "root".*\n?/m, '')).toBe('');
    const rows = read.stdout.trim().split('\n').map((l) => l.split('\t'));
    // One HEADERS frame with the :path on each leg: towards the proxy, and towards the origin.
    expect(rows).toEqual([[String(proxyPort), '/h2/path?q=1'], [String(originPort), '/h2/path?q=1']]);
  });
});
