import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificateUncached } from '../../../electron/core/x509';

/**
 * Certificates made by OpenSSL (test/fixtures/x509/make-certificates.sh),
 * checked field by field against what OpenSSL itself prints for them.
 */
const dir = join(__dirname, '../../fixtures/x509');
const files = readdirSync(dir).filter((f) => f.endsWith('.der'));

/** OpenSSL's RFC 4514 form with UTF-8 kept and ", " between RDNs, like ours. */
const NAMEOPT = 'esc_2253,esc_ctrl,utf8,dump_unknown,dump_der,sep_comma_plus_space,dn_rev,sname';

function openssl(file: string, ...args: string[]): string {
  return execFileSync('openssl', ['x509', '-inform', 'DER', '-in', join(dir, file), '-noout', ...args], { encoding: 'utf8' });
}

/**
 * Names compared RDN by RDN with the attributes of a multi-valued RDN sorted:
 * RFC 4514 leaves their order free, and OpenSSL writes " + " where we write "+".
 */
function canonicalName(dn: string): string[] {
  const rdns = dn.split(/(?<!\\), /);
  return rdns.map((rdn) => rdn.split(/ ?(?<!\\)\+ ?/).sort().join('+'));
}

function field(text: string, name: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${name}=`));
  if (line === undefined) throw new Error(`openssl printed no ${name}`);
  return line.slice(name.length + 1);
}

/** "Nov 27 10:19:22 2026 GMT" -> "2026-11-27T10:19:22Z" */
function isoDate(openSslDate: string): string {
  return new Date(openSslDate.replace(/\s+/g, ' ')).toISOString().replace('.000Z', 'Z');
}

/** OpenSSL prints "IP Address:2001:DB8:0:0:0:0:0:1"; the WHATWG URL parser gives the RFC 5952 form. */
function sanEntry(entry: string): string {
  const ip = /^IP Address:(.*)$/.exec(entry);
  if (ip === null) return entry;
  const addr = ip[1]!;
  return addr.includes(':') ? `IP:${new URL(`http://[${addr}]/`).hostname.slice(1, -1)}` : `IP:${addr}`;
}

function expectedPublicKey(text: string): string {
  const alg = /Public Key Algorithm: (\S+)/.exec(text)![1]!;
  const bits = /Public-Key: \((\d+) bit\)/.exec(text)?.[1];
  switch (alg) {
    case 'rsaEncryption':
      return `RSA ${bits}`;
    case 'rsassaPss':
      return `RSA-PSS ${bits}`;
    case 'dsaEncryption':
      return `DSA ${bits}`;
    case 'id-ecPublicKey':
      return `EC ${/NIST CURVE: (\S+)/.exec(text)![1]}`;
    case 'ED25519':
      return 'Ed25519';
    case 'ED448':
      return 'Ed448';
    default:
      return alg;
  }
}

describe('parseCertificate on OpenSSL-made certificates', () => {
  it('has the certificates to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('agrees with openssl x509 for %s', (file) => {
    const der = readFileSync(join(dir, file));
    const info = parseCertificateUncached(der);
    expect(info.error).toBeUndefined();

    const summary = openssl(file, '-subject', '-issuer', '-serial', '-dates', '-nameopt', NAMEOPT);
    expect(canonicalName(info.subject)).toEqual(canonicalName(field(summary, 'subject')));
    expect(canonicalName(info.issuer)).toEqual(canonicalName(field(summary, 'issuer')));
    expect(info.selfIssued).toBe(field(summary, 'subject') === field(summary, 'issuer'));
    // OpenSSL prints the magnitude; we keep DER's sign octet (as Arkime does).
    expect(info.serial.replace(/^00(?=[89a-f])/, '')).toBe(field(summary, 'serial').toLowerCase());
    expect(info.notBefore).toBe(isoDate(field(summary, 'notBefore')));
    expect(info.notAfter).toBe(isoDate(field(summary, 'notAfter')));

    const text = openssl(file, '-text');
    expect(info.publicKey).toBe(expectedPublicKey(text));
    expect(info.signatureAlgorithm).toBe(/Signature Algorithm: (\S+)/.exec(text)![1]);
    expect(info.isCa).toBe(/CA:TRUE/.test(text));

    const san = openssl(file, '-ext', 'subjectAltName').split('\n')[1]?.trim();
    expect(info.san).toEqual(san ? san.split(', ').map(sanEntry) : []);

    const sha256 = field(openssl(file, '-fingerprint', '-sha256'), 'sha256 Fingerprint').replace(/:/g, '').toLowerCase();
    const sha1 = field(openssl(file, '-fingerprint', '-sha1'), 'sha1 Fingerprint').replace(/:/g, '').toLowerCase();
    expect(info.sha256).toBe(sha256);
    expect(info.sha1).toBe(sha1);
  });

  it('spells out the special cases', () => {
    const ca = parseCertificateUncached(readFileSync(join(dir, 'rsa4096-ca.der')));
    expect(ca.subject).toBe('CN=\\#1 \\"Acme\\" \\<Root\\> CA, OU=R&D \\+ Ops, O=Acme\\, Inc., ST=California, C=US');
    expect(ca.serial).toBe('00a1b2c3d4');
    expect(ca.isCa).toBe(true);
    const leaf = parseCertificateUncached(readFileSync(join(dir, 'rsa2048-san.der')));
    expect(leaf.san).toEqual(['DNS:shop.example', 'DNS:*.shop.example', 'IP:192.0.2.10', 'IP:2001:db8::1', 'IP:::1',
      'email:admin@shop.example', 'URI:https://shop.example/path']);
    const issued = parseCertificateUncached(readFileSync(join(dir, 'ec-p384-issued.der')));
    expect(issued.selfIssued).toBe(false);
    expect(issued.notAfter.startsWith('2081-')).toBe(true); // GeneralizedTime
    expect(issued.publicKey).toBe('EC P-384');
    const utf8 = parseCertificateUncached(readFileSync(join(dir, 'ec-p256-utf8.der')));
    expect(utf8.subject).toBe('emailAddress=ops@example.org, CN=Bücher-Straße.example, O=株式会社 Bücher, L=Zürich, DC=example, DC=org');
  });
});
