import { describe, expect, it } from 'vitest';
import {
  NEXT_SECOND,
  gridIndexOfNanoseconds,
  isGridSecond,
  lowWordOf,
  writeGridFraction,
  writeSecondsInteger,
  writeSecondsText,
} from '../../../electron/core/session/seconds-text';
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

describe('gridIndexOfNanoseconds + writeSecondsInteger + writeGridFraction', () => {
  /** The text of a time `nanoseconds` into `second`, as the JSON writer makes it; null when it rounds up to the next second. */
  const gridText = (second: number, nanoseconds: number): string | null => {
    const m = gridIndexOfNanoseconds(nanoseconds);
    if (m === NEXT_SECOND) return null;
    const end = writeGridFraction(out, writeSecondsInteger(out, 0, second), m);
    return String.fromCharCode(...out.subarray(0, end));
  };
  const asNsToSeconds = (second: number, nanoseconds: number): number => second + nanoseconds / 1e9;

  it('write every microsecond of a second, at both ends of the range and between, as String(nsToSeconds) does', () => {
    const wrong: string[] = [];
    for (const second of [1_073_741_824, 1_795_860_931, 2_147_483_647]) {
      expect(isGridSecond(second)).toBe(true);
      for (let micros = 0; micros < 1_000_000; micros++) {
        const t = gridText(second, micros * 1000);
        const v = asNsToSeconds(second, micros * 1000);
        if (t !== String(v) && wrong.length < 5) wrong.push(`${String(v)} -> ${t}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('write nanosecond times (random, and every nanosecond near the ends of a second) as String(nsToSeconds) does', () => {
    const random = seededRandom(0x1b873593);
    const wrong: string[] = [];
    const check = (second: number, ns: number): void => {
      const v = asNsToSeconds(second, ns);
      const t = gridText(second, ns);
      // Rounded up to the next second: the writer writes those the slow way (String(v) has no fraction).
      if (t === null) {
        if (v !== second + 1) wrong.push(`${second}+${ns}ns is not the next second`);
        return;
      }
      if (t !== String(v) && wrong.length < 5) wrong.push(`${String(v)} -> ${t}`);
    };
    for (let i = 0; i < 1_000_000; i++) check(1_073_741_824 + Math.floor(random() * 1_073_741_823), Math.floor(random() * 1e9));
    for (let ns = 0; ns < 200_000; ns++) check(1_795_860_931, ns);
    for (let ns = 999_800_000; ns < 1_000_000_000; ns++) check(1_795_860_931, ns);
    expect(wrong).toEqual([]);
  });

  it('cover only the seconds from 2^30 to 2^31 - 1', () => {
    expect(isGridSecond(1_073_741_823)).toBe(false);
    expect(isGridSecond(2_147_483_648)).toBe(false);
    expect(isGridSecond(0)).toBe(false);
  });
});

describe('lowWordOf', () => {
  it('is the low 32 bits of a bigint, as BigInt arithmetic gives them', () => {
    for (const n of [0n, 1n, 0xffffffffn, 0x100000000n, 1_795_860_931_160_200_028n, 2n ** 64n + 5n, -1n, -4_294_967_297n]) {
      expect(lowWordOf(n)).toBe(Number(BigInt.asUintN(32, n)));
    }
  });
});
