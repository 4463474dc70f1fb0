/**
 * What the intercepting proxy trusts when it connects to servers: the system
 * store (the same bundle certificate-verifier.ts reads), Node's roots, and
 * the user's --upstream-ca certificates. Made once: building a secure context
 * from ~150 roots costs milliseconds, too much per tunnel.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { SYSTEM_CA_BUNDLES } from '../certificate-verifier';

export class UpstreamTrust {
  readonly context: SecureContext;

  constructor(extraCaPem: string[]) {
    const ca: string[] = [...rootCertificates];
    for (const path of SYSTEM_CA_BUNDLES) {
      try {
        ca.push(readFileSync(path, 'utf8'));
        break;
      } catch {
        // next candidate
      }
    }
    ca.push(...extraCaPem);
    this.context = createSecureContext({ ca });
  }
}
