/**
 * Capture timestamps to nanoseconds since the epoch, exactly (bigint), the
 * way Wireshark converts them:
 *
 *   secs  = units / units_per_second            (integer division)
 *   nsecs = (units % units_per_second) * 1e9 / units_per_second
 *   secs += if_tsoffset
 *
 * pcapng stores `units` as two 32-bit halves (Timestamp (High), (Low)); pcap
 * stores seconds and a micro/nanosecond fraction. pcapng's fast path (a
 * decimal resolution, no offset) builds the 64-bit product in two words and
 * reads it as one bigint; otherwise both cache the bigint of the high part,
 * which changes only every few seconds to hours, so a packet costs one small
 * bigint and one addition, not a 64-bit division.
 */

const NS_PER_SECOND = 1_000_000_000n;
const TWO_POW_32 = 4_294_967_296;

/**
 * One 64-bit cell seen as two 32-bit words: reading it as a BigUint64Array
 * makes the bigint hi * 2^32 + lo in one allocation, where BigInt arithmetic
 * (a cached high part plus BigInt(low)) makes two and adds.
 */
const cell = new BigUint64Array(1);
const words = new Uint32Array(cell.buffer);
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** hi * 2^32 + lo, for integers 0 <= hi, lo < 2^32. */
function u64(hi: number, lo: number): bigint {
  words[LOW_WORD] = lo;
  words[LOW_WORD ^ 1] = hi;
  return cell[0]!;
}

/** Units per second of a pcapng if_tsresol byte, or null when it is out of range. */
export function unitsPerSecondOf(tsresol: number): bigint | null {
  const exponent = tsresol & 0x7f;
  if (tsresol & 0x80) return exponent < 64 ? 1n << BigInt(exponent) : null;
  return exponent < 20 ? 10n ** BigInt(exponent) : null;
}

/** pcapng: 64-bit timestamps in 1/unitsPerSecond, plus a whole-second offset. */
export class PcapngTimestampConverter {
  private readonly unitsPerSecond: bigint;
  private readonly offsetNs: bigint;
  /** For 10^-3..10^-9 resolutions: ns per unit (1..10^6), else 0 (general path). */
  private readonly nsPerUnit: number;
  private readonly noOffset: boolean;
  private cachedHigh = -1;
  private cachedHighNs = 0n;

  constructor(tsresol: number, tsOffsetSeconds: bigint) {
    this.unitsPerSecond = unitsPerSecondOf(tsresol) ?? 1_000_000n;
    this.offsetNs = tsOffsetSeconds * NS_PER_SECOND;
    this.noOffset = tsOffsetSeconds === 0n;
    const decimal = (tsresol & 0x80) === 0 ? tsresol : -1;
    this.nsPerUnit = decimal >= 3 && decimal <= 9 ? 10 ** (9 - decimal) : 0;
  }

  toNs(high: number, low: number): bigint {
    if (this.nsPerUnit !== 0) {
      // units * nsPerUnit = high * 2^32 * nsPerUnit + low * nsPerUnit; the
      // second term is below 2^53 for nsPerUnit <= 10^6, so a number is exact.
      if (this.noOffset) {
        // units * nsPerUnit as two 32-bit words, each exact in a double: one bigint, no bigint arithmetic.
        const lowProduct = low * this.nsPerUnit; // < 2^52
        const carry = Math.floor(lowProduct / TWO_POW_32);
        const hiWord = high * this.nsPerUnit + carry;
        if (hiWord < TWO_POW_32) return u64(hiWord, lowProduct - carry * TWO_POW_32);
      }
      if (high !== this.cachedHigh) {
        this.cachedHigh = high;
        this.cachedHighNs = BigInt(high) * BigInt(TWO_POW_32 * this.nsPerUnit) + this.offsetNs;
      }
      return this.cachedHighNs + BigInt(low * this.nsPerUnit);
    }
    const units = (BigInt(high) << 32n) | BigInt(low);
    const ups = this.unitsPerSecond;
    const secs = units / ups;
    return secs * NS_PER_SECOND + ((units - secs * ups) * NS_PER_SECOND) / ups + this.offsetNs;
  }
}

/** pcap: 32-bit seconds and a 32-bit micro- or nanosecond fraction. */
export class PcapTimestampConverter {
  private readonly nsPerFractionUnit: number;
  private cachedSeconds = -1;
  private cachedSecondsNs = 0n;

  constructor(nanosecond: boolean) {
    this.nsPerFractionUnit = nanosecond ? 1 : 1000;
  }

  toNs(seconds: number, fraction: number): bigint {
    if (seconds !== this.cachedSeconds) {
      this.cachedSeconds = seconds;
      this.cachedSecondsNs = BigInt(seconds) * NS_PER_SECOND;
    }
    return this.cachedSecondsNs + BigInt(fraction * this.nsPerFractionUnit);
  }
}
