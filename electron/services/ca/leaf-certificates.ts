/**
 * Leaf certificates the intercepting proxy presents, one pair per host name
 * or IP address, signed by the interception CA and cached:
 *
 *  - an ECDSA P-256 leaf, which TLS 1.3 clients offering ECDSA signatures
 *    (all common ones) and TLS 1.2 clients choosing an ECDHE_ECDSA suite are
 *    given: the proxy signs each handshake with it, and a P-256 signature
 *    costs ~0.02 ms where an RSA-2048 one costs ~0.2-2 ms;
 *  - an RSA leaf for the other TLS 1.2 suites (ECDHE_RSA, RSA key transport).
 *
 * OpenSSL picks one of the two per handshake when both are in the secure
 * context of a TLSSocket (not through an SNICallback: Node then keeps only
 * the last certificate of the context). All
 * leaves share one key pair per algorithm, made per run (as mitmproxy does): a
 * fresh key per host would cost milliseconds per new host for nothing.
 *
 * node-forge has no EC keys, so the TBSCertificate is built with its ASN.1
 * layer (with the leaf's SubjectPublicKeyInfo put in as DER) and signed with
 * the CA's RSA key through node:crypto.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { randomSerial, type CertificateAuthority } from './certificate-authority';

export interface LeafCredentials {
  certPem: string;
  keyPem: string;
}

export interface LeafCertificate {
  ecdsa: LeafCredentials;
  rsa: LeafCredentials;
}

/** Leaves live at most this long (browsers reject server certificates valid for more than 398 days). */
const LEAF_DAYS = 397;
/** Hosts remembered; beyond this the oldest is forgotten (a proxy fed endless names stays bounded). */
const MAX_CACHED = 4096;
/** Position of subjectPublicKeyInfo in TBSCertificate (RFC 5280 4.1: version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...). */
const TBS_SPKI_INDEX = 6;

interface LeafKey {
  keyPem: string;
  /** SubjectPublicKeyInfo as forge ASN.1 (parsed once, shared by every leaf). */
  spki: forge.asn1.Asn1;
}

export class LeafCertificateIssuer {
  private readonly ecdsaKey: LeafKey;
  private readonly rsaKey: LeafKey;
  /** Stands in for the subject key while forge builds the TBSCertificate; replaced before signing. */
  private readonly placeholderKey: forge.pki.PublicKey;
  private readonly caKey: KeyObject;
  private readonly caKeyId: string;
  private readonly cache = new Map<string, LeafCertificate>();

  constructor(private readonly ca: CertificateAuthority) {
    this.ecdsaKey = leafKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), 'sec1');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.rsaKey = leafKey(rsa, 'pkcs1');
    this.placeholderKey = forge.pki.publicKeyFromPem(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    this.caKey = createPrivateKey(forge.pki.privateKeyToPem(ca.key));
    this.caKeyId = ca.cert.generateSubjectKeyIdentifier().getBytes();
  }

  /** The leaves for `host` (a DNS name or an IP address), made on first use. */
  issue(host: string): LeafCertificate {
    const key = host.toLowerCase();
    const cached = this.cache.get(key);
    if (cached) return cached;
    const leaf = {
      ecdsa: { certPem: this.sign(key, this.ecdsaKey), keyPem: this.ecdsaKey.keyPem },
      rsa: { certPem: this.sign(key, this.rsaKey), keyPem: this.rsaKey.keyPem },
    };
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, leaf);
    return leaf;
  }

  /**
   * Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier,
   *                            signatureValue BIT STRING }                                    (RFC 5280 4.1)
   */
  private sign(host: string, subjectKey: LeafKey): string {
    const cert = forge.pki.createCertificate();
    cert.publicKey = this.placeholderKey;
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
      // digitalSignature is what both keys do in TLS 1.3 and ECDHE; keyEncipherment only RSA key transport uses.
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: subjectKey === this.rsaKey, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [altName] },
      { name: 'authorityKeyIdentifier', keyIdentifier: this.caKeyId },
    ]);
    // The CA signs with sha256WithRSAEncryption (its key is RSA); the signature itself is made below.
    cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
    cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
    cert.signature = '';
    const certificate = forge.pki.certificateToAsn1(cert);
    const parts = certificate.value as forge.asn1.Asn1[];
    const tbs = parts[0]!;
    (tbs.value as forge.asn1.Asn1[])[TBS_SPKI_INDEX] = subjectKey.spki;
    const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
    const signature = sign('sha256', tbsDer, this.caKey);
    // BIT STRING: a leading 0 (no unused bits), then the signature.
    parts[2] = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.BITSTRING, false, `\0${signature.toString('binary')}`);
    const der = forge.asn1.toDer(certificate).getBytes();
    return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der, 'binary').toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  }
}

function leafKey(pair: { publicKey: KeyObject; privateKey: KeyObject }, type: 'sec1' | 'pkcs1'): LeafKey {
  const keyPem = pair.privateKey.export({ type, format: 'pem' }).toString();
  const spkiDer = pair.publicKey.export({ type: 'spki', format: 'der' });
  return { keyPem, spki: forge.asn1.fromDer(spkiDer.toString('binary')) };
}
