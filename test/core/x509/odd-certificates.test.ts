import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CertificateInfo } from '../../../electron/core/session/model';
import { parseCertificateUncached } from '../../../electron/core/x509';

/**
 * Unusual certificates from real captures (test/fixtures/x509/odd-certificates.json),
 * where OpenSSL either prints something else or gives up; the expectations
 * were checked by hand against `openssl x509 -text` and the captures' own
 * reference outputs (suricata-verify test.yaml).
 */
const certs = JSON.parse(readFileSync(join(__dirname, '../../fixtures/x509/odd-certificates.json'), 'utf8')) as { capture: string; der: string }[];

function parsed(captureFragment: string): CertificateInfo {
  const c = certs.find((x) => x.capture.includes(captureFragment));
  if (c === undefined) throw new Error(`no certificate from ${captureFragment}`);
  return parseCertificateUncached(Buffer.from(c.der, 'hex'));
}

describe('unusual certificates from real captures', () => {
  it('shows a NUL inside a SAN DNS name instead of hiding it (suricata tls-altname-zero)', () => {
    const info = parsed('tls-altname-zero');
    expect(info.error).toBeUndefined();
    expect(info.subject).toBe('CN=xn--j1ahhq.xn--p1ai');
    expect(info.issuer).toBe("CN=R3, O=Let's Encrypt, C=US");
    expect(info.serial).toBe('03de23897e97fb868e7cc55309feaed0ae20');
    expect(info.san).toHaveLength(17);
    expect(info.san).toContain('DNS:server15.xn--j1ahhq.xn\\00-p1ai');
  });

  it('reads a notBefore before 1970 (suricata tls-pre-1970)', () => {
    const info = parsed('tls-pre-1970');
    expect(info.notBefore).toBe('1969-12-31T00:00:00Z');
    expect(info.notAfter).toBe('2038-12-31T00:10:03Z');
    expect(info.san).toEqual([]); // an empty GeneralNames
  });

  it('writes a name attribute of an unexpected type as dotted OID and #hex (suricata tls-subjectaltname)', () => {
    const info = parsed('tls-subjectaltname');
    expect(info.subject.startsWith('2.5.29.17=#14192a2e6d616d7a6f6e2e7275207777772e6d616d7a6f6e2e7275, emailAddress=webmaster@mamzon.ru')).toBe(true);
    expect(info.selfIssued).toBe(true);
  });

  it('names a UPN otherName and a directoryName', () => {
    expect(parsed('anyconnect-vpn').san).toEqual(['othername:UPN:lp-rkerur-osx$@hq.corp.viasat.com']);
    expect(parsed('KakaoTalk_chat').san).toEqual(['DirName:CN=VeriSignMPKI-2-9']);
  });

  it('reports certificates cut short on the wire, hashes intact (suricata bug-1450)', () => {
    const header = parsed('bug-1450-04');
    expect(header.error).toMatch(/TBSCertificate/);
    expect(header.sha1).toBe('fdb439f46f91946af38bb5cf624dc0cd40ad4b2d');
    const content = parsed('bug-1450-05');
    expect(content.error).toMatch(/needs 4294967290 bytes/);
    expect(content.subject).toBe('');
  });
});
