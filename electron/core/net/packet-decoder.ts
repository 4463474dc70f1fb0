/**
 * From a captured packet to its TCP segment: link layer, tunnels and IP, as
 * tshark sees them (the innermost IP/TCP of any encapsulation).
 *
 * Stateful only for IP fragment reassembly. Never throws: a packet that is not
 * TCP, or is truncated or malformed, gives `null` and counts a reason in
 * `drops`. Checksums are not verified (tshark does not by default).
 */
import { ByteReader, ParseError } from '../bytes/byte-reader';
import { CapturedPacket } from '../capture/captured-packet';
import type { Packet } from '../capture/packet';
import { IpAddressTextCache, ipv6Hash } from './ip-address-text';
import { IpFragmentReassembler, type IpFragmentLimits } from './ip-fragment-reassembler';
import { DecodedTcpSegment, type TcpSegment } from './tcp-segment';

export type DecodeDropReason =
  /** A header ran past the captured bytes. */
  | 'truncated'
  /** A header field that cannot be right (IHL < 5, TCP data offset < 5, ...). */
  | 'malformed'
  /** A link type, EtherType or tunnel this decoder does not follow. */
  | 'unsupported'
  /** IP, but not TCP (UDP without a known tunnel, ICMP, ESP, ...). */
  | 'not-tcp'
  /** An IP fragment held until its datagram is complete. */
  | 'fragment-pending'
  /** An IP fragment that cannot belong to a valid datagram. */
  | 'fragment-rejected'
  /** More nested encapsulations than `MAX_DEPTH`. */
  | 'too-deep'
  /** A bug: an exception that is not a ParseError (caught so decode never throws). */
  | 'internal';

export interface PacketDecoderOptions {
  fragments?: Partial<IpFragmentLimits>;
}

/** Nested link/tunnel/IP layers followed before giving up (hostile nesting). */
const MAX_DEPTH = 12;
/** IPv6 extension headers followed before giving up. */
const MAX_IPV6_EXTENSIONS = 16;
/** MPLS labels followed before giving up. */
const MAX_MPLS_LABELS = 16;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const ETHERTYPE_PPPOE_SESSION = 0x8864;
const ETHERTYPE_TRANSPARENT_ETHERNET = 0x6558;
const ETHERTYPE_ERSPAN_II = 0x88be;
const ETHERTYPE_ERSPAN_III = 0x22eb;
const ETHERTYPE_PPP = 0x880b;

const IPPROTO_HOPOPTS = 0;
const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_GRE = 47;
const IPPROTO_AH = 51;
const IPPROTO_DSTOPTS = 60;
const IPPROTO_MOBILITY = 135;
const IPPROTO_HIP = 139;
const IPPROTO_SHIM6 = 140;
const IPPROTO_MPLS_IN_IP = 137;

const UDP_PORT_VXLAN = 4789;
const UDP_PORT_GENEVE = 6081;
const UDP_PORT_GTP_U = 2152;

export class PacketDecoder {
  readonly drops: Record<DecodeDropReason, number> = {
    truncated: 0,
    malformed: 0,
    unsupported: 0,
    'not-tcp': 0,
    'fragment-pending': 0,
    'fragment-rejected': 0,
    'too-deep': 0,
    internal: 0,
  };
  private readonly addresses = new IpAddressTextCache();
  private readonly fragments: IpFragmentReassembler;

  // The innermost IP header seen so far in the packet being decoded (set by
  // ipv4/ipv6 just before they hand their payload on; an inner header overwrites
  // an outer one). Fields rather than an object: no allocation per packet.
  private nowNs = 0n;
  private ipVersion: 4 | 6 = 4;
  private srcIp = '';
  private dstIp = '';
  private srcHash = 0;
  private dstHash = 0;
  /** Bytes the IP header says its payload has (may exceed what was captured). */
  private ipPayloadLength = 0;
  /**
   * Bytes of the packet on the wire past what was captured (snap length). An IP
   * length reaching beyond the wire length is clamped to it, as Wireshark does
   * ("IPv4 total length exceeds packet length").
   */
  private uncapturedTail = 0;
  /** The packet being decoded lies in `packetBytes` up to `packetEnd` (for `onWire`). */
  private packetBytes: Uint8Array = new Uint8Array(0);
  private packetEnd = 0;
  /** The reader over each packet's bytes, pointed at each packet in turn: no object per packet. */
  private readonly packetReader = new ByteReader(new Uint8Array(0));
  /** The segment `decode` returns, refilled for each packet: no object per packet. */
  private readonly segment = new DecodedTcpSegment();

