/**
 * Which certificate of a chain changed, and which of its fields. Chains are
 * compared position by position (the leaf first, as sent); a certificate only
 * one chain has is added or removed as a whole.
 */
import { diffScalar, diffStringList } from './diff-lists';
import type { DiffChange } from './diff-model';
import type { CertificateInfo } from './model';

/** The fields of the analysis contract's Certificate, compared in this order. */
const SCALAR_FIELDS = ['sha256', 'subject', 'issuer', 'serial', 'notBefore', 'notAfter', 'publicKey', 'signatureAlgorithm'] as const;

export function diffCertificateChains(key: 'certificates' | 'clientCertificates', a: readonly CertificateInfo[], b: readonly CertificateInfo[]): DiffChange[] {
  const out: DiffChange[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a[i];
    const cb = b[i];
    const at = `${key}[${i}]`;
    if (!ca || !cb) {
      const one = (ca ?? cb)!;
      const summary = { sha256: one.sha256, subject: one.subject };
      out.push({ field: at, message: 'certificate', a: ca ? summary : null, b: cb ? summary : null, change: ca ? 'removed' : 'added' });
      continue;
    }
    if (ca.sha256 === cb.sha256) continue;
    for (const f of SCALAR_FIELDS) {
      const c = diffScalar(`${at}.${f}`, 'certificate', ca[f], cb[f]);
      if (c) out.push(c);
    }
    const san = diffStringList(`${at}.san`, 'certificate', ca.san, cb.san);
    if (san) out.push(san);
  }
  return out;
}
