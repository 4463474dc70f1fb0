/**
 * The TCP connection hash (`flowHash`) of a packet, read straight from its
 * headers without decoding it, for the common forms only: Ethernet II or raw
 * IP, an unfragmented IPv4 datagram or an IPv6 one without extension headers,
 * carrying TCP. For anything else (VLAN tags, tunnels, fragments, other link
 * types, truncated headers) it says -1: decode the packet to know.
 *
 * A sharded analyzer (several threads, each analyzing the connections of its
 * hash shard) uses it to pass over the other shards' packets cheaply. It must
 * never name a hash the full decoder would not give: it reads the same fields
 * (addresses as `TcpSegment.srcAddrHash` has them, then the ports).
 */
import { ByteReader, ParseError } from '../bytes/byte-reader';
import { ipv6Hash } from './ip-address-text';
import { endpointPairHash } from './tcp-connection-table';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;

export class TcpFlowPeek {
  private readonly r = new ByteReader(new Uint8Array(0));

  /** The packet's flowHash, or -1 when only decoding it can tell; the packet is `data[start, end)`. */
  flowHash(data: Uint8Array, linkType: number, start = 0, end = data.length): number {
    try {
      const r = this.r.reset(data, start, end);
      switch (linkType) {
        case 1: {
          // Ethernet II: destination MAC (6) | source MAC (6) | EtherType (2)
          r.skip(12, 'Ethernet addresses');
          const type = r.u16('EtherType');
          if (type === ETHERTYPE_IPV4) return this.ipv4(r);
          if (type === ETHERTYPE_IPV6) return this.ipv6(r);
          return -1;
        }
        case 101: // LINKTYPE_RAW, and DLT_RAW as some systems write it
        case 12:
        case 14: {
          const version = (r.peek() ?? 0) >> 4;
          return version === 4 ? this.ipv4(r) : version === 6 ? this.ipv6(r) : -1;
        }
        case 228:
          return this.ipv4(r);
        case 229:
          return this.ipv6(r);
        default:
          return -1;
      }
    } catch (e) {
      if (e instanceof ParseError) return -1;
      throw e;
    }
  }

  /*
   * RFC 791: Version (4) | IHL (4) | TOS (8) | Total Length (16) | Identification (16)
   *   | Flags (3) | Fragment Offset (13) | TTL (8) | Protocol (8) | Checksum (16)
   *   | Source (32) | Destination (32) | Options; then TCP: Source Port (16) | Destination Port (16)
   */
  private ipv4(r: ByteReader): number {
    const start = r.position;
    const versionIhl = r.u8('IPv4 version/IHL');
    const headerLength = (versionIhl & 0x0f) * 4;
    if (versionIhl >> 4 !== 4 || headerLength < 20) return -1;
    r.skip(5, 'IPv4 TOS/length/identification');
    const flagsOffset = r.u16('IPv4 flags/fragment offset');
    if ((flagsOffset & 0x3fff) !== 0) return -1; // a fragment: reassembly decides
    r.skip(1, 'IPv4 TTL');
    if (r.u8('IPv4 protocol') !== IPPROTO_TCP) return -1;
    r.skip(2, 'IPv4 checksum');
    const src = r.u32('IPv4 source');
    const dst = r.u32('IPv4 destination');
    r.skip(start + headerLength - r.position, 'IPv4 options');
    return endpointPairHash(src, r.u16('TCP source port'), dst, r.u16('TCP destination port'));
  }

  /*
   * RFC 8200: Version (4) | Traffic Class (8) | Flow Label (20) | Payload Length (16)
   *   | Next Header (8) | Hop Limit (8) | Source (128) | Destination (128); TCP right after.
   */
  private ipv6(r: ByteReader): number {
    const start = r.position;
    if (r.u8('IPv6 version') >> 4 !== 6) return -1;
    r.skip(5, 'IPv6 traffic class/flow label/payload length');
    if (r.u8('IPv6 next header') !== IPPROTO_TCP) return -1;
    r.skip(33, 'IPv6 hop limit and addresses');
    const bytes = r.bytes;
    return endpointPairHash(ipv6Hash(bytes, start + 8), r.u16('TCP source port'), ipv6Hash(bytes, start + 24), r.u16('TCP destination port'));
  }
}