  constructor(options: PacketDecoderOptions = {}) {
    this.fragments = new IpFragmentReassembler(options.fragments);
  }

  /**
   * The TCP segment in `p`, or `null` (with a reason counted in `drops`). The
   * same object comes back refilled on the next call: valid until then, like
   * the packet's bytes its payload views.
   */
  decode(p: Packet): TcpSegment | null {
    // A capture reader's packet is read where it lies in the chunk: no view made for it.
    if (p instanceof CapturedPacket) return this.decodeWindow(p.bytes, p.start, p.end, p.linkType, p.originalLength, p.timestampNs);
    const data = p.data;
    return this.decodeWindow(data, 0, data.length, p.linkType, p.originalLength, p.timestampNs);
  }

  /** `decode` of a packet whose captured bytes are `bytes[start, end)`. */
  decodeWindow(bytes: Uint8Array, start: number, end: number, linkType: number, originalLength: number, timestampNs: bigint): TcpSegment | null {
    // Nearly every packet of a capture is the plain case: decoded in one go when it is.
    if (linkType === 1) {
      if (end - start >= 14 + PLAIN_IPV4_TCP_MIN_BYTES && bytes[start + 12] === 0x08 && bytes[start + 13] === 0x00) {
        const seg = this.plainIpv4Tcp(bytes, start + 14, end);
        if (seg !== null) return seg;
      }
    } else if (linkType === 101 || linkType === 228) {
      if (end - start >= PLAIN_IPV4_TCP_MIN_BYTES) {
        const seg = this.plainIpv4Tcp(bytes, start, end);
        if (seg !== null) return seg;
      }
    }
    this.nowNs = timestampNs;
    const captured = end - start;
    this.uncapturedTail = originalLength > captured ? originalLength - captured : 0;
    this.packetBytes = bytes;
    this.packetEnd = end;
    try {
      return this.link(this.packetReader.reset(bytes, start, end), linkType);
    } catch (e) {
      this.drops[e instanceof ParseError ? 'truncated' : 'internal']++;
      return null;
    }
  }

  /**
   * The common case, read in place: an IPv4 header without options at `ip`,
   * not a fragment, carrying TCP, whole within `bytes[ip, end)` (its total
   * length is at least 40 and reaches no further than `end`, so every field
   * read below lies inside the packet, checked once), and a TCP header that
   * fits in the datagram. It gives exactly what `ipv4` and `tcp` give for such
   * a packet; anything else (options, fragments, a snap-length cut, a lying
   * length, other protocols) returns null, with nothing counted, and takes
   * the general path, which reads through the bounds-checked reader.
   */
  private plainIpv4Tcp(bytes: Uint8Array, ip: number, end: number): TcpSegment | null {
    if (bytes[ip] !== 0x45 || bytes[ip + 9] !== IPPROTO_TCP) return null;
    const totalLength = (bytes[ip + 2]! << 8) | bytes[ip + 3]!;
    if (totalLength < PLAIN_IPV4_TCP_MIN_BYTES || totalLength > end - ip) return null;
    if ((bytes[ip + 6]! & 0x3f) !== 0 || bytes[ip + 7] !== 0) return null; // MF or a fragment offset
    const t = ip + 20;
    const ipEnd = ip + totalLength;
    const headerLength = (bytes[t + 12]! >> 4) * 4;
    if (headerLength < 20 || t + headerLength > ipEnd) return null;
    const src = u32At(bytes, ip + 12);
    const dst = u32At(bytes, ip + 16);
    const seg = this.segment;
    seg.ipVersion = 4;
    seg.srcIp = this.addresses.ipv4(src);
    seg.dstIp = this.addresses.ipv4(dst);
    seg.srcAddrHash = src;
    seg.dstAddrHash = dst;
    seg.srcPort = (bytes[t]! << 8) | bytes[t + 1]!;
    seg.dstPort = (bytes[t + 2]! << 8) | bytes[t + 3]!;
    seg.seq = u32At(bytes, t + 4);
    seg.ack = u32At(bytes, t + 8);
    seg.flags = bytes[t + 13]!;
    seg.window = (bytes[t + 14]! << 8) | bytes[t + 15]!;
    seg.setPayload(bytes, t + headerLength, ipEnd);
    seg.payloadLength = ipEnd - t - headerLength;
    return seg;
  }

