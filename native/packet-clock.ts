/**
 * Timestamps for captured packets. cap 0.2.1 drops libpcap's own timestamp
 * (pcap_pkthdr.ts), so each packet is stamped when its 'packet' event runs:
 * a monotonic clock (performance.now(), from the same source as
 * process.hrtime; it never steps back when NTP adjusts the wall clock)
 * anchored to the wall clock once, at start. Precision: see native/README.md.
 *
 * The hot path avoids BigInt: the stamp is kept as two 32-bit halves of
 * nanoseconds since the epoch (the pcapng EPB's Timestamp High / Low), which
 * plain numbers hold exactly.
 */
import { performance } from 'node:perf_hooks';

const TWO_32 = 0x1_0000_0000;

export class PacketClock {
  private readonly anchorHigh: number;
  private readonly anchorLow: number;
  private readonly anchorPerfMs: number;
  /** The last stamp, set by `stamp()`. */
  high = 0;
  low = 0;

  constructor(wallMs: number = Date.now(), perfMs: number = performance.now()) {
    const anchorNs = BigInt(Math.round(wallMs)) * 1_000_000n;
    this.anchorHigh = Number(anchorNs >> 32n);
    this.anchorLow = Number(anchorNs & 0xffffffffn);
    this.anchorPerfMs = perfMs;
  }

  /** Stamps now into `high`/`low`. */
  stamp(): void {
    // Whole nanoseconds since the anchor: exact in a double for ~104 days.
    const sum = this.anchorLow + Math.round((performance.now() - this.anchorPerfMs) * 1e6);
    const carry = Math.floor(sum / TWO_32);
    this.high = this.anchorHigh + carry;
    this.low = sum - carry * TWO_32;
  }

  /** Nanoseconds since the Unix epoch, now (not for the hot path). */
  nowNs(): bigint {
    this.stamp();
    return (BigInt(this.high) << 32n) + BigInt(this.low);
  }
}
