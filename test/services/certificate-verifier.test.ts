import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSystemTrustAnchors, verifyCertificateChain } from '../../electron/services/certificate-verifier';
import { TrustAnchors } from '../../electron/core/x509/trust-anchors';

/**
 * Real chains made with openssl: a root CA, an intermediate and leaves signed
 * by it (good, expired, wrong name), a self-signed leaf; the verifier is run
 * against a store holding only that root, and against the system store.
 */
let dir: string;
const der: Record<string, Uint8Array> = {};
let anchors: TrustAnchors;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function key(name: string): void {
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
}

function loadDer(name: string): Uint8Array {
  return new Uint8Array(new X509Certificate(readFileSync(join(dir, `${name}.pem`))).raw);
}

/** Issues `name` signed by `issuer` with `openssl ca`, which (unlike `x509 -req`) accepts explicit dates. */
function issue(name: string, issuer: string, subject: string, ext: string, start: string, end: string): void {
  key(name);
  openssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  writeFileSync(join(dir, `${name}.ext`), `[ext]\n${ext}\n`);
  openssl('ca', '-batch', '-config', 'ca.cnf', '-cert', `${issuer}.pem`, '-keyfile', `${issuer}.key`,
    '-in', `${name}.csr`, '-out', `${name}.pem`, '-extfile', `${name}.ext`, '-extensions', 'ext',
    '-startdate', start, '-enddate', end, '-notext');
  der[name] = loadDer(name);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-chain-'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ca]', 'default_ca = d', '[d]', 'database = index.txt', 'serial = serial', 'new_certs_dir = .',
    'default_md = sha256', 'policy = p', 'unique_subject = no', 'copy_extensions = none', '[p]', 'commonName = supplied',
  ].join('\n'));
  key('root');
  openssl('req', '-x509', '-new', '-key', 'root.key', '-subj', '/O=tlswb/CN=Workbench Test Root', '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.pem');
  der.root = loadDer('root');
  const now = Date.now();
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const day = 86_400_000;
  const caExt = 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign';
  const leafExt = (san: string) => `basicConstraints=CA:false\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}`;
  issue('int', 'root', '/CN=Workbench Test Intermediate', caExt, stamp(now - day), stamp(now + 365 * day));
  issue('leaf', 'int', '/CN=shop.example', leafExt('DNS:shop.example,DNS:*.shop.example,IP:127.0.0.1'), stamp(now - day), stamp(now + 30 * day));
  issue('expired', 'int', '/CN=old.example', leafExt('DNS:old.example'), '20200101000000Z', '20200201000000Z');
  key('self');
  openssl('req', '-x509', '-new', '-key', 'self.key', '-subj', '/CN=self.example', '-days', '30',
    '-addext', 'subjectAltName=DNS:self.example', '-out', 'self.pem');
  der.self = loadDer('self');
  anchors = new TrustAnchors();
  anchors.add(new X509Certificate(der.root));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const now = () => new Date();