  /** Unfinished fragmented datagrams currently held. */
  get pendingFragments(): number {
    return this.fragments.pendingCount;
  }

  private drop(reason: DecodeDropReason): null {
    this.drops[reason]++;
    return null;
  }

  private link(r: ByteReader, linkType: number): TcpSegment | null {
    switch (linkType) {
      case 1: // LINKTYPE_ETHERNET
        return this.ethernet(r, 0);
      case 0: // LINKTYPE_NULL: AF in the capturing host's byte order
        return this.bsdLoopback(r, false);
      case 108: // LINKTYPE_LOOP: AF in network byte order
        return this.bsdLoopback(r, true);
      case 101: // LINKTYPE_RAW
      case 12: // DLT_RAW as some systems write it
      case 14:
        return this.rawIp(r, 0);
      case 228: // LINKTYPE_IPV4
        return this.ipv4(r, 0);
      case 229: // LINKTYPE_IPV6
        return this.ipv6(r, 0);
      case 113: // LINKTYPE_LINUX_SLL
        return this.linuxSll(r);
      case 276: // LINKTYPE_LINUX_SLL2
        return this.linuxSll2(r);
      case 9: // LINKTYPE_PPP
      case 50: // LINKTYPE_PPP_HDLC
        return this.ppp(r, 0);
      default:
        return this.drop('unsupported');
    }
  }

  /*
   * Ethernet II / IEEE 802.3 (IEEE 802.3 clause 3):
   *   destination MAC (6) | source MAC (6) | EtherType or length (2) | payload | [FCS (4)]
   * A trailer or FCS after the IP datagram is ignored because IP's own length is honoured.
   * A length (<= 1500) means 802.2 LLC follows; only SNAP (AA AA 03, OUI, EtherType) is followed.
   */
  private ethernet(r: ByteReader, depth: number): TcpSegment | null {
    r.skip(12, 'Ethernet addresses');
    let type = r.u16('EtherType');
    if (type <= 1500) {
      // LLC: DSAP SSAP control; SNAP: OUI (3) EtherType (2)
      if (r.u8('LLC DSAP') !== 0xaa || r.u8('LLC SSAP') !== 0xaa || r.u8('LLC control') !== 0x03) {
        return this.drop('unsupported');
      }
      r.skip(3, 'SNAP OUI');
      type = r.u16('SNAP EtherType');
    }
    return this.etherType(r, type, depth + 1);
  }

  private etherType(r: ByteReader, type: number, depth: number): TcpSegment | null {
    if (depth > MAX_DEPTH) return this.drop('too-deep');
    switch (type) {
      case ETHERTYPE_IPV4:
        return this.ipv4(r, depth);
      case ETHERTYPE_IPV6:
        return this.ipv6(r, depth);
      case ETHERTYPE_VLAN:
      case ETHERTYPE_QINQ:
      case ETHERTYPE_QINQ_OLD:
        // IEEE 802.1Q tag: PCP(3) DEI(1) VID(12) | EtherType (2)
        r.skip(2, '802.1Q TCI');
        return this.etherType(r, r.u16('802.1Q EtherType'), depth + 1);
      case ETHERTYPE_MPLS:
      case ETHERTYPE_MPLS_MULTICAST:
        return this.mpls(r, depth);
      case ETHERTYPE_PPPOE_SESSION:
        // RFC 2516 §4: VER(4) TYPE(4) | CODE (1) | SESSION_ID (2) | LENGTH (2) | PPP payload
        r.skip(6, 'PPPoE header');
        return this.pppProtocol(r, r.u16('PPP protocol'), depth);
      case ETHERTYPE_TRANSPARENT_ETHERNET:
        return this.ethernet(r, depth);
      case ETHERTYPE_PPP:
        return this.ppp(r, depth);
      default:
        return this.drop('unsupported');
    }
  }

