import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearCertificateCache, parseCertificate, parseCertificateUncached } from '../../../electron/core/x509';

/**
 * The certificate cache shares one summary among the sessions that carry the
 * same DER, and only among those: its key looks at a few bytes, so DER that
 * differs elsewhere must still get its own summary.
 */
const dir = join(__dirname, '../../fixtures/x509');
const ders = readdirSync(dir)
  .filter((f) => f.endsWith('.der'))
  .sort()
  .map((f) => new Uint8Array(readFileSync(join(dir, f))));

describe('parseCertificate cache', () => {
  beforeEach(() => clearCertificateCache());

  it('returns the same summary for equal DER, even from another buffer', () => {
    const a = parseCertificate(ders[0]!);
    const b = parseCertificate(ders[0]!.slice());
    expect(b).toBe(a);
    expect(a).toEqual(parseCertificateUncached(ders[0]!));
  });

  it('tells apart DER that differs only where the cheap key does not look', () => {
    // Same length, same first 64 and last 32 bytes: a byte of the subject/issuer area changed.
    const original = ders.find((d) => d.length > 200)!;
    const changed = original.slice();
    const at = original.length >> 1;
    changed[at] = changed[at]! ^ 0x01;
    const a = parseCertificate(original);
    const b = parseCertificate(changed);
    expect(b).not.toBe(a);
    expect(b.sha256).not.toBe(a.sha256);
    expect(b).toEqual(parseCertificateUncached(changed));
    // Both stay cached: asking again gives each its own summary.
    expect(parseCertificate(original)).toBe(a);
    expect(parseCertificate(changed)).toBe(b);
  });

  it('gives every distinct certificate its own summary, as the uncached parser does', () => {
    for (const der of ders) expect(parseCertificate(der)).toEqual(parseCertificateUncached(der));
    for (const der of ders) expect(parseCertificate(der).sha256).toBe(parseCertificateUncached(der).sha256);
  });

  it('stays bounded and correct past its limit', () => {
    // 600 distinct DER (one byte of the serial area varied), then the first again.
    const base = ders.find((d) => d.length > 200)!;
    const variants = Array.from({ length: 600 }, (_, i) => {
      const v = base.slice();
      v[20] = i & 0xff;
      v[21] = i >> 8;
      return v;
    });
    const infos = variants.map((v) => parseCertificate(v));
    expect(new Set(infos.map((i) => i.sha256)).size).toBe(600);
    const again = parseCertificate(variants[0]!);
    expect(again.sha256).toBe(infos[0]!.sha256);
    expect(parseCertificate(variants[599]!)).toBe(infos[599]);
  });
});
