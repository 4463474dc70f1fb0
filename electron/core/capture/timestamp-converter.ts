/**
 * Capture timestamps to nanoseconds since the epoch, exactly (bigint), the
 * way Wireshark converts them:
 *
 *   secs  = units / units_per_second            (integer division)
 *   nsecs = (units % units_per_second) * 1e9 / units_per_second
 *   secs += if_tsoffset
 *
 * pcapng stores `units` as two 32-bit halves (Timestamp (High), (Low)); pcap
 * stores seconds and a micro/nanosecond fraction. Both fast paths cache the
 * bigint of the high part, which changes only every few seconds to hours, so a
 * packet costs one small bigint and one addition, not a 64-bit division.
 */

const NS_PER_SECOND = 1_000_000_000n;
const TWO_POW_32 = 4_294_967_296;

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
  private cachedHigh = -1;
  private cachedHighNs = 0n;

  constructor(tsresol: number, tsOffsetSeconds: bigint) {
    this.unitsPerSecond = unitsPerSecondOf(tsresol) ?? 1_000_000n;
    this.offsetNs = tsOffsetSeconds * NS_PER_SECOND;
    const decimal = (tsresol & 0x80) === 0 ? tsresol : -1;
    this.nsPerUnit = decimal >= 3 && decimal <= 9 ? 10 ** (9 - decimal) : 0;
  }

  toNs(high: number, low: number): bigint {
    if (this.nsPerUnit !== 0) {
      // units * nsPerUnit = high * 2^32 * nsPerUnit + low * nsPerUnit; the
      // second term is below 2^53 for nsPerUnit <= 10^6, so a number is exact.
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