  /*
   * RFC 3032 §2.1 label stack entry:
   *   Label (20) | TC (3) | S (1) | TTL (8)      -- repeated until S (bottom of stack) is set
   * The payload has no type field: IPv4/IPv6 by the version nibble, 0 means a
   * pseudowire control word (RFC 4385) followed by Ethernet (RFC 4448).
   */
  private mpls(r: ByteReader, depth: number): TcpSegment | null {
    for (let i = 0; ; i++) {
      if (i >= MAX_MPLS_LABELS) return this.drop('too-deep');
      r.skip(2, 'MPLS label');
      const bottom = r.u8('MPLS label/S') & 0x01;
      r.skip(1, 'MPLS TTL');
      if (bottom) break;
    }
    const nibble = (r.peek() ?? 0xff) >> 4;
    if (nibble === 4) return this.ipv4(r, depth + 1);
    if (nibble === 6) return this.ipv6(r, depth + 1);
    if (nibble === 0) {
      r.skip(4, 'PW control word');
      return this.ethernet(r, depth + 1);
    }
    return this.drop('unsupported');
  }

  /*
   * BSD loopback (LINKTYPE_NULL / LINKTYPE_LOOP): a 4-byte address family.
   * NULL is in the capturing host's byte order, so either order is accepted (as
   * Wireshark: a value with its upper 16 bits set is byte-swapped). IPv6 is 24
   * (NetBSD/OpenBSD), 28 (FreeBSD) or 30 (Darwin); a value above 1500 is an EtherType.
   */
  private bsdLoopback(r: ByteReader, networkOrder: boolean): TcpSegment | null {
    let af = networkOrder ? r.u32('loopback AF') : r.u32le('loopback AF');
    if ((af & 0xffff0000) !== 0) af = swap32(af);
    if (af > 1500) return this.etherType(r, af, 1);
    switch (af) {
      case 2:
        return this.ipv4(r, 1);
      case 24:
      case 28:
      case 30:
        return this.ipv6(r, 1);
      default:
        return this.drop('unsupported');
    }
  }

  /** Raw IP: the version nibble says which. */
  private rawIp(r: ByteReader, depth: number): TcpSegment | null {
    const nibble = (r.peek() ?? 0) >> 4;
    if (nibble === 4) return this.ipv4(r, depth + 1);
    if (nibble === 6) return this.ipv6(r, depth + 1);
    return this.drop('unsupported');
  }

  /*
   * Linux cooked capture v1 (LINKTYPE_LINUX_SLL), 16 bytes:
   *   packet type (2) | ARPHRD type (2) | address length (2) | address (8) | protocol (2)
   * For ARPHRD_IPGRE (778) the protocol is a GRE protocol type, which for IP is the EtherType anyway.
   */
  private linuxSll(r: ByteReader): TcpSegment | null {
    r.skip(14, 'SLL header');
    return this.etherType(r, r.u16('SLL protocol'), 1);
  }

  /*
   * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2), 20 bytes:
   *   protocol (2) | reserved (2) | interface index (4) | ARPHRD type (2) |
   *   packet type (1) | address length (1) | address (8)
   */
  private linuxSll2(r: ByteReader): TcpSegment | null {
    const protocol = r.u16('SLL2 protocol');
    r.skip(18, 'SLL2 header');
    return this.etherType(r, protocol, 1);
  }

  /*
   * PPP in HDLC-like framing (RFC 1662): optional address 0xFF and control 0x03,
   * then the protocol, one byte when compressed (RFC 1661 §6.5: an odd first byte).
   */
  private ppp(r: ByteReader, depth: number): TcpSegment | null {
    if (r.peek() === 0xff && r.peek(1) === 0x03) r.skip(2, 'PPP address/control');
    const first = r.u8('PPP protocol');
    const protocol = first & 1 ? first : (first << 8) | r.u8('PPP protocol');
    return this.pppProtocol(r, protocol, depth);
  }

