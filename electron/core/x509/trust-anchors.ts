/**
 * A set of trust anchors (root certificates) indexed for chain building:
 * by subject name, to find the candidates that may have issued a certificate,
 * and by SHA-256, to tell whether a sent certificate is itself an anchor.
 * Pure: the trust-store service decides where the anchors come from.
 */
import { X509Certificate } from 'node:crypto';

export class TrustAnchors {
  private readonly bySubject = new Map<string, X509Certificate[]>();
  private readonly byFingerprint = new Set<string>();

  get size(): number {
    return this.byFingerprint.size;
  }

  /** Adds one anchor; returns false when it was already there. */
  add(cert: X509Certificate): boolean {
    const fp = cert.fingerprint256;
    if (this.byFingerprint.has(fp)) return false;
    this.byFingerprint.add(fp);
    const list = this.bySubject.get(cert.subject);
    if (list) list.push(cert);
    else this.bySubject.set(cert.subject, [cert]);
    return true;
  }

  /**
   * Adds every certificate of a PEM bundle (such as ca-certificates.crt) and
   * returns how many were new. A block that does not parse is skipped: one bad
   * entry in a system file must not cost the whole store.
   */
  addPemBundle(pem: string): number {
    let added = 0;
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    for (const block of blocks) {
      try {
        if (this.add(new X509Certificate(block))) added++;
      } catch {
        // skip an unreadable anchor
      }
    }
    return added;
  }

  contains(cert: X509Certificate): boolean {
    return this.byFingerprint.has(cert.fingerprint256);
  }

  /** Anchors whose subject is the certificate's issuer name (the signature is checked by the caller). */
  candidatesFor(cert: X509Certificate): readonly X509Certificate[] {
    return this.bySubject.get(cert.issuer) ?? [];
  }
}
