/**
 * The interception CA: made once per install (RSA 2048 key pair from
 * node:crypto, certificate signed with node-forge), kept in a folder as
 * `ca.pem` and `ca.key` (the key mode 0600 in a 0700 folder). The key is
 * never logged or sent anywhere; only the certificate is exported.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface CertificateAuthority {
  dir: string;
  certPem: string;
  /** Parsed forms for signing leaves. */
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  /** True when this call made the CA (first run). */
  created: boolean;
}

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca.key';
const CA_COMMON_NAME = 'tlswb interception CA';

/** $XDG_DATA_HOME/tlswb/ca, else ~/.local/share/tlswb/ca (the user's data folder). */
export function defaultCaDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'tlswb', 'ca');
}

/** Reads the CA in `dir`, or makes one there when the folder has none. */
export function loadOrCreateCa(dir: string): CertificateAuthority {
  const certFile = join(dir, CA_CERT_FILE);
  const keyFile = join(dir, CA_KEY_FILE);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const certPem = readFileSync(certFile, 'utf8');
    const keyPem = readFileSync(keyFile, 'utf8');
    let cert: forge.pki.Certificate;
    let key: forge.pki.rsa.PrivateKey;
    try {
      cert = forge.pki.certificateFromPem(certPem);
      key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
    } catch {
      // Never echo the file contents: one of them is a private key.
      throw new Error(`the CA in ${dir} cannot be read (ca.pem/ca.key damaged?)`);
    }
    return { dir, certPem, cert, key, created: false };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600_000);
  cert.validity.notAfter = new Date(now + 10 * 365 * 24 * 3600_000);
  const name = [{ name: 'commonName', value: CA_COMMON_NAME }, { name: 'organizationName', value: 'TLS Workbench' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  // The key first, created 0600 (never world-readable, not even for a moment).
  writeFileSync(keyFile, keyPem, { mode: 0o600, flag: 'w' });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, certPem, { mode: 0o644 });
  return { dir, certPem, cert, key, created: true };
}

/** A positive 128-bit serial number as hex (RFC 5280 4.1.2.2: at most 20 octets, positive). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}
