import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/session/model';
import { analyzeFile } from '../../electron/services/analyze-file';
import { LiveProxy } from '../../electron/services/proxy/live-proxy';
import { exportCaCertificate } from '../../electron/services/proxy/live-proxy-ca';
import { freeLoopbackAddress, freePort, runCurl, startOpenSslServer, stopAllSpawned, type OpenSslServer } from '../support/real-peers';
import { makeServerIdentity, type ServerIdentity } from './proxy-support';

/**
 * An intercepting live proxy decrypts its tunnels while they run: the
 * sessions the Proxy panel shows before stop() carry the decrypted handshake
 * and the HTTP request, message for message what opening the spool file
 * (with its own secrets, DSBs) shows after stop().
 */

let dir: string;
let origin: string;
let identity: ServerIdentity;
let tls13Origin: OpenSslServer;
let tls12Origin: OpenSslServer;
let caFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-live-decrypt-'));
  origin = await freeLoopbackAddress([443, 8443]);
  identity = makeServerIdentity(dir, 'origin', origin);
  tls13Origin = await startOpenSslServer({ host: origin, port: 443, identity, args: ['-alpn', 'http/1.1'] });
  tls12Origin = await startOpenSslServer({ host: origin, port: 8443, identity, args: ['-alpn', 'http/1.1', '-no_tls1_3'] });
  caFile = join(dir, 'tlswb-ca.pem');
  exportCaCertificate(join(dir, 'ca'), caFile);
});

afterAll(async () => {
  await tls13Origin?.stop();
  await tls12Origin?.stop();
  await stopAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

/** What the session list and the message view show of a session. */
function view(s: Session): unknown {
  return {
    client: s.client, server: s.server, version: s.version, cipherSuite: s.cipherSuite, warnings: s.warnings,
    messages: s.messages.map((m) => ({ type: m.type, from: m.from, frame: m.frame, decrypted: m.decrypted ?? false, length: m.length })),
  };
}

function applicationText(s: Session, from: 'client' | 'server'): string {
  return s.messages
    .filter((m) => m.type === 'application_data' && m.from === from && m.decrypted)
    .map((m) => Buffer.from(m.raw).toString('latin1'))
    .join('');
}

async function interceptLive(name: string, url: string, curlArgs: string[]): Promise<{ live: Session[]; reopened: Session[]; port: number }> {
  const port = await freePort('127.0.0.1');
  const proxy = await LiveProxy.start({
    host: '127.0.0.1', port, intercept: { caDir: join(dir, 'ca'), upstreamCaFiles: [identity.caCert] }, spoolFile: join(dir, `${name}.pcapng`),
  });
  try {
    const curl = await runCurl(url, { proxy: `http://127.0.0.1:${port}`, args: ['--cacert', caFile, '--http1.1', ...curlArgs] });
    expect(curl.httpCode).toBe(200);
    // The last events are recorded at the end of their event-loop turn.
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Before stop(): what the Proxy panel has now (a snapshot: stop() finishes the same objects).
    const live = proxy.sessions.map((s) => structuredClone(s));
    await proxy.stop();
    const reopened = (await analyzeFile(proxy.spoolFile)).sessions;
    return { live, reopened, port };
  } finally {
    await proxy.stop();
  }
}

describe('intercepting live proxy decrypts while it runs', () => {
  it('TLS 1.3 on both legs: handshake and request decrypted live, as in the saved file', async () => {
    const { live, reopened, port } = await interceptLive('live-13', `https://${origin}/live-decrypted-13`, []);
    expect(live).toHaveLength(2);
    for (const s of live) {
      expect(s.version).toBe(0x0304);
      const decrypted = s.messages.filter((m) => m.decrypted).map((m) => m.type);
      expect(decrypted).toEqual(expect.arrayContaining(['encrypted_extensions', 'certificate', 'certificate_verify', 'finished', 'application_data']));
      expect(s.warnings).toEqual([]);
      expect(applicationText(s, 'client')).toMatch(/^GET \/live-decrypted-13 HTTP\/1\.1\r\n/);
      expect(applicationText(s, 'server')).toMatch(/HTTP\/1\.0 200 ok/);
    }
    const clientLeg = live.find((s) => s.server.port === port)!;
    const upstream = live.find((s) => s.server.port === 443)!;
    expect(clientLeg.proxy?.target).toBe(`${origin}:443`);
    expect(upstream.certificates.map((c) => c.subject)).toEqual(['CN=origin.tlswb.test']);
    expect(live.map(view)).toEqual(reopened.map(view));
  });

  it('TLS 1.2 on both legs: secrets logged at the key exchange still decrypt the Finished and the request', async () => {
    const { live, reopened } = await interceptLive('live-12', `https://${origin}:8443/live-decrypted-12`, ['--tls-max', '1.2']);
    expect(live).toHaveLength(2);
    for (const s of live) {
      expect(s.version).toBe(0x0303);
      expect(s.messages.filter((m) => m.decrypted && m.type === 'finished').map((m) => m.from).sort()).toEqual(['client', 'server']);
      expect(s.warnings).toEqual([]);
      expect(applicationText(s, 'client')).toMatch(/^GET \/live-decrypted-12 HTTP\/1\.1\r\n/);
    }
    expect(live.map(view)).toEqual(reopened.map(view));
  });
});
