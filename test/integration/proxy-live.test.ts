import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/session/model';
import { analyzeFile } from '../../electron/services/analyze-file';
import { LiveProxy, type TunnelRow } from '../../electron/services/proxy/live-proxy';
import { exportCaCertificate } from '../../electron/services/proxy/live-proxy-ca';
import { freeLoopbackAddress, freePort, runCurl, startOpenSslServer, stopAllSpawned, type OpenSslServer } from '../support/real-peers';
import { expectCleanCapture, makeServerIdentity, type ServerIdentity } from './proxy-support';

/**
 * The proxy as the desktop runs it (LiveProxy): curl through it, and the
 * sessions of both legs stream out of the live analysis while the spool file
 * is written; an intercepted tunnel's file decrypts with its own secrets.
 */

let dir: string;
let origin: string;
let identity: ServerIdentity;
let server: OpenSslServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-live-proxy-'));
  origin = await freeLoopbackAddress([443]);
  identity = makeServerIdentity(dir, 'origin', origin);
  server = await startOpenSslServer({ host: origin, port: 443, identity, args: ['-alpn', 'http/1.1'] });
});

afterAll(async () => {
  await server?.stop();
  await stopAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

describe('live proxy', () => {
  it('streams both legs of a passthrough tunnel into the analysis and lists the tunnel', async () => {
    const opened: Session[] = [];
    const tunnelUpdates: TunnelRow[] = [];
    const spool = join(dir, 'live-pass.pcapng');
    const live = await LiveProxy.start({
      host: '127.0.0.1', port: 0, intercept: null, spoolFile: spool,
      events: { sessionOpened: (s) => opened.push(s) },
      onTunnel: (t) => tunnelUpdates.push(t),
    });
    const { host, port } = live.address;
    const curl = await runCurl(`https://${origin}/live`, { proxy: `http://${host}:${port}`, args: ['--cacert', identity.caCert] });
    expect(curl.httpCode).toBe(200);
    // Sessions arrive while the proxy runs (recorded at the end of each event-loop turn).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opened.length).toBe(2);
    await live.stop();
    expect(live.running).toBe(false);

    const [row] = live.tunnels;
    expect(row).toMatchObject({ id: 1, target: `${origin}:443`, mode: 'passthrough', state: 'closed' });
    expect(row!.bytesFromServer).toBeGreaterThan(1000);
    expect(tunnelUpdates.map((t) => t.state)).toEqual(['open', 'closed']);
    const client = live.sessions.find((s) => s.server.port === port)!;
    const upstream = live.sessions.find((s) => s.server.port === 443)!;
    expect(client.proxy?.target).toBe(`${origin}:443`);
    // Passthrough: the upstream leg carries the client's own ClientHello, byte for byte.
    const helloOf = (s: Session): Uint8Array | undefined => s.messages.find((m) => m.type === 'client_hello')?.raw;
    expect(helloOf(client)!.length).toBeGreaterThan(200);
    expect(helloOf(upstream)).toEqual(helloOf(client));
    expect(live.packets).toBeGreaterThan(20);
    expectCleanCapture(spool);
  });

  it('intercepts with the exported CA; the spool file, once stopped, decrypts both handshakes', async () => {
    const caDir = join(dir, 'ca');
    const caFile = join(dir, 'tlswb-ca.pem');
    const exported = exportCaCertificate(caDir, caFile);
    expect(exported.instructions).toMatch(/update-ca-certificates/);
    const port = await freePort('127.0.0.1');
    const live = await LiveProxy.start({
      host: '127.0.0.1', port, intercept: { caDir, upstreamCaFiles: [identity.caCert] }, spoolFile: join(dir, 'live-int.pcapng'),
    });
    const curl = await runCurl(`https://${origin}/decrypted`, { proxy: `http://127.0.0.1:${port}`, args: ['--cacert', caFile, '--http1.1'] });
    expect(curl.httpCode).toBe(200);
    await live.stop();
    expect(live.tunnels[0]).toMatchObject({ mode: 'intercept', state: 'closed', upstreamVersion: 'TLSv1.3' });
    expect(live.sessions).toHaveLength(2);
    // TLS 1.3 hides the certificate on the wire; the file's own secrets show it.
    const reopened = await analyzeFile(live.spoolFile);
    const upstream = reopened.sessions.find((s) => s.server.port === 443)!;
    expect(upstream.certificates.map((c) => c.subject)).toEqual(['CN=origin.tlswb.test']);
  });
});
