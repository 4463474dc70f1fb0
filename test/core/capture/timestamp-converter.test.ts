import { describe, expect, it } from 'vitest';
import { PcapngTimestampConverter, unitsPerSecondOf } from '../../../electron/core/capture/timestamp-converter';
import { seededRandom } from '../../support/fuzz-mutations';

/** Wireshark's conversion, in plain bigint arithmetic: the reference. */
function reference(tsresol: number, offsetSeconds: bigint, high: number, low: number): bigint {
  const units = (BigInt(high) << 32n) | BigInt(low);
  const ups = unitsPerSecondOf(tsresol)!;
  const secs = units / ups;
  return (secs + offsetSeconds) * 1_000_000_000n + ((units - secs * ups) * 1_000_000_000n) / ups;
}

/** Reproducible 32-bit words. */
function generator(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.floor(random() * 0x1_0000_0000);
}

describe('PcapngTimestampConverter', () => {
  it('converts as Wireshark does for every decimal and binary resolution, with and without an offset', () => {
    const next = generator(0x1234567);
    for (const tsresol of [3, 4, 5, 6, 7, 8, 9, 0x80 | 20, 0x80 | 30, 12]) {
      for (const offset of [0n, 3600n, -86_400n]) {
        const c = new PcapngTimestampConverter(tsresol, offset);
        for (let i = 0; i < 20_000; i++) {
          // Mostly plausible times (small high words), some anywhere in 64 bits.
          const high = i % 4 === 0 ? next() : next() % 0x1_0000;
          const low = next();
          const got = c.toNs(high, low);
          if (got !== reference(tsresol, offset, high, low)) {
            expect({ tsresol, offset, high, low, got }).toEqual({ tsresol, offset, high, low, got: reference(tsresol, offset, high, low) });
          }
        }
      }
    }
  });

  it('keeps the exact value past 2^64 nanoseconds (a high word the two-word path cannot hold)', () => {
    const c = new PcapngTimestampConverter(6, 0n);
    expect(c.toNs(0xffffffff, 0xffffffff)).toBe(reference(6, 0n, 0xffffffff, 0xffffffff));
    expect(c.toNs(0xffffffff, 0xffffffff) > 2n ** 64n).toBe(true);
    expect(c.toNs(0, 0)).toBe(0n);
    expect(c.toNs(1, 0)).toBe(4_294_967_296_000n);
  });
});
