import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../electron/core/bytes/byte-reader';
import { DerReader, MAX_DER_DEPTH, clearCertificateCache, decodeOid, parseCertificate, parseCertificateUncached } from '../../../electron/core/x509';

const dir = join(__dirname, '../../fixtures/x509');
const samples: Uint8Array[] = [
  ...readdirSync(dir).filter((f) => f.endsWith('.der')).map((f) => new Uint8Array(readFileSync(join(dir, f)))),
  ...(JSON.parse(readFileSync(join(dir, 'corpus-certificates.json'), 'utf8')) as { der: string }[])
    .slice(0, 8)
    .map((c) => new Uint8Array(Buffer.from(c.der, 'hex'))),
];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A small deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseCertificate on hostile DER', () => {
  it('never throws on a certificate cut at any byte, and always hashes what it got', () => {
    let cuts = 0;
    for (const der of samples) {
      for (let n = 0; n < der.length; n++) {
        const cut = der.subarray(0, n);
        const info = parseCertificateUncached(cut);
        expect(info.sha256).toBe(sha256(cut));
        expect(info.error).toBeTypeOf('string');
        cuts++;
      }
    }
    expect(cuts).toBeGreaterThan(10_000);
  });

  it('never throws when bytes are flipped at random', () => {
    const rnd = prng(42);
    for (let round = 0; round < 4000; round++) {
      const der = samples[round % samples.length]!.slice();
      const flips = 1 + Math.floor(rnd() * 4);
      for (let i = 0; i < flips; i++) der[Math.floor(rnd() * der.length)] = Math.floor(rnd() * 256);
      const info = parseCertificateUncached(der);
      expect(info.sha1).toHaveLength(40);
    }
  });

  it('reports lengths that lie, indefinite lengths and absurd length fields', () => {
    const der = samples[0]!.slice();
    // Outer SEQUENCE claims one more byte than there is.
    const longer = der.slice();
    longer[3] = longer[3]! + 1;
    expect(parseCertificateUncached(longer).error).toMatch(/needs/);
    expect(parseCertificateUncached(Uint8Array.from([0x30, 0x80, 0x00, 0x00])).error).toMatch(/indefinite/);
    expect(parseCertificateUncached(Uint8Array.from([0x30, 0x85, 1, 0, 0, 0, 0])).error).toMatch(/length of 5 octets/);
    expect(parseCertificateUncached(Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])).error).toMatch(/needs 4294967295 bytes/);
    expect(parseCertificateUncached(new Uint8Array(0)).error).toBeDefined();
  });

  it('bounds nesting depth', () => {
    // 200 nested SEQUENCEs, each holding the next.
    let inner = Uint8Array.from([0x05, 0x00]);
    for (let i = 0; i < 200; i++) {
      const len = inner.length;
      const head = len < 128 ? [0x30, len] : len < 256 ? [0x30, 0x81, len] : [0x30, 0x82, len >> 8, len & 0xff];
      inner = Uint8Array.from([...head, ...inner]);
    }
    let d = DerReader.of(inner);
    let depth = 0;
    expect(() => {
      for (;;) {
        d = d.next('nested').contents;
        depth++;
      }
    }).toThrow(ParseError);
    expect(depth).toBe(MAX_DER_DEPTH);
    expect(parseCertificateUncached(inner).error).toBeDefined();
  });
});

describe('DerReader', () => {
  it('reads short and long form lengths and high tag numbers', () => {
    const long = Uint8Array.from([0x04, 0x81, 0x03, 1, 2, 3, 0x9f, 0x81, 0x00, 0x01, 0xaa]);
    const d = DerReader.of(long);
    const a = d.next();
    expect([a.tag, a.contents.bytes()]).toEqual([4, Uint8Array.from([1, 2, 3])]);
    const b = d.next();
    expect([b.cls, b.tag, b.contents.bytes()]).toEqual([2, 128, Uint8Array.from([0xaa])]);
    expect(d.atEnd).toBe(true);
  });

  it('decodes object identifiers', () => {
    expect(decodeOid(Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]))).toBe('1.2.840.113549.1.1.11');
    expect(decodeOid(Uint8Array.from([0x55, 0x04, 0x03]))).toBe('2.5.4.3');
    expect(decodeOid(Uint8Array.from([0x88, 0x37]))).toBe('2.999');
    expect(() => decodeOid(Uint8Array.from([0x2a, 0x86]))).toThrow(ParseError);
    expect(() => decodeOid(new Uint8Array(0))).toThrow(ParseError);
  });
});

describe('certificate cache', () => {
  it('returns the same summary for the same certificate and copies the bytes it keeps', () => {
    clearCertificateCache();
    const buf = samples[0]!.slice();
    const first = parseCertificate(buf);
    buf.fill(0); // the caller reuses its buffer
    const again = parseCertificate(samples[0]!);
    expect(again).toBe(first);
    expect(first.der).toEqual(samples[0]);
    expect(first.error).toBeUndefined();
  });
});