  private pppProtocol(r: ByteReader, protocol: number, depth: number): TcpSegment | null {
    if (protocol === 0x0021) return this.ipv4(r, depth + 1);
    if (protocol === 0x0057) return this.ipv6(r, depth + 1);
    return this.drop('unsupported');
  }

  /*
   * RFC 791 §3.1:
   *   Version (4) | IHL (4) | Type of Service (8) | Total Length (16)
   *   Identification (16) | Flags (3) | Fragment Offset (13)
   *   Time to Live (8) | Protocol (8) | Header Checksum (16)
   *   Source Address (32)
   *   Destination Address (32)
   *   Options (IHL*4 - 20 bytes)
   * Total Length bounds the datagram (trailers are not payload). A Total Length of
   * 0 is TCP segmentation offload on the capturing host: the packet's length is used
   * (as Wireshark does).
   */
  private ipv4(r: ByteReader, depth: number): TcpSegment | null {
    if (depth > MAX_DEPTH) return this.drop('too-deep');
    const start = r.position;
    const available = r.remaining;
    const onWire = this.onWire(r);
    const versionIhl = r.u8('IPv4 version/IHL');
    if (versionIhl >> 4 !== 4) return this.drop('malformed');
    const headerLength = (versionIhl & 0x0f) * 4;
    r.skip(1, 'IPv4 TOS');
    let totalLength = r.u16('IPv4 total length');
    if (totalLength === 0 || totalLength > onWire) totalLength = onWire;
    if (headerLength < 20 || totalLength < headerLength) return this.drop('malformed');
    const id = r.u16('IPv4 identification');
    const flagsOffset = r.u16('IPv4 flags/fragment offset');
    r.skip(1, 'IPv4 TTL');
    const protocol = r.u8('IPv4 protocol');
    r.skip(2, 'IPv4 checksum');
    const src = r.u32('IPv4 source');
    const dst = r.u32('IPv4 destination');
    r.skip(headerLength - 20, 'IPv4 options');

    const end = start + Math.min(totalLength, available);
    // The same reader, narrowed to the payload (the link layer reads nothing after it).
    let payload = r.reset(r.bytes, start + headerLength, end);
    let payloadLength = totalLength - headerLength;

    const more = (flagsOffset & 0x2000) !== 0;
    const fragmentOffset = (flagsOffset & 0x1fff) * 8;
    if (more || fragmentOffset !== 0) {
      if (payload.remaining < payloadLength) return this.drop('truncated');
      const key = `4 ${src} ${dst} ${protocol} ${id}`;
      const outcome = this.fragments.add(key, fragmentOffset, payload.rest(), more, this.nowNs);
      if (outcome.kind === 'pending') return this.drop('fragment-pending');
      if (outcome.kind === 'rejected') return this.drop('fragment-rejected');
      payload = new ByteReader(outcome.payload);
      payloadLength = outcome.payload.length;
      this.uncapturedTail = 0;
    }

    this.ipVersion = 4;
    this.srcHash = src;
    this.dstHash = dst;
    this.srcIp = this.addresses.ipv4(src);
    this.dstIp = this.addresses.ipv4(dst);
    this.ipPayloadLength = payloadLength;
    return this.ipPayload(payload, protocol, depth);
  }

