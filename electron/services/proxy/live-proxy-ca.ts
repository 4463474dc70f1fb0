/**
 * The Proxy panel's "Export CA": writes the interception CA's certificate
 * (made on first use; never its key) and says how to trust it, as
 * `tlswb ca --export` does.
 */
import { writeFileSync } from 'node:fs';
import { loadOrCreateCa } from '../ca/certificate-authority';
import { trustInstructions } from '../ca/trust-instructions';

export interface ExportedCa {
  path: string;
  /** The certificate (PEM), so a browser client can offer it as a download. */
  certPem: string;
  /** How to trust it on Linux (system store and NSS), macOS and Windows. */
  instructions: string;
  /** True when this export made the CA. */
  created: boolean;
}

export function exportCaCertificate(caDir: string, file: string): ExportedCa {
  const ca = loadOrCreateCa(caDir);
  writeFileSync(file, ca.certPem, { mode: 0o644 });
  return { path: file, certPem: ca.certPem, instructions: trustInstructions(file), created: ca.created };
}
