import { describe, expect, it } from 'vitest';
import { lowWordOf, writeSecondsText } from '../../../electron/core/session/seconds-text';
import { seededRandom } from '../../support/fuzz-mutations';

const out = new Uint8Array(32);
const text = (v: number): string => String.fromCharCode(...out.subarray(0, writeSecondsText(out, 0, v)));

describe('writeSecondsText', () => {
  it('writes every double of one second (all 2^22 of them) as String() does', () => {
    let mismatches = 0;
    for (let m = 0; m < 4_194_304; m++) {
      const v = 1_795_860_931 + m / 4_194_304;
      if (text(v) !== String(v)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('writes capture times (seconds + nanoseconds / 1e9, as nsToSeconds makes them) as String() does', () => {
    const random = seededRandom(0x2545f491);
    const wrong: string[] = [];
    for (let i = 0; i < 500_000; i++) {
      const seconds = 1_073_741_824 + Math.floor(random() * 1_073_741_823);
      const fraction = i % 2 ? Math.floor(random() * 1e9) / 1e9 : Math.floor(random() * 1e6) / 1e6;
      const v = seconds + fraction;
      if (text(v) !== String(v) && wrong.length < 5) wrong.push(`${String(v)} -> ${text(v)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('writes the edges of the fast path, and times outside it, as String() does', () => {
    // As nsToSeconds makes them: whole seconds plus nanoseconds / 1e9 (the sum rounds).
    const t = (seconds: number, ns: number): number => seconds + ns / 1e9;
    const values = [
      t(1_073_741_824, 0), t(1_073_741_824, 1), t(1_073_741_823, 999_999_900), t(2_147_483_647, 999_999_900),
      t(2_147_483_648, 0), t(2_147_483_648, 500_000_000), t(1_795_860_931, 999_999_999), t(1_795_860_931, 1),
      t(1_795_860_931, 500_000_000), 0, 1e-9, t(999_999_999, 123_456_789), 1.5, -1.25, t(4_102_444_800, 1_000),
    ];
    for (const v of values) expect(text(v)).toBe(String(v));
  });
});

describe('lowWordOf', () => {
  it('is the low 32 bits of a bigint, as BigInt arithmetic gives them', () => {
    for (const n of [0n, 1n, 0xffffffffn, 0x100000000n, 1_795_860_931_160_200_028n, 2n ** 64n + 5n, -1n, -4_294_967_297n]) {
      expect(lowWordOf(n)).toBe(Number(BigInt.asUintN(32, n)));
    }
  });
});