  /*
   * RFC 8200 §3:
   *   Version (4) | Traffic Class (8) | Flow Label (20)
   *   Payload Length (16) | Next Header (8) | Hop Limit (8)
   *   Source Address (128)
   *   Destination Address (128)
   * then extension headers (§4), each naming the next:
   *   Hop-by-Hop / Routing / Destination Options / Mobility / HIP / Shim6:
   *     Next Header (8) | Hdr Ext Len (8, in 8-octet units, not counting the first) | ...
   *   Fragment (§4.5): Next Header (8) | Reserved (8) | Fragment Offset (13) | Res (2) | M (1) | Identification (32)
   *   AH (RFC 4302 §2): Next Header (8) | Payload Len (8, in 4-octet units minus 2) | ...
   * ESP (50) and No Next Header (59) end the walk.
   */
  private ipv6(r: ByteReader, depth: number): TcpSegment | null {
    if (depth > MAX_DEPTH) return this.drop('too-deep');
    const start = r.position;
    const available = r.remaining;
    const onWire = this.onWire(r);
    if ((r.u8('IPv6 version') >> 4) !== 6) return this.drop('malformed');
    r.skip(3, 'IPv6 traffic class/flow label');
    let payloadLength = r.u16('IPv6 payload length');
    let next = r.u8('IPv6 next header');
    r.skip(1, 'IPv6 hop limit');
    const bytes = r.bytes;
    const srcAt = r.position;
    r.skip(16, 'IPv6 source');
    const dstAt = r.position;
    r.skip(16, 'IPv6 destination');
    // 0 is a jumbogram (RFC 2675) or segmentation offload: the packet's length is used.
    if (payloadLength === 0 || payloadLength > onWire - 40) payloadLength = onWire - 40;
    const end = start + 40 + Math.min(payloadLength, available - 40);
    let p = r.reset(bytes, start + 40, end);
    let consumed = 0; // extension header bytes, to derive the upper layer's claimed length
    let reassembled = false;

    for (let i = 0; ; i++) {
      if (i >= MAX_IPV6_EXTENSIONS) return this.drop('too-deep');
      if (
        next === IPPROTO_HOPOPTS ||
        next === IPPROTO_ROUTING ||
        next === IPPROTO_DSTOPTS ||
        next === IPPROTO_MOBILITY ||
        next === IPPROTO_HIP ||
        next === IPPROTO_SHIM6
      ) {
        const nh = p.u8('IPv6 extension next header');
        const length = (p.u8('IPv6 extension length') + 1) * 8;
        p.skip(length - 2, 'IPv6 extension header');
        next = nh;
        consumed += length;
      } else if (next === IPPROTO_AH) {
        const nh = p.u8('AH next header');
        const length = (p.u8('AH payload length') + 2) * 4;
        p.skip(length - 2, 'AH');
        next = nh;
        consumed += length;
      } else if (next === IPPROTO_FRAGMENT) {
        const nh = p.u8('IPv6 fragment next header');
        p.skip(1, 'IPv6 fragment reserved');
        const offsetM = p.u16('IPv6 fragment offset/M');
        const id = p.u32('IPv6 fragment identification');
        consumed += 8;
        next = nh;
        const fragmentOffset = offsetM & 0xfff8;
        const more = (offsetM & 1) !== 0;
        if (fragmentOffset === 0 && !more) continue; // atomic fragment (RFC 6946)
        if (reassembled) return this.drop('fragment-rejected'); // a fragment inside a fragment
        const claimed = payloadLength - consumed;
        if (p.remaining < claimed) return this.drop('truncated');
        const key = `6 ${bytesKey(bytes, srcAt)} ${bytesKey(bytes, dstAt)} ${id}`;
        const outcome = this.fragments.add(key, fragmentOffset, p.rest(), more, this.nowNs);
        if (outcome.kind === 'pending') return this.drop('fragment-pending');
        if (outcome.kind === 'rejected') return this.drop('fragment-rejected');
        p = new ByteReader(outcome.payload);
        payloadLength = outcome.payload.length;
        this.uncapturedTail = 0;
        consumed = 0;
        reassembled = true;
      } else {
        break;
      }
    }

    this.ipVersion = 6;
    this.srcHash = ipv6Hash(bytes, srcAt);
    this.dstHash = ipv6Hash(bytes, dstAt);
    this.srcIp = this.addresses.ipv6(bytes, srcAt, this.srcHash);
    this.dstIp = this.addresses.ipv6(bytes, dstAt, this.dstHash);
    this.ipPayloadLength = payloadLength - consumed;
    return this.ipPayload(p, next, depth);
  }

  /** Bytes from the reader's position to the end of its window as they were on the wire. */
  private onWire(r: ByteReader): number {
    return r.remaining + (r.end === this.packetEnd && r.bytes === this.packetBytes ? this.uncapturedTail : 0);
  }

