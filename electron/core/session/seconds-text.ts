/**
 * A capture time in seconds, written as JavaScript writes the number
 * (`String(v)`, which `JSON.stringify` uses), without making a string: the
 * contract's `time` of every message goes through here, and a double's
 * shortest round-trip text (V8's Grisu) was the JSON writer's single largest
 * cost.
 *
 * The fast path covers times from 2004-01-10 to 2038-01-19 (2^30 <= v < 2^31
 * seconds), where every double is the integer part plus a multiple of
 * 2^-22 s; anything else is written through `String(v)`. ECMAScript
 * (Number::toString) asks for the fewest digits that still read back as `v`,
 * the one nearest `v` when several qualify, the even one on a tie: with the
 * integer part fixed, that is the fewest fraction digits k (at most 7, since
 * 10^-7 < 2^-22) for which a multiple of 10^-k lies in the interval of reals
 * that round to `v`. All of it is exact integer arithmetic below 2^53.
 */

const TWO_POW_30 = 1_073_741_824;
const TWO_POW_31 = 2_147_483_648;
/** 2^23: the interval around `v` is ±2^-23 s, so positions are counted in 2^-23 s. */
const HALF_ULP_UNITS = 8_388_608;
const POWERS_OF_TEN = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

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
  // v = integer + m * 2^-22, exactly (the subtraction is exact: both lie in the same binade).
  const m = (v - integer) * 4_194_304;
  let p = writeInteger(out, at, integer);
  if (m === 0) return p;
  // Reals in [2m - 1, 2m + 1] * 2^-23 after `integer` round to v; the ends too when m is even.
  const inclusive = (m & 1) === 0;
  const lo = 2 * m - 1;
  const hi = 2 * m + 1;
  for (let k = 1; k <= 7; k++) {
    const scale = POWERS_OF_TEN[k]!;
    // Candidates j / 10^k with lo * 2^-23 <= j / 10^k <= hi * 2^-23, i.e. lo * 10^k <= j * 2^23 <= hi * 10^k.
    const low = lo * scale;
    const high = hi * scale;
    let jMin = Math.ceil(low / HALF_ULP_UNITS);
    if (!inclusive && jMin * HALF_ULP_UNITS === low) jMin++;
    let jMax = Math.floor(high / HALF_ULP_UNITS);
    if (!inclusive && jMax * HALF_ULP_UNITS === high) jMax--;
    if (jMin > jMax) continue;
    // The candidate nearest v (= 2m * 10^k in the same units), the even one on a tie.
    const target = 2 * m * scale;
    let j = jMin;
    let best = Math.abs(jMin * HALF_ULP_UNITS - target);
    for (let c = jMin + 1; c <= jMax; c++) {
      const d = Math.abs(c * HALF_ULP_UNITS - target);
      if (d < best || (d === best && (c & 1) === 0)) {
        j = c;
        best = d;
      }
    }
    out[p++] = 0x2e; // '.'
    for (let i = k - 1; i >= 0; i--) {
      const q = (j / 10) | 0; // j < 10^7
      out[p + i] = 48 + j - q * 10;
      j = q;
    }
    return p + k;
  }
  // Unreachable (7 digits always suffice); written the slow way should it ever be reached.
  return writeAscii(out, at, String(v));
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