describe('certificate chain verification', () => {
  it('accepts leaf -> intermediate sent in order and builds the chain up to the trusted root', () => {
    const v = verifyCertificateChain([der.leaf, der.int], { serverName: 'shop.example', at: now(), anchors });
    expect(v.verdict).toBe('valid');
    expect(v.trusted).toBe(true);
    expect(v.problems).toEqual([]);
    expect(v.chain).toEqual([
      { source: 'sent', index: 0, subject: 'CN=shop.example' },
      { source: 'sent', index: 1, subject: 'CN=Workbench Test Intermediate' },
      expect.objectContaining({ source: 'anchor', subject: 'CN=Workbench Test Root, O=tlswb' }),
    ]);
    expect(v.reason).toContain('Workbench Test Root');
  });

  it('matches wildcard and IP identities of the SAN', () => {
    expect(verifyCertificateChain([der.leaf, der.int], { serverName: 'www.shop.example', at: now(), anchors }).verdict).toBe('valid');
    expect(verifyCertificateChain([der.leaf, der.int], { serverName: '127.0.0.1', at: now(), anchors }).verdict).toBe('valid');
  });

  it('uses a sent root that is itself trusted and does not report it as unused', () => {
    const v = verifyCertificateChain([der.leaf, der.int, der.root], { serverName: 'shop.example', at: now(), anchors });
    expect(v.verdict).toBe('valid');
    expect(v.unused).toEqual([2]);
  });

  it('says name-mismatch when the SNI is not among the leaf names, quoting them', () => {
    const v = verifyCertificateChain([der.leaf, der.int], { serverName: 'bank.example', at: now(), anchors });
    expect(v.verdict).toBe('name-mismatch');
    expect(v.reason).toContain('bank.example');
    expect(v.reason).toContain('DNS:shop.example');
    expect(v.trusted).toBe(true);
  });

  it('says expired for a leaf whose notAfter has passed, and valid at a time inside its validity', () => {
    const v = verifyCertificateChain([der.expired, der.int], { serverName: 'old.example', at: now(), anchors });
    expect(v.verdict).toBe('expired');
    expect(v.problems[0].index).toBe(0);
    expect(v.reason).toContain('2020-02-01');
  });

  it('says not-yet-valid when judged before notBefore (a capture older than the certificate)', () => {
    const v = verifyCertificateChain([der.leaf, der.int], { serverName: 'shop.example', at: new Date('2001-01-01T00:00:00Z'), anchors });
    expect(v.verdict).toBe('not-yet-valid');
  });

  it('says self-signed for a lone self-signed leaf that is not an anchor', () => {
    const v = verifyCertificateChain([der.self], { serverName: 'self.example', at: now(), anchors });
    expect(v.verdict).toBe('self-signed');
    expect(v.trusted).toBe(false);
  });

  it('says missing-intermediate when the server sends only the leaf', () => {
    const v = verifyCertificateChain([der.leaf], { serverName: 'shop.example', at: now(), anchors });
    expect(v.verdict).toBe('missing-intermediate');
    expect(v.reason).toContain('Workbench Test Intermediate');
    expect(v.chain).toHaveLength(1);
  });

  it('says unknown-issuer when the whole chain ends at a root the store does not hold', () => {
    const v = verifyCertificateChain([der.leaf, der.int, der.root], { serverName: 'shop.example', at: now(), anchors: new TrustAnchors() });
    expect(v.verdict).toBe('unknown-issuer');
    expect(v.chain.map((l) => (l.source === 'sent' ? l.index : -1))).toEqual([0, 1, 2]);
  });

  it('says wrong-order when the intermediate comes before the leaf, and still builds the chain', () => {
    const v = verifyCertificateChain([der.int, der.leaf], { serverName: 'shop.example', at: now(), anchors });
    expect(v.verdict).toBe('wrong-order');
    expect(v.trusted).toBe(true);
    expect(v.chain.slice(0, 2)).toEqual([
      { source: 'sent', index: 1, subject: 'CN=shop.example' },
      { source: 'sent', index: 0, subject: 'CN=Workbench Test Intermediate' },
    ]);
  });

  it('says no-certificate for an empty or unparseable list instead of throwing', () => {
    expect(verifyCertificateChain([], { serverName: null, at: now(), anchors }).verdict).toBe('no-certificate');
    const junk = verifyCertificateChain([new Uint8Array([0x30, 0x82, 0xff, 0xff, 1, 2, 3])], { serverName: null, at: now(), anchors });
    expect(junk.verdict).toBe('no-certificate');
    expect(junk.unused).toEqual([0]);
  });
});

describe('real certificates from the corpus', () => {
  // The Curveball test server (arkime/tests/pcap/badcurveball.pcap): a P-384 leaf issued by "INFIGO",
  // a root forged with explicit EC parameters (CVE-2020-0601); tshark reports the two as sent.
  const fixture = (name: string) => new Uint8Array(readFileSync(join(__dirname, '../fixtures/services', name)));

  it('builds the DigiCert chain sent through the CONNECT proxy to the system root store: valid at capture time', () => {
    const leaf = fixture('https-connect.leaf.der');
    const intermediate = fixture('https-connect.intermediate.der');
    const captureTime = new Date(1567450613.383 * 1000);
    const v = verifyCertificateChain([leaf, intermediate], { serverName: 'ts01-b.cloudsink.net', at: captureTime });
    expect(v.verdict).toBe('valid');
    expect(v.chain.map((l) => l.subject)).toEqual([
      'CN=lfoup01-b.cloudsink.net, O=CrowdStrike\\, Inc., L=Irvine, ST=California, C=US',
      'CN=DigiCert SHA2 High Assurance Server CA, OU=www.digicert.com, O=DigiCert Inc, C=US',
      'CN=DigiCert High Assurance EV Root CA, OU=www.digicert.com, O=DigiCert Inc, C=US',
    ]);
    // the leaf expired on 2020-05-29
    expect(verifyCertificateChain([leaf, intermediate], { serverName: 'ts01-b.cloudsink.net', at: new Date() }).verdict).toBe('expired');
  });

  it('builds leaf -> forged INFIGO root, untrusted by the system store; expired when judged now', () => {
    const leaf = fixture('badcurveball.leaf.der');
    const root = fixture('badcurveball.root.der');
    const captureTime = new Date(1579293816.584 * 1000);
    const atCapture = verifyCertificateChain([leaf, root], { serverName: 'bad.curveballtest.com', at: captureTime });
    expect(loadSystemTrustAnchors().size).toBeGreaterThan(100);
    expect(atCapture.verdict).toBe('unknown-issuer');
    expect(atCapture.trusted).toBe(false);
    expect(atCapture.chain.map((l) => (l.source === 'sent' ? l.index : -1))).toEqual([0, 1]);
    expect(atCapture.reason).toContain('INFIGO');
    const today = verifyCertificateChain([leaf, root], { serverName: 'bad.curveballtest.com', at: new Date() });
    expect(today.problems.map((p) => p.kind)).toEqual(['unknown-issuer', 'expired', 'expired']);
  });
});
