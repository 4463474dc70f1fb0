import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificateUncached } from '../../../electron/core/x509';

/**
 * Certificates servers sent in the Arkime test captures (extracted with tshark,
 * test/fixtures/x509/SOURCES.md), checked against the cert fields of Arkime's
 * own reference outputs.
 */
const dir = join(__dirname, '../../fixtures/x509');
const certs = JSON.parse(readFileSync(join(dir, 'corpus-certificates.json'), 'utf8')) as { capture: string; der: string }[];

interface ArkimeCert {
  hash: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  subjectCN?: string[];
  issuerCN?: string[];
  alt?: string[];
  publicAlgorithm?: string;
  curve?: string;
}
const arkime = JSON.parse(readFileSync(join(dir, 'arkime-certificates.json'), 'utf8')) as Record<string, ArkimeCert[]>;
const bySha1 = new Map<string, ArkimeCert>();
for (const rows of Object.values(arkime)) for (const c of rows) bySha1.set(c.hash.replace(/:/g, ''), c);

const parsed = certs.map((c) => ({ capture: c.capture, info: parseCertificateUncached(Buffer.from(c.der, 'hex')) }));

/** Arkime lowercases names and keeps each CN attribute. */
function commonNames(dn: string): string[] {
  return [...dn.matchAll(/(?:^|, )CN=((?:\\.|[^,\\])*)/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1').toLowerCase());
}

describe('parseCertificate on certificates from real captures', () => {
  it('parses every one, and reads past a damaged key to the extensions', () => {
    expect(parsed.length).toBeGreaterThan(25);
    const damaged = parsed.filter((p) => p.info.error !== undefined);
    // Arkime's synthetic capture carries one certificate whose RSA key is not an RSAPublicKey.
    expect(damaged.map((p) => p.info.subject)).toEqual(['OU=IT Department, O=Example Inc, CN=certs.example.com']);
    expect(damaged[0]!.info.error).toMatch(/^subjectPublicKeyInfo: /);
    expect(damaged[0]!.info.publicKey).toBe('malformed');
    expect(damaged[0]!.info.san).toEqual(['DNS:*.example.com']);
  });

  it.each(parsed.filter((p) => bySha1.has(p.info.sha1)).map((p) => [`${p.capture} ${p.info.subject}`, p.info] as const))(
    'agrees with Arkime for %s',
    (_, info) => {
      const a = bySha1.get(info.sha1)!;
      expect(info.serial).toBe(a.serial);
      expect(Date.parse(info.notBefore)).toBe(a.notBefore);
      expect(Date.parse(info.notAfter)).toBe(a.notAfter);
      if (a.subjectCN) expect(commonNames(info.subject)).toEqual(a.subjectCN);
      if (a.issuerCN) expect(commonNames(info.issuer)).toEqual(a.issuerCN);
      if (a.alt) {
        const dns = info.san.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4).toLowerCase());
        expect(dns).toEqual(a.alt);
      }
      if (a.publicAlgorithm === 'rsaEncryption' && info.error === undefined) expect(info.publicKey).toMatch(/^RSA \d+$/);
      if (a.publicAlgorithm === 'id-ecPublicKey') expect(info.publicKey).toMatch(/^EC /);
      if (a.curve === 'prime256v1') expect(info.publicKey).toBe('EC P-256');
      if (a.curve === 'secp384r1') expect(info.publicKey).toBe('EC P-384');
    },
  );

  it('matches most certificates Arkime reports', () => {
    const matched = parsed.filter((p) => bySha1.has(p.info.sha1)).length;
    expect(matched).toBeGreaterThanOrEqual(25);
  });
});
