import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freeLoopbackAddress, makeTestPki, recordOpenSslExchange, recordTraffic, runCurl, startOpenSslServer,
  startTinyproxy, stopAllSpawned, type OpenSslExchange, type TestPki,
} from '../support/real-peers';
import { analyzeWithCli, compareWithTshark, tsharkOracle, type AnalysisDocument, type ContractSession } from '../support/oracle';

/**
 * Captures made here by real peers (openssl s_server/s_client, curl, tinyproxy)
 * on loopback, analyzed by the CLI and compared with tshark fact by fact.
 * Set TLSWB_KEEP_CAPTURES=1 to keep the captures (the folder is printed).
 */

let dir: string;
let pki: TestPki;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-real-peers-'));
  pki = makeTestPki(join(dir));
});

afterAll(async () => {
  await stopAllSpawned();
  if (process.env.TLSWB_KEEP_CAPTURES) console.log(`real-peer captures kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

function sha256OfPem(file: string): string {
  return createHash('sha256').update(new X509Certificate(readFileSync(file)).raw).digest('hex');
}

/** tshark and tlswb agree on every fact compare-analysis.py checks, and tlswb's document is returned. */
function analyzeAndCompare(file: string, tsharkArgs: string[] = []): AnalysisDocument {
  const comparison = compareWithTshark(file, tsharkArgs);
  expect(comparison.output, comparison.output).toMatch(/SCORE \d+\/\d+ \(100\.0%\)/);
  expect(comparison.exitCode, comparison.output).toBe(0);
  expect(comparison.total).toBeGreaterThan(5);
  return analyzeWithCli(file);
}

function types(session: ContractSession): string[] {
  return session.messages.map((m) => `${m.from}:${m.type}`);
}

function handshakeOk(exchange: OpenSslExchange): void {
  for (const client of exchange.clients) expect(client.output).toMatch(/^(New|Reused), TLSv1\.[23]/m);
  expect(exchange.stats.dropped).toBe(0);
}

describe('TLS 1.2 key exchanges with openssl peers', () => {
  const cases = [
    { name: 'ECDHE-RSA', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', ec: false, suite: 0xc02f, iana: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', ske: true },
    { name: 'ECDHE-ECDSA', cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', ec: true, suite: 0xc02c, iana: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', ske: true },
    { name: 'DHE-RSA', cipher: 'DHE-RSA-AES128-GCM-SHA256', ec: false, suite: 0x009e, iana: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', ske: true },
    { name: 'RSA key transport', cipher: 'AES128-SHA256', ec: false, suite: 0x003c, iana: 'TLS_RSA_WITH_AES_128_CBC_SHA256', ske: false },
  ];
  for (const c of cases) {
    it(`${c.name}: version, suite, server chain and message flow agree with tshark`, async () => {
      const identity = c.ec ? pki.ecServer : pki.rsaServer;
      const exchange = await recordOpenSslExchange(join(dir, `tls12-${c.name.replace(/\W+/g, '-')}.pcapng`), {
        server: { identity, chain: pki.chain, args: ['-tls1_2', '-cipher', c.cipher] },
        clients: [{ serverName: pki.serverName, args: ['-tls1_2', '-cipher', c.cipher] }],
      });
      handshakeOk(exchange);
      const doc = analyzeAndCompare(exchange.file);
      expect(doc.sessions).toHaveLength(1);
      const [session] = doc.sessions;
      expect(session.server).toEqual({ ip: exchange.host, port: 443 });
      expect(session.sni).toBe(pki.serverName);
      expect(session.version).toBe(0x0303);
      expect(session.cipherSuite).toBe(c.suite);
      expect(session.cipherSuiteName).toBe(c.iana);
      expect(session.resumed).toBe(false);
      expect(session.certificates.map((x) => x.sha256)).toEqual([sha256OfPem(identity.cert), sha256OfPem(pki.intermediateCa.cert)]);
      expect(session.certificates[0].publicKey).toBe(c.ec ? 'EC P-256' : 'RSA 2048');
      expect(session.clientCertificates).toEqual([]);
      expect(types(session).includes('server:server_key_exchange')).toBe(c.ske);
      expect(types(session)).toEqual(expect.arrayContaining([
        'client:client_hello', 'server:server_hello', 'server:certificate', 'server:server_hello_done',
        'client:client_key_exchange', 'client:change_cipher_spec', 'client:encrypted_handshake',
        'server:change_cipher_spec', 'server:encrypted_handshake', 'client:application_data', 'server:application_data',
      ]));
    });
  }
});

describe('TLS 1.3 with openssl peers', () => {
  it('negotiates TLS 1.3 through supported_versions and hides the rest of the handshake', async () => {
    const exchange = await recordOpenSslExchange(join(dir, 'tls13.pcapng'), {
      server: { identity: pki.ecServer, chain: pki.chain, args: ['-tls1_3'] },
      clients: [{ serverName: pki.serverName, args: ['-tls1_3', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256'] }],
    });
    handshakeOk(exchange);
    const doc = analyzeAndCompare(exchange.file);
    const [session] = doc.sessions;
    expect(doc.sessions).toHaveLength(1);
    expect(session.version).toBe(0x0304);
    expect(session.cipherSuite).toBe(0x1303);
    expect(session.cipherSuiteName).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(session.certificates).toEqual([]);
    expect(types(session).slice(0, 2)).toEqual(['client:client_hello', 'server:server_hello']);
    expect(types(session)).not.toContain('server:certificate');
  });
});

describe('TLS on a port that is not a TLS port', () => {
  it('port 4433: found by content; agrees with tshark (its TLS heuristic), also when tshark is told -d tcp.port==4433,tls', async () => {
    const exchange = await recordOpenSslExchange(join(dir, 'tls12-port-4433.pcapng'), {
      port: 4433,
      server: { identity: pki.ecServer, chain: pki.chain, args: ['-tls1_2'] },
      clients: [{ serverName: pki.serverName, args: ['-tls1_2'] }],
    });
    handshakeOk(exchange);
    analyzeAndCompare(exchange.file);
    const doc = analyzeAndCompare(exchange.file, ['-d', 'tcp.port==4433,tls']);
    expect(doc.sessions).toHaveLength(1);
    expect(doc.sessions[0].server).toEqual({ ip: exchange.host, port: 4433 });
    expect(doc.sessions[0].version).toBe(0x0303);
    expect(doc.sessions[0].sni).toBe(pki.serverName);
  });
});

describe('client certificates', () => {
  it('TLS 1.2: the client chain sent on -Verify appears as clientCertificates, not as the server chain', async () => {
    const exchange = await recordOpenSslExchange(join(dir, 'tls12-client-cert.pcapng'), {
      server: { identity: pki.rsaServer, chain: pki.chain, args: ['-tls1_2', '-Verify', '2', '-CAfile', pki.caBundle] },
      clients: [{ serverName: pki.serverName, identity: pki.client, args: ['-tls1_2', '-cert_chain', pki.chain] }],
    });
    handshakeOk(exchange);
    const doc = analyzeAndCompare(exchange.file);
    const [session] = doc.sessions;
    expect(session.clientCertificates.map((x) => x.sha256)).toEqual([sha256OfPem(pki.client.cert), sha256OfPem(pki.intermediateCa.cert)]);
    expect(session.clientCertificates[0].subject).toContain('CN=tlswb test client');
    expect(session.certificates.map((x) => x.sha256)).toEqual([sha256OfPem(pki.rsaServer.cert), sha256OfPem(pki.intermediateCa.cert)]);
    expect(types(session)).toEqual(expect.arrayContaining([
      'server:certificate_request', 'client:certificate', 'client:certificate_verify',
    ]));
  });

  it('TLS 1.3: the certificate request and the client certificate stay encrypted', async () => {
    const exchange = await recordOpenSslExchange(join(dir, 'tls13-client-cert.pcapng'), {
      server: { identity: pki.rsaServer, chain: pki.chain, args: ['-tls1_3', '-verify', '2', '-CAfile', pki.caBundle] },
      clients: [{ serverName: pki.serverName, identity: pki.client, args: ['-tls1_3'] }],
    });
    handshakeOk(exchange);
    const doc = analyzeAndCompare(exchange.file);
    const [session] = doc.sessions;
    expect(session.version).toBe(0x0304);
    expect(session.clientCertificates).toEqual([]);
  });
});

describe('session resumption', () => {
  const cases = [
    { name: 'TLS 1.2 session ID', server: ['-tls1_2', '-no_ticket'], client: ['-tls1_2'], version: 0x0303 },
    { name: 'TLS 1.2 session ticket', server: ['-tls1_2'], client: ['-tls1_2'], version: 0x0303 },
    { name: 'TLS 1.3 PSK', server: ['-tls1_3'], client: ['-tls1_3'], version: 0x0304 },
  ];
  for (const c of cases) {
    it(`${c.name}: the second connection is resumed, the first is not`, async () => {
      const sessionFile = join(dir, `${c.name.replace(/\W+/g, '-')}.session.pem`);
      const exchange = await recordOpenSslExchange(join(dir, `resume-${c.name.replace(/\W+/g, '-')}.pcapng`), {
        server: { identity: pki.rsaServer, chain: pki.chain, args: c.server },
        clients: [
          { serverName: pki.serverName, sessionOut: sessionFile, args: c.client },
          { serverName: pki.serverName, sessionIn: sessionFile, args: c.client },
        ],
      });
      handshakeOk(exchange);
      expect(exchange.clients[1].output).toMatch(/^Reused, TLSv1\.[23]/m);
      const doc = analyzeAndCompare(exchange.file);
      expect(doc.sessions).toHaveLength(2);
      const [first, second] = doc.sessions;
      expect(first.resumed).toBe(false);
      expect(second.resumed).toBe(true);
      expect(second.version).toBe(c.version);
      expect(second.cipherSuite).toBe(first.cipherSuite);
      // An abbreviated handshake sends no certificate (TLS 1.2: none in the clear either).
      expect(second.certificates).toEqual([]);
      if (c.version === 0x0303) expect(first.certificates).toHaveLength(2);
      expect(types(second)).not.toContain('client:client_key_exchange');
    });
  }
});

describe('failures and fragmentation', () => {
  it('no shared cipher: the server answers the ClientHello with a fatal handshake_failure alert', async () => {
    const exchange = await recordOpenSslExchange(join(dir, 'no-shared-cipher.pcapng'), {
      server: { identity: pki.rsaServer, chain: pki.chain, args: ['-tls1_2', '-cipher', 'AES256-SHA'] },
      clients: [{ serverName: pki.serverName, args: ['-tls1_2', '-cipher', 'AES128-SHA'] }],
    });
    expect(exchange.clients[0].exit).not.toBe(0);
    const doc = analyzeAndCompare(exchange.file);
    const [session] = doc.sessions;
    expect(session.version).toBeNull();
    expect(session.cipherSuite).toBeNull();
    const alerts = session.messages.filter((m) => m.type === 'alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ from: 'server', level: 'fatal', description: 'handshake_failure' });
  });

  it('-max_send_frag 512: handshake messages reassembled across records keep their frames', async () => {
    const exchange = await recordOpenSslExchange(join(dir, 'max-send-frag-512.pcapng'), {
      server: { identity: pki.rsaServer, chain: pki.chain, args: ['-tls1_2', '-max_send_frag', '512'] },
      clients: [{ serverName: pki.serverName, args: ['-tls1_2', '-max_send_frag', '512'] }],
    });
    handshakeOk(exchange);
    const doc = analyzeAndCompare(exchange.file);
    const [session] = doc.sessions;
    const certificate = session.messages.find((m) => m.type === 'certificate');
    // The chain (two RSA certificates) is well over 512 bytes: it needed several records.
    expect(certificate?.length).toBeGreaterThan(1024);
    expect(session.certificates.map((x) => x.sha256)).toEqual([sha256OfPem(pki.rsaServer.cert), sha256OfPem(pki.intermediateCa.cert)]);
    const tshark = tsharkOracle(exchange.file);
    expect(tshark[0].certificates).toEqual(session.certificates.map((x) => x.sha256));
  });
});

describe('HTTP CONNECT through tinyproxy', () => {
  it('curl -x: the CONNECT exchange, its target and status, and the tunnelled TLS agree with tshark', async () => {
    const host = await freeLoopbackAddress([443, 3128]);
    const file = join(dir, 'curl-tinyproxy.pcapng');
    const { result: curl, stats } = await recordTraffic(file, `host ${host} and (tcp port 443 or tcp port 3128)`, async () => {
      const server = await startOpenSslServer({
        host, port: 443, identity: pki.rsaServer, chain: pki.chain, keylogFile: `${file}.keys`,
      });
      const proxy = await startTinyproxy({ dir, host, port: 3128, connectPorts: [443] });
      try {
        return await runCurl(`https://${host}:443/`, { proxy: proxy.url, args: ['--http1.1'], keylogFile: `${file}.keys` });
      } finally {
        await proxy.stop();
        await server.stop();
      }
    }, { host, port: 443 });
    expect(curl.exit, curl.output).toBe(0);
    expect(curl.connectCode).toBe(200);
    expect(curl.httpCode).toBe(200);
    expect(stats.dropped).toBe(0);
    const doc = analyzeAndCompare(file);
    const tunnel = doc.sessions.find((s) => s.server.port === 3128);
    const upstream = doc.sessions.find((s) => s.server.port === 443);
    expect(tunnel?.proxy).toEqual({ target: `${host}:443`, status: 200 });
    expect(types(tunnel as ContractSession).slice(0, 3)).toEqual(['client:connect_request', 'server:connect_response', 'client:client_hello']);
    expect(tunnel?.version).toBe(0x0304);
    expect(upstream?.proxy).toBeNull();
    // The proxy relays the same handshake: both legs carry the same hellos.
    expect(upstream?.ja3Hash).toBe(tunnel?.ja3Hash);
    expect(upstream?.ja3sHash).toBe(tunnel?.ja3sHash);
  });
});
