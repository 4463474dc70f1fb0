/**
 * Timestamps for captured packets. cap 0.2.1 drops libpcap's own timestamp
 * (pcap_pkthdr.ts), so each packet is stamped when its 'packet' event runs:
 * a monotonic clock (process.hrtime.bigint, never steps back when NTP adjusts
 * the wall clock) anchored to the wall clock once, at start. Precision: see
 * native/README.md (the delay between arrival and the JavaScript callback).
 */
export class PacketClock {
  private readonly anchorWallNs: bigint;
  private readonly anchorMonoNs: bigint;

  constructor(wallMs: number = Date.now(), monoNs: bigint = process.hrtime.bigint()) {
    this.anchorWallNs = BigInt(Math.round(wallMs)) * 1_000_000n;
    this.anchorMonoNs = monoNs;
  }

  /** Nanoseconds since the Unix epoch, now. */
  nowNs(): bigint {
    return this.anchorWallNs + (process.hrtime.bigint() - this.anchorMonoNs);
  }
}
