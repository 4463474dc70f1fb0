/**
 * Leaf certificates the intercepting proxy presents, one per host name or IP
 * address, signed by the interception CA and cached. All leaves share one RSA
 * key pair made per run (as mitmproxy does): a fresh RSA key per host would
 * cost tens of milliseconds per new host for nothing.
 */
import { generateKeyPairSync } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { randomSerial, type CertificateAuthority } from './certificate-authority';

export interface LeafCertificate {
  certPem: string;
  keyPem: string;
}

/** Leaves live at most this long (browsers reject server certificates valid for more than 398 days). */
const LEAF_DAYS = 397;
/** Hosts remembered; beyond this the oldest is forgotten (a proxy fed endless names stays bounded). */
const MAX_CACHED = 4096;

export class LeafCertificateIssuer {
  private readonly keyPem: string;
  private readonly publicKey: forge.pki.PublicKey;
  private readonly cache = new Map<string, LeafCertificate>();

  constructor(private readonly ca: CertificateAuthority) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.keyPem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    this.publicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  }

  /** The leaf for `host` (a DNS name or an IP address), made on first use. */
  issue(host: string): LeafCertificate {
    const key = host.toLowerCase();
    const cached = this.cache.get(key);
    if (cached) return cached;
    const leaf = { certPem: this.sign(key), keyPem: this.keyPem };
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, leaf);
    return leaf;
  }

  private sign(host: string): string {
    const cert = forge.pki.createCertificate();
    cert.publicKey = this.publicKey;
    cert.serialNumber = randomSerial();
    const now = Date.now();
    cert.validity.notBefore = new Date(now - 24 * 3600_000);
    const notAfter = new Date(now + LEAF_DAYS * 24 * 3600_000);
    cert.validity.notAfter = notAfter < this.ca.cert.validity.notAfter ? notAfter : this.ca.cert.validity.notAfter;
    // CN is limited to 64 characters (RFC 5280 ub-common-name); the SAN carries the full name.
    cert.setSubject([{ name: 'commonName', value: host.slice(0, 64) }]);
    cert.setIssuer(this.ca.cert.subject.attributes);
    const ipVersion = isIP(host.replace(/^\[|\]$/g, ''));
    const altName = ipVersion ? { type: 7, ip: host.replace(/^\[|\]$/g, '') } : { type: 2, value: host };
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [altName] },
      { name: 'authorityKeyIdentifier', keyIdentifier: this.ca.cert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(this.ca.key, forge.md.sha256.create());
    return forge.pki.certificateToPem(cert);
  }
}
