import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Keys and certificates for real-peer tests, made with `openssl req`/`x509`:
 * a root CA, an intermediate CA it signs, and leaves the intermediate signs:
 * an RSA 2048 server, an EC P-256 server and a client certificate.
 * Server leaves carry SAN DNS:<serverName> and IP:127.0.0.1.
 */
export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  serverName: string;
  rootCa: KeyPair;
  intermediateCa: KeyPair;
  rsaServer: KeyPair;
  ecServer: KeyPair;
  client: KeyPair;
  /** The intermediate's certificate alone (s_server -cert_chain). */
  chain: string;
  /** Root + intermediate (-CAfile for verifying either side). */
  caBundle: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

function newKey(dir: string, name: string, kind: 'rsa' | 'ec'): string {
  const file = join(dir, `${name}.key`);
  const algorithm = kind === 'rsa'
    ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
    : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl(['genpkey', ...algorithm, '-out', file], dir);
  return file;
}

/** Signs `name`'s key with `issuer`, adding the extensions in `extensions` (an openssl config section). */
function issue(dir: string, name: string, subject: string, key: string, issuer: KeyPair | null, extensions: string): KeyPair {
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, `[ext]\n${extensions}\n`);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr], dir);
  const signer = issuer ? ['-CA', issuer.cert, '-CAkey', issuer.key, '-CAcreateserial'] : ['-signkey', key];
  openssl(['x509', '-req', '-in', csr, ...signer, '-days', '30', '-sha256', '-extfile', extFile, '-extensions', 'ext', '-out', cert], dir);
  return { cert, key };
}

export function makeTestPki(dir: string, serverName = 'server.tlswb.test'): TestPki {
  const caExt = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash';
  const serverExt = `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${serverName},IP:127.0.0.1`;
  const clientExt = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth';

  const rootCa = issue(dir, 'root-ca', '/CN=tlswb Test Root CA/O=tlswb tests', newKey(dir, 'root-ca', 'rsa'), null, caExt);
  const intermediateCa = issue(dir, 'intermediate-ca', '/CN=tlswb Test Intermediate CA/O=tlswb tests',
    newKey(dir, 'intermediate-ca', 'rsa'), rootCa, caExt);
  const rsaServer = issue(dir, 'server-rsa', `/CN=${serverName}/O=tlswb tests`, newKey(dir, 'server-rsa', 'rsa'), intermediateCa, serverExt);
  const ecServer = issue(dir, 'server-ec', `/CN=${serverName}/O=tlswb tests`, newKey(dir, 'server-ec', 'ec'), intermediateCa, serverExt);
  const client = issue(dir, 'client', '/CN=tlswb test client/O=tlswb tests', newKey(dir, 'client', 'ec'), intermediateCa, clientExt);

  const chain = intermediateCa.cert;
  const caBundle = join(dir, 'ca-bundle.pem');
  writeFileSync(caBundle, readFileSync(rootCa.cert, 'utf8') + readFileSync(intermediateCa.cert, 'utf8'));
  return { dir, serverName, rootCa, intermediateCa, rsaServer, ecServer, client, chain, caBundle };
}
