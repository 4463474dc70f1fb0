/**
 * The unit every source produces and the engine consumes: capture files, the
 * live capture helper, the proxy and the probe all become `Packet`s.
 *
 * `data` is only valid during the call it is handed to: readers and the live
 * capture reuse their buffers (as libpcap does), and the capture reader hands
 * every packet in the same `Packet` object. Whatever a consumer keeps beyond
 * the call, it copies.
 */
export interface Packet {
  /** 1-based frame number, as Wireshark numbers frames across the whole file. */
  frame: number;
  /** Index of the interface (pcapng IDB order within the file; 0 for pcap). */
  interfaceId: number;
  /** LINKTYPE_* number of the interface that captured it. */
  linkType: number;
  /** Capture time, nanoseconds since the Unix epoch. */
  timestampNs: bigint;
  /** The captured bytes (possibly shorter than `originalLength`). */
  data: Uint8Array;
  /** Length of the packet on the wire. */
  originalLength: number;
}

/** LINKTYPE_* numbers the engine decodes (tcpdump.org/linktypes.html). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Seconds since the epoch as a float (the contract's `time`), from nanoseconds. */
export function nsToSeconds(ns: bigint): number {
  const s = ns / 1_000_000_000n;
  const frac = ns - s * 1_000_000_000n;
  return Number(s) + Number(frac) / 1e9;
}
