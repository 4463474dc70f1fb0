import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { compareWithTshark, tlswbBin, type ComparisonResult } from '../support/oracle';
import { spawnTracked, type KeyPair, type SpawnedProcess } from '../support/real-peers';

/**
 * Helpers for the proxy and probe tests: a `tlswb proxy` process, a server
 * identity whose SAN is the test's own loopback address (the proxy verifies
 * upstream names), and the checks every saved file must pass.
 */

export interface ProxyProcess {
  url: string;
  process: SpawnedProcess;
  /** SIGINT, then waits for the exit (the file is complete after it). */
  stop(): Promise<number | string>;
}

export async function startTlswbProxy(host: string, port: number, args: string[]): Promise<ProxyProcess> {
  const process = spawnTracked(`tlswb proxy ${host}:${port}`, globalThis.process.execPath,
    [tlswbBin, 'proxy', '--host', host, '--port', String(port), ...args]);
  await process.waitForOutput(/listening on http:\/\/\S+/, 15_000);
  return {
    url: `http://${host}:${port}`,
    process,
    async stop() {
      process.child.kill('SIGINT');
      return process.waitForExit(10_000);
    },
  };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

export interface ServerIdentity extends KeyPair {
  /** The CA that signed it (trust it with --upstream-ca / --cacert). */
  caCert: string;
}

/** A CA and a leaf for `host` (SAN IP:host and DNS:name) signed by it; `selfSigned`: a leaf nobody trusts. */
export function makeServerIdentity(dir: string, name: string, host: string): ServerIdentity {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `[ext]\nbasicConstraints=CA:FALSE\nsubjectAltName=DNS:${name}.tlswb.test,IP:${host}\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`,
    '-subj', `/CN=${name} test CA`, '-days', '5', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}.tlswb.test`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${name}-ca.pem`, '-CAkey', `${name}-ca.key`, '-CAcreateserial',
    '-days', '5', '-sha256', '-extfile', ext, '-extensions', 'ext', '-out', `${name}.pem`], dir);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`), caCert: join(dir, `${name}-ca.pem`) };
}

function tsharkStderr(stderr: string): string {
  return stderr.replace(/^Running as user "root" and group "root"\. This could be dangerous\.\n?/m, '');
}

/** tshark and capinfos read the file completely and without a word on stderr. */
export function expectCleanCapture(file: string): void {
  const info = spawnSync('capinfos', ['-M', file], { encoding: 'utf8', timeout: 60_000 });
  expect(info.status, info.stderr).toBe(0);
  expect(tsharkStderr(info.stderr)).toBe('');
  expect(info.stdout).toMatch(/File type:\s+pcapng/);
  const read = spawnSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-Y', '_ws.expert.severity >= 6291456 || _ws.malformed || tcp.checksum.status == 0'],
    { encoding: 'utf8', timeout: 60_000 });
  expect(read.status, read.stderr).toBe(0);
  expect(tsharkStderr(read.stderr)).toBe('');
  expect(read.stdout.trim(), 'frames with warnings or errors').toBe('');
}

/** The request paths tshark decrypts and shows (with no options: the file's secrets). */
export function tsharkRequestUris(file: string): string[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'], { encoding: 'utf8', timeout: 60_000 });
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

/**
 * compare-analysis.py at 100%. Files with TLS secrets are compared without
 * them (editcap --discard-all-secrets): the engine does not read Decryption
 * Secrets Blocks yet, tshark would decrypt, and the facts would differ for that reason only.
 */
export function expectFullAgreement(file: string, options: { withoutSecrets?: boolean } = {}): ComparisonResult {
  let target = file;
  if (options.withoutSecrets) {
    target = file.replace(/\.pcapng$/, '-nosecrets.pcapng');
    const r = spawnSync('editcap', ['--discard-all-secrets', file, target], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }
  const comparison = compareWithTshark(target);
  expect(comparison.output, comparison.output).toMatch(/SCORE \d+\/\d+ \(100\.0%\)/);
  expect(comparison.exitCode, comparison.output).toBe(0);
  expect(comparison.total).toBeGreaterThan(10);
  return comparison;
}