  private ipPayload(r: ByteReader, protocol: number, depth: number): TcpSegment | null {
    switch (protocol) {
      case IPPROTO_TCP:
        return this.tcp(r);
      case IPPROTO_UDP:
        return this.udp(r, depth);
      case IPPROTO_IPIP:
        return this.ipv4(r, depth + 1);
      case IPPROTO_IPV6:
        return this.ipv6(r, depth + 1);
      case IPPROTO_GRE:
        return this.gre(r, depth);
      case IPPROTO_MPLS_IN_IP:
        return this.mpls(r, depth);
      default:
        return this.drop('not-tcp');
    }
  }

  /*
   * RFC 768: Source Port (16) | Destination Port (16) | Length (16) | Checksum (16)
   * Followed only for the tunnels tshark decodes by default on their ports:
   * VXLAN (RFC 7348 §5) on 4789:  Flags (8) | Reserved (24) | VNI (24) | Reserved (8) | Ethernet
   * Geneve (RFC 8926 §3.4) on 6081:
   *   Ver (2) | Opt Len (6, 4-octet units) | O | C | Rsvd (6) | Protocol Type (16) | VNI (24) | Reserved (8) | options
   */
  private udp(r: ByteReader, depth: number): TcpSegment | null {
    const srcPort = r.u16('UDP source port');
    const dstPort = r.u16('UDP destination port');
    const length = r.u16('UDP length');
    r.skip(2, 'UDP checksum');
    const body = length >= 8 ? Math.min(length - 8, r.remaining) : r.remaining;
    const p = r.sub(body, 'UDP payload');
    if (dstPort === UDP_PORT_VXLAN || srcPort === UDP_PORT_VXLAN) {
      p.skip(8, 'VXLAN header');
      return this.ethernet(p, depth + 1);
    }
    if (dstPort === UDP_PORT_GENEVE || srcPort === UDP_PORT_GENEVE) {
      const optionsLength = (p.u8('Geneve version/options length') & 0x3f) * 4;
      p.skip(1, 'Geneve flags');
      const protocol = p.u16('Geneve protocol type');
      p.skip(4 + optionsLength, 'Geneve VNI/options');
      return this.etherType(p, protocol, depth + 1);
    }
    if (dstPort === UDP_PORT_GTP_U || srcPort === UDP_PORT_GTP_U) return this.gtpU(p, depth);
    return this.drop('not-tcp');
  }

  /*
   * GTPv1-U (3GPP TS 29.281 §5.1):
   *   Version (3) | PT (1) | * (1) | E (1) | S (1) | PN (1) | Message Type (8) | Length (16)
   *   TEID (32)
   *   [Sequence Number (16) | N-PDU Number (8) | Next Extension Header Type (8)]   if E, S or PN
   *   extension headers: Length (8, 4-octet units) | contents | Next Extension Header Type (8)
   * A G-PDU (type 255) carries an IP packet (the version nibble says which).
   */
  private gtpU(r: ByteReader, depth: number): TcpSegment | null {
    const flags = r.u8('GTP flags');
    const type = r.u8('GTP message type');
    r.skip(6, 'GTP length/TEID');
    if (flags >> 5 !== 1 || type !== 0xff) return this.drop('not-tcp');
    if (flags & 0x07) {
      r.skip(3, 'GTP sequence/N-PDU');
      let next = r.u8('GTP next extension type');
      for (let i = 0; next !== 0; i++) {
        if (i >= MAX_IPV6_EXTENSIONS) return this.drop('too-deep');
        const length = r.u8('GTP extension length') * 4;
        if (length === 0) return this.drop('malformed');
        r.skip(length - 2, 'GTP extension');
        next = r.u8('GTP next extension type');
      }
    }
    return this.rawIp(r, depth);
  }

