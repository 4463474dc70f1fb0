/**
 * Verifies a server's certificate chain against the trust anchors of this
 * machine: the system store (Debian/Ubuntu's ca-certificates bundle when
 * present) plus the roots Node ships (`tls.rootCertificates`). The judging
 * itself is pure (electron/core/x509/chain-builder); this file only finds the
 * anchors.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { buildCertificateChain } from '../core/x509/chain-builder';
import type { ChainVerification } from '../core/x509/chain-verdict';
import { TrustAnchors } from '../core/x509/trust-anchors';

export type { ChainVerification, ChainVerdictKind, ChainLink, ChainProblem } from '../core/x509/chain-verdict';

/** Where Linux distributions keep the system bundle; the first readable one wins. */
export const SYSTEM_CA_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/ssl/cert.pem', // macOS, BSDs
];

let systemAnchors: TrustAnchors | null = null;

/** The system store plus Node's roots, read once per process. */
export function loadSystemTrustAnchors(): TrustAnchors {
  if (systemAnchors) return systemAnchors;
  const anchors = new TrustAnchors();
  for (const path of SYSTEM_CA_BUNDLES) {
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    if (anchors.addPemBundle(pem) > 0) break;
  }
  anchors.addPemBundle(rootCertificates.join('\n'));
  systemAnchors = anchors;
  return anchors;
}

export interface VerifyChainOptions {
  /** The SNI of the session (or the host the user asked for); null skips the name check. */
  serverName: string | null;
  /** When to judge validity: the capture time for a capture, now for a live session. */
  at: Date;
  /** Anchors to use instead of the system's (tests, a user's private CA). */
  anchors?: TrustAnchors;
}

/** Builds the chain as sent (DER, in the order sent) to a trust anchor and gives the verdict with its reason. */
export function verifyCertificateChain(sentDer: readonly Uint8Array[], options: VerifyChainOptions): ChainVerification {
  const anchors = options.anchors ?? loadSystemTrustAnchors();
  return buildCertificateChain(sentDer, anchors, { serverName: options.serverName, at: options.at });
}
