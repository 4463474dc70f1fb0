import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutPeerCertificate } from '../../../electron/services/proxy/upstream-session-der';
import { makeTestPki, type TestPki } from '../../support/test-pki';

/**
 * Sessions the intercepting proxy keeps to resume towards servers: TLS 1.3
 * ones lose the server's certificate (cheaper to resume) and still resume as
 * verified; others are kept as they are. Real peers: a Node TLS server, Node
 * TLS clients (OpenSSL makes and reads the session bytes).
 */

const dir = mkdtempSync(join(tmpdir(), 'tlswb-session-der-'));
let pki: TestPki;
let server: Server;
let port = 0;

beforeAll(async () => {
  mkdirSync(join(dir, 'pki'));
  pki = makeTestPki(join(dir, 'pki'));
  server = createServer({ key: readFileSync(pki.rsaServer.key), cert: `${readFileSync(pki.rsaServer.cert, 'utf8')}${readFileSync(pki.chain, 'utf8')}` },
    (s) => s.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  reused: boolean;
  authorized: boolean;
  authorizationError: string | null;
  session: Buffer | null;
}

function connectOnce(options: { session?: Buffer; maxVersion?: 'TLSv1.2' | 'TLSv1.3'; trusted?: boolean }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const tls: TLSSocket = tlsConnect({
      host: '127.0.0.1', port, servername: pki.serverName,
      ca: options.trusted === false ? undefined : readFileSync(pki.caBundle),
      rejectUnauthorized: options.trusted !== false,
      maxVersion: options.maxVersion ?? 'TLSv1.3',
      session: options.session,
    });
    let session: Buffer | null = null;
    tls.on('session', (s: Buffer) => (session = s));
    tls.on('data', () => undefined);
    tls.on('end', () => resolve({ reused: tls.isSessionReused(), authorized: tls.authorized, authorizationError: tls.authorizationError ? String(tls.authorizationError) : null, session }));
    tls.on('error', reject);
  });
}

function contains(haystack: Buffer, needle: Buffer): boolean {
  return haystack.indexOf(needle) >= 0;
}

/** The DER of the first certificate in a PEM file. */
function certDer(file: string): Buffer {
  const pem = readFileSync(file, 'utf8');
  const b64 = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(pem)![1]!;
  return Buffer.from(b64.replace(/\s+/g, ''), 'base64');
}

describe('withoutPeerCertificate', () => {
  it('drops the server certificate from a verified TLS 1.3 session, which then resumes as verified', async () => {
    const full = await connectOnce({});
    expect(full.reused).toBe(false);
    const session = full.session!;
    const leaf = certDer(pki.rsaServer.cert);
    expect(contains(session, leaf)).toBe(true);
    const slim = withoutPeerCertificate(session);
    expect(contains(slim, leaf)).toBe(false);
    expect(slim.length).toBeLessThan(session.length - leaf.length + 16);
    const resumed = await connectOnce({ session: slim });
    expect(resumed).toMatchObject({ reused: true, authorized: true, authorizationError: null });
  });

  it('keeps a TLS 1.2 session as it is (Node would call it unverified without the certificate)', async () => {
    const full = await connectOnce({ maxVersion: 'TLSv1.2' });
    expect(withoutPeerCertificate(full.session!)).toBe(full.session);
    expect(await connectOnce({ maxVersion: 'TLSv1.2', session: full.session! })).toMatchObject({ reused: true, authorized: true });
  });

  it('keeps a session whose verification failed as it is (the failure is reported again when it resumes)', async () => {
    const full = await connectOnce({ trusted: false });
    expect(full.authorizationError).not.toBeNull();
    expect(withoutPeerCertificate(full.session!)).toBe(full.session);
    const resumed = await connectOnce({ trusted: false, session: full.session! });
    expect(resumed.reused).toBe(true);
    expect(resumed.authorizationError).toBe(full.authorizationError);
  });

  it('keeps anything that is not a well-formed session as it is', async () => {
    const session = (await connectOnce({})).session!;
    const inputs = [
      Buffer.alloc(0),
      Buffer.from([0x30]),
      Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
      session.subarray(0, session.length - 1),
      session.subarray(0, 40),
      Buffer.concat([session, Buffer.from([0])]),
      Buffer.from('not a session at all'),
    ];
    for (const input of inputs) expect(withoutPeerCertificate(input)).toBe(input);
    // A single flipped octet anywhere never throws: the result is either the input or a re-encoded session.
    for (let i = 0; i < session.length; i++) {
      const damaged = Buffer.from(session);
      damaged[i] = damaged[i]! ^ 0xff;
      expect(() => withoutPeerCertificate(damaged)).not.toThrow();
    }
  });
});