  /*
   * GRE, RFC 2784 §2.1 with RFC 2890 §2 keys and sequence numbers:
   *   C (1) | R (1) | K (1) | S (1) | Reserved0 (9) | Ver (3) | Protocol Type (16)
   *   [Checksum (16) | Reserved1 (16)]   if C (or R)
   *   [Key (32)]                         if K
   *   [Sequence Number (32)]             if S
   * Version 1 is PPTP's enhanced GRE (RFC 2637 §4.1): Key always, then optional
   * Sequence (S) and Acknowledgment (A, 0x0080) numbers, carrying PPP.
   * ERSPAN: type II (0x88BE) has an 8-byte header when S is set (type I none);
   * type III (0x22EB) a 12-byte header, plus 8 platform bytes when its O bit is set.
   */
  private gre(r: ByteReader, depth: number): TcpSegment | null {
    const flags = r.u16('GRE flags/version');
    const protocol = r.u16('GRE protocol type');
    const version = flags & 0x7;
    const sequence = (flags & 0x1000) !== 0;
    if (version === 0) {
      if (flags & 0x4000) return this.drop('unsupported'); // source routing (RFC 1701), obsolete
      if (flags & 0x8000) r.skip(4, 'GRE checksum');
      if (flags & 0x2000) r.skip(4, 'GRE key');
      if (sequence) r.skip(4, 'GRE sequence');
    } else if (version === 1) {
      r.skip(4, 'GRE key (payload length, call ID)');
      if (sequence) r.skip(4, 'GRE sequence');
      if (flags & 0x0080) r.skip(4, 'GRE acknowledgment');
      if (protocol === ETHERTYPE_PPP) return this.ppp(r, depth + 1);
      return this.drop('unsupported');
    } else {
      return this.drop('unsupported');
    }
    if (protocol === ETHERTYPE_ERSPAN_II) {
      if (sequence) r.skip(8, 'ERSPAN II header');
      return this.ethernet(r, depth + 1);
    }
    if (protocol === ETHERTYPE_ERSPAN_III) {
      r.skip(11, 'ERSPAN III header');
      if (r.u8('ERSPAN III flags') & 0x01) r.skip(8, 'ERSPAN III platform subheader');
      return this.ethernet(r, depth + 1);
    }
    return this.etherType(r, protocol, depth + 1);
  }

  /*
   * RFC 9293 §3.1:
   *   Source Port (16) | Destination Port (16)
   *   Sequence Number (32)
   *   Acknowledgment Number (32)
   *   Data Offset (4) | Reserved (4) | CWR ECE URG ACK PSH RST SYN FIN (8) | Window (16)
   *   Checksum (16) | Urgent Pointer (16)
   *   Options (Data Offset*4 - 20 bytes)
   */
  private tcp(r: ByteReader): TcpSegment | null {
    const srcPort = r.u16('TCP source port');
    const dstPort = r.u16('TCP destination port');
    const seq = r.u32('TCP sequence number');
    const ack = r.u32('TCP acknowledgment number');
    const headerLength = (r.u8('TCP data offset') >> 4) * 4;
    const flags = r.u8('TCP flags');
    const window = r.u16('TCP window');
    r.skip(4, 'TCP checksum/urgent pointer');
    if (headerLength < 20) return this.drop('malformed');
    r.skip(headerLength - 20, 'TCP options');
    const payloadStart = r.position;
    const payloadEnd = r.end;
    const captured = payloadEnd - payloadStart;
    const claimed = this.ipPayloadLength - headerLength;
    const seg = this.segment;
    seg.ipVersion = this.ipVersion;
    seg.srcIp = this.srcIp;
    seg.dstIp = this.dstIp;
    seg.srcAddrHash = this.srcHash;
    seg.dstAddrHash = this.dstHash;
    seg.srcPort = srcPort;
    seg.dstPort = dstPort;
    seg.seq = seq;
    seg.ack = ack;
    seg.flags = flags;
    seg.window = window;
    seg.setPayload(r.bytes, payloadStart, payloadEnd);
    seg.payloadLength = claimed > captured ? claimed : captured;
    return seg;
  }
}

/** An IPv4 header without options and a TCP header without options. */
const PLAIN_IPV4_TCP_MIN_BYTES = 40;

/** Big-endian 32 bits at `at` (the caller checked the bounds). */
function u32At(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** A compact key for a 16-byte address (fragments only: rare enough for strings). */
function bytesKey(b: Uint8Array, offset: number): string {
  let s = '';
  for (let i = 0; i < 16; i += 4) {
    s += (((b[offset + i]! << 24) | (b[offset + i + 1]! << 16) | (b[offset + i + 2]! << 8) | b[offset + i + 3]!) >>> 0).toString(36) + '.';
  }
  return s;
}
