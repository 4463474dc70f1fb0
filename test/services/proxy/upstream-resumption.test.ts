import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateCa } from '../../../electron/services/ca/certificate-authority';
import { LeafCertificateIssuer } from '../../../electron/services/ca/leaf-certificates';
import { ForwardProxy } from '../../../electron/services/proxy/forward-proxy';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import { makeTestPki, type TestPki } from '../../support/test-pki';

/**
 * The intercepting proxy resumes its TLS sessions towards a server it has
 * talked to (as a browser does), unless told not to; either way every leg is
 * recorded with its secrets and tshark decrypts every request in the file.
 * Real peers: a Node https origin that says whether it resumed, a Node TLS
 * client trusting the tlswb CA.
 */

const dir = mkdtempSync(join(tmpdir(), 'tlswb-resume-'));
let pki: TestPki;
let origin: Server;
let originPort = 0;
/** Per origin connection, in order: did the server resume a session? */
const originResumed: boolean[] = [];
const ca = loadOrCreateCa(join(dir, 'ca'));
const issuer = new LeafCertificateIssuer(ca);

beforeAll(async () => {
  mkdirSync(join(dir, 'pki'));
  pki = makeTestPki(join(dir, 'pki'));
  origin = createServer({ key: readFileSync(pki.rsaServer.key), cert: `${readFileSync(pki.rsaServer.cert, 'utf8')}${readFileSync(pki.chain, 'utf8')}` },
    (req, res) => res.end(`ok ${req.url}\n`));
  origin.on('secureConnection', (s: TLSSocket) => originResumed.push(s.isSessionReused()));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originPort = (origin.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => origin?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** CONNECT through the proxy, TLS with SNI `serverName` (trusting the tlswb CA), one GET; the answer's body. */
function get(proxyPort: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const raw = netConnect({ host: '127.0.0.1', port: proxyPort }, () => raw.write(`CONNECT 127.0.0.1:${originPort} HTTP/1.1\r\n\r\n`));
    raw.once('data', (answer: Buffer) => {
      if (!/^HTTP\/1\.1 200 /.test(answer.toString('latin1'))) return reject(new Error(answer.toString('latin1')));
      const tls = tlsConnect({ socket: raw, servername: pki.serverName, ca: ca.certPem, ALPNProtocols: ['http/1.1'] }, () => {
        tls.write(`GET ${path} HTTP/1.1\r\nHost: ${pki.serverName}\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      tls.on('data', (d: Buffer) => (text += d.toString('latin1')));
      tls.on('end', () => resolve(text.slice(text.indexOf('\r\n\r\n') + 4)));
      tls.on('error', reject);
    });
    raw.on('error', reject);
  });
}

async function runTunnels(resumeUpstreamSessions: boolean, file: string): Promise<boolean[]> {
  originResumed.length = 0;
  const recorder = await LegRecorder.create({ file });
  const proxy = await ForwardProxy.start({
    host: '127.0.0.1', port: 0, recorder,
    intercept: { issuer, upstreamCaPem: [readFileSync(pki.caBundle, 'utf8')], insecureUpstream: false, resumeUpstreamSessions },
  });
  try {
    for (let i = 1; i <= 3; i++) expect(await get(proxy.address.port, `/r${i}`)).toBe(`ok /r${i}\n`);
  } finally {
    await proxy.close();
    await recorder.close();
  }
  return [...originResumed];
}

/** The request URIs tshark decrypts from the file alone, and what it said on stderr. */
function tsharkRequests(file: string): { uris: string[]; stderr: string } {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'], { encoding: 'utf8' });
  return { uris: r.stdout.trim().split('\n').filter(Boolean), stderr: r.stderr.replace(/^Running as user "root".*\n?/m, '') };
}

describe('upstream TLS sessions of the intercepting proxy', () => {
  it('resumes towards a server it has talked to; both legs of every tunnel still decrypt from the file', async () => {
    const file = join(dir, 'resumed.pcapng');
    const resumed = await runTunnels(true, file);
    expect(resumed).toEqual([false, true, true]);
    const t = tsharkRequests(file);
    expect(t.stderr).toBe('');
    // CONNECT (plain) on the client leg, then each GET on both legs.
    expect(t.uris).toEqual(['127.0.0.1:' + originPort, '/r1', '/r1', '127.0.0.1:' + originPort, '/r2', '/r2', '127.0.0.1:' + originPort, '/r3', '/r3']);
  });

  it('makes a full handshake every time when resumption is off', async () => {
    const file = join(dir, 'full.pcapng');
    expect(await runTunnels(false, file)).toEqual([false, false, false]);
    expect(tsharkRequests(file).uris.filter((u) => u.startsWith('/'))).toEqual(['/r1', '/r1', '/r2', '/r2', '/r3', '/r3']);
  });
});
