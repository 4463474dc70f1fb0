/**
 * What the link/network decoder hands to the TCP layer: one TCP segment with
 * its addresses already formatted as tshark prints them.
 */

/** TCP header flag bits (RFC 9293 §3.1, the low byte of the flags field). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

export interface TcpSegment {
  ipVersion: 4 | 6;
  /** Dotted quad for IPv4; RFC 5952 compressed lowercase text for IPv6. */
  srcIp: string;
  dstIp: string;
  /**
   * A 32-bit number standing for the address (the address itself for IPv4, a
   * hash of the 16 bytes for IPv6), so that a flow table can hash a segment
   * without building strings. Equal addresses give equal numbers; unequal
   * addresses may collide (compare `srcIp`/`dstIp` to be sure).
   */
  srcAddrHash: number;
  dstAddrHash: number;
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit sequence and acknowledgment numbers. */
  seq: number;
  ack: number;
  /** `TcpFlag` bits. */
  flags: number;
  window: number;
  /**
   * The TCP payload as captured: a view into the packet (or into a reassembled
   * IP datagram). The IP total length is honoured, so Ethernet padding and
   * trailers are never payload. Valid only during the call it is handed to.
   */
  payload: Uint8Array;
  /**
   * Payload length the IP header claims (tshark's `tcp.len`). Larger than
   * `payload.length` only when the capture cut the packet short (snap length);
   * the missing tail is bytes that were on the wire but not captured.
   */
  payloadLength: number;
}

const NO_BYTES = new Uint8Array(0);

/**
 * The segment a packet decoder refills for every packet. Its payload is kept
 * as a window of the packet's bytes (`payloadBytes[payloadStart, payloadEnd)`);
 * the `payload` view is made only when asked for, so the segments that carry
 * no data (half of a capture: ACKs) cost no view at all.
 */
export class DecodedTcpSegment implements TcpSegment {
  ipVersion: 4 | 6 = 4;
  srcIp = '';
  dstIp = '';
  srcAddrHash = 0;
  dstAddrHash = 0;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  payloadLength = 0;
  payloadBytes: Uint8Array = NO_BYTES;
  payloadStart = 0;
  payloadEnd = 0;
  private view: Uint8Array | null = null;

  get payload(): Uint8Array {
    return (this.view ??= this.payloadBytes.subarray(this.payloadStart, this.payloadEnd));
  }

  set payload(p: Uint8Array) {
    this.setPayload(p, 0, p.length);
    this.view = p;
  }

  /** The captured payload is `bytes[start, end)`. */
  setPayload(bytes: Uint8Array, start: number, end: number): void {
    this.payloadBytes = bytes;
    this.payloadStart = start;
    this.payloadEnd = end;
    this.view = null;
  }
}
