/**
 * A capture time in seconds, written as JavaScript writes the number
 * (`String(v)`, which `JSON.stringify` uses), without making a string: the
 * contract's `time` of every message goes through here, and a double's
 * shortest round-trip text (V8's Grisu) was the JSON writer's single largest
 * cost.
 *
 * The fast path covers times from 2004-01-10 to 2038-01-19 (2^30 <= v < 2^31
 * seconds), where every double is the integer part plus m * 2^-22 s for an
 * integer 0 <= m < 2^22; anything else is written through `String(v)`.
 * ECMAScript (Number::toString) asks for the fewest digits that still read
 * back as `v`, the one nearest `v` when several qualify, the even one on a
 * tie: with the integer part fixed, that is the fewest fraction digits k (at
 * most 7, since 10^-7 < 2^-22) for which a multiple of 10^-k lies in the
 * interval of reals that round to `v` (`writeGridFraction` finds it in two
 * steps). All of it is exact integer arithmetic below 2^53.
 */

const TWO_POW_30 = 1_073_741_824;
const TWO_POW_31 = 2_147_483_648;
/** 2^22: doubles in [2^30, 2^31) are multiples of 2^-22. */
const GRID = 4_194_304;
/** 2^23: the interval around `v` is ±2^-23 s, so positions are counted in 2^-23 s. */
const HALF_ULP_UNITS = 8_388_608;

/** The integer part last written, as ASCII (consecutive times share it). */
let lastInteger = -1;
const integerDigits = new Uint8Array(10);

/**
 * Writes `String(v)` (ASCII) into `out` from `at` and returns the end. `out`
 * has room for 25 bytes from `at` (the longest text of a double).
 */
export function writeSecondsText(out: Uint8Array, at: number, v: number): number {
  const integer = Math.floor(v);
  if (!(integer >= TWO_POW_30 && integer < TWO_POW_31)) return writeAscii(out, at, String(v));
  // v = integer + m * 2^-22, exactly (the subtraction is exact: both lie in the same binade);
  // m < 2^22 as a small integer, as the writer's own calls pass it (a double would deoptimize them).
  return writeGridFraction(out, writeInteger(out, at, integer), ((v - integer) * GRID) | 0);
}

/** Whether times in second `integer` are written by `writeSecondsInteger` and `writeGridFraction`. */
export function isGridSecond(integer: number): boolean {
  return integer >= TWO_POW_30 && integer < TWO_POW_31;
}

/**
 * The integer part of `String(v)` for a time in second `integer` (which
 * `isGridSecond`): its ten digits, into `out` from `at`; returns the end.
 */
export function writeSecondsInteger(out: Uint8Array, at: number, integer: number): number {
  return writeInteger(out, at, integer);
}

/**
 * The m of `integer + nanoseconds / 1e9` as nsToSeconds computes it (a double
 * rounded twice: the division, then the sum) in a second that `isGridSecond`:
 * the grid point nearest the exact value, which it is because the exact
 * value is never near a midpoint. In units of 2^-22 s it is
 * nanoseconds * 2^22 / 1e9, whose distance to any half-integer is
 * |2^8 * (2^14 * nanoseconds - odd * 5^9)| / 1e9 >= 2^8 / 1e9, far more than
 * either rounding's error (below 2^-53 s for the division, 2^-31 units for
 * this division). 2^22 (GRID) means the next whole second.
 */
export function gridIndexOfNanoseconds(nanoseconds: number): number {
  return Math.round((nanoseconds * GRID) / 1e9);
}

/** m of 2^22: the time rounds up to the next whole second (`gridIndexOfNanoseconds`). */
export const NEXT_SECOND = GRID;

/**
 * The text after the integer part of `String(integer + m * 2^-22)` (integer
 * in [2^30, 2^31), 0 <= m < 2^22), into `out` from `at`; returns the end.
 * Reals within 2^-23 of v round to v (both ends too when m is even). That
 * interval is 2^-22 wide, narrower than 10^-6: at most one decimal of six
 * digits lies in it, the one nearest v, and any decimal of fewer digits in it
 * is that one (its trailing zeros dropped). Without one, seven digits: the
 * nearest multiple of 10^-7 (the interval is wider than 2 * 10^-7, so it is
 * in), the even one on a tie.
 */
export function writeGridFraction(out: Uint8Array, at: number, m: number): number {
  if (m === 0) return at;
  // In units of 2^-23 * 10^-6: v is at 2m * 10^6, the interval [(2m - 1) * 10^6, (2m + 1) * 10^6].
  // Its ends are never six-digit decimals (j * 2^17 = (2m - 1) * 5^6 has no solution with j >= 1:
  // even against odd), so whether they belong to it (m even) does not matter here.
  const j6 = Math.round((m * 1_000_000) / GRID);
  const at6 = j6 * HALF_ULP_UNITS;
  const low = (2 * m - 1) * 1_000_000;
  // Seven digits: m * 10^7 / 2^22 rounded, ties to even (m * 10^7 < 2^53: exact). Twice the
  // remainder is even, so adding j7's parity only tips an exact tie, towards even.
  const n7 = m * 10_000_000;
  let j7 = Math.floor(n7 / GRID);
  if (2 * (n7 - j7 * GRID) + (j7 & 1) > GRID) j7++;
  // Both computed every time, and one way out: the optimized code meets no branch it never saw.
  const six = at6 > low && at6 < low + 2_000_000;
  let x = six ? j6 : j7;
  let digits = six ? 6 : 7;
  // Trailing zeros are not written (a seven-digit j7 never has one: j7 / 10 would be a six-digit answer).
  while (x % 10 === 0) {
    x = x / 10;
    digits--;
  }
  return writeDigits(out, at, x, digits);
}

/** `.` and `x` as `digits` digits (leading zeros written); returns the end. */
function writeDigits(out: Uint8Array, at: number, x: number, digits: number): number {
  out[at] = 0x2e; // '.'
  for (let i = digits; i > 0; i--) {
    const q = (x / 10) | 0; // x < 10^7
    out[at + i] = 48 + x - q * 10;
    x = q;
  }
  return at + 1 + digits;
}

/** The ten digits of an integer in [2^30, 2^31), kept for the next call. */
function writeInteger(out: Uint8Array, at: number, integer: number): number {
  if (integer !== lastInteger) {
    lastInteger = integer;
    let x = integer;
    for (let i = 9; i >= 0; i--) {
      const q = (x / 10) | 0; // x < 2^31
      integerDigits[i] = 48 + x - q * 10;
      x = q;
    }
  }
  for (let i = 0; i < 10; i++) out[at + i] = integerDigits[i]!;
  return at + 10;
}

/** One 64-bit cell, as two 32-bit words: a bigint stored in it is read back in parts without a new bigint. */
const cell = new BigUint64Array(1);
const words = new Uint32Array(cell.buffer);
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** The low 32 bits of `n` (two's complement), without making a bigint (`Number(n & 0xffffffffn)` makes two). */
export function lowWordOf(n: bigint): number {
  cell[0] = n;
  return words[LOW_WORD]!;
}

function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}
