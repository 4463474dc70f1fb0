import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { connect, createSecureContext, TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateCa } from '../../../electron/services/ca/certificate-authority';
import { LeafCertificateIssuer } from '../../../electron/services/ca/leaf-certificates';

/**
 * The intercepting proxy's leaves: an ECDSA P-256 one and an RSA one per
 * host, both signed by the tlswb CA. openssl is the outside judge of the
 * certificates; a real TLS handshake shows which one a client gets.
 */

const dir = mkdtempSync(join(tmpdir(), 'tlswb-leaf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ca = loadOrCreateCa(join(dir, 'ca'));
const issuer = new LeafCertificateIssuer(ca);

function opensslVerify(pem: string, name: string): string {
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, pem);
  const r = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'ca', 'ca.pem'), '-purpose', 'sslserver', file], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

/** Subject key of the certificate equals the public half of the private key. */
function keyMatches(certPem: string, keyPem: string): boolean {
  const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  const fromKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return fromCert.equals(fromKey);
}

/**
 * A handshake with a TLS server holding both leaves of `host`, made as the
 * proxy makes its client-side TLS (a TLSSocket over the accepted socket);
 * the certificate the client got.
 */
async function handshake(host: string, client: { maxVersion: 'TLSv1.2' | 'TLSv1.3'; ciphers?: string }): Promise<X509Certificate> {
  const leaf = issuer.issue(host);
  const secureContext = createSecureContext({ cert: [leaf.ecdsa.certPem, leaf.rsa.certPem], key: [leaf.ecdsa.keyPem, leaf.rsa.keyPem] });
  const server = createServer((raw) => {
    const tls = new TLSSocket(raw, { isServer: true, secureContext });
    tls.on('secure', () => tls.end());
    tls.on('error', () => raw.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<X509Certificate>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername: host, ca: ca.certPem, ...client }, () => {
        const cert = socket.getPeerX509Certificate();
        socket.destroy();
        if (cert) resolve(cert);
        else reject(new Error('no peer certificate'));
      });
      socket.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('leaf certificates', () => {
  it('issues an ECDSA P-256 and an RSA leaf per name, both verified by openssl against the CA, each with its own key', () => {
    const leaf = issuer.issue('Shop.Example.TEST');
    for (const [kind, creds] of [['ecdsa', leaf.ecdsa], ['rsa', leaf.rsa]] as const) {
      expect(opensslVerify(creds.certPem, `shop-${kind}`)).toMatch(/: OK$/);
      expect(keyMatches(creds.certPem, creds.keyPem)).toBe(true);
      const cert = new X509Certificate(creds.certPem);
      expect(cert.subject).toBe('CN=shop.example.test');
      expect(cert.subjectAltName).toBe('DNS:shop.example.test');
      expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    }
    expect(new X509Certificate(leaf.ecdsa.certPem).publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(new X509Certificate(leaf.rsa.certPem).publicKey.asymmetricKeyType).toBe('rsa');
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: leaf.ecdsa.certPem, encoding: 'utf8' });
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    // One pair per host, whatever its case.
    expect(issuer.issue('shop.example.test')).toBe(leaf);
  });

  it('puts an IP address in the SAN as an address', () => {
    const leaf = issuer.issue('192.0.2.7');
    expect(new X509Certificate(leaf.ecdsa.certPem).subjectAltName).toBe('IP Address:192.0.2.7');
    expect(opensslVerify(leaf.ecdsa.certPem, 'ip')).toMatch(/: OK$/);
    expect(new X509Certificate(issuer.issue('[2001:db8::1]').rsa.certPem).subjectAltName).toBe('IP Address:2001:DB8:0:0:0:0:0:1');
  });

  it('gives TLS 1.3 and ECDHE_ECDSA clients the ECDSA leaf, a client that cannot take it the RSA one', async () => {
    expect((await handshake('a.example.test', { maxVersion: 'TLSv1.3' })).publicKey.asymmetricKeyType).toBe('ec');
    expect((await handshake('a.example.test', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })).publicKey.asymmetricKeyType).toBe('ec');
    expect((await handshake('a.example.test', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).publicKey.asymmetricKeyType).toBe('rsa');
    expect((await handshake('a.example.test', { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' })).publicKey.asymmetricKeyType).toBe('rsa');
  });
});
