/**
 * The on-the-wire length of a packet that libpcap cut at cap's fixed 65535-byte
 * snap length. cap 0.2.1 reports only the captured length (pcap_pkthdr.len is
 * lost), so for a packet that filled the snap length the IP header's own length
 * says how long it really was (loopback's 64 KiB MTU makes such frames real).
 */
import { ByteReader } from '../electron/core/bytes/byte-reader';
import { LinkType } from '../electron/core/capture/packet';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;

/** `capturedLength`, or the longer length the IP header declares when the packet may have been cut. */
export function originalLengthOf(linkType: number, data: Uint8Array, capturedLength: number, snaplen: number): number {
  if (capturedLength < snaplen) return capturedLength;
  try {
    const ip = ipStart(linkType, data, capturedLength);
    if (ip === null) return capturedLength;
    const r = new ByteReader(data, ip.offset, capturedLength);
    let ipLength: number;
    if (ip.version === 4) {
      // IPv4: Version/IHL (8) | DSCP/ECN (8) | Total Length (16) ...
      r.skip(2);
      ipLength = r.u16();
    } else {
      // IPv6: Version/Class/Flow (32) | Payload Length (16) ... ; header 40 bytes
      r.skip(4);
      ipLength = 40 + r.u16();
    }
    return Math.max(capturedLength, ip.offset + ipLength);
  } catch {
    return capturedLength;
  }
}

function ipStart(linkType: number, data: Uint8Array, length: number): { offset: number; version: 4 | 6 } | null {
  const u16 = (o: number): number => (o + 2 <= length ? (data[o]! << 8) | data[o + 1]! : -1);
  const byType = (type: number, offset: number): { offset: number; version: 4 | 6 } | null =>
    type === ETHERTYPE_IPV4 ? { offset, version: 4 } : type === ETHERTYPE_IPV6 ? { offset, version: 6 } : null;
  switch (linkType) {
    case LinkType.ETHERNET: {
      let type = u16(12);
      let offset = 14;
      if (type === ETHERTYPE_VLAN) {
        type = u16(16);
        offset = 18;
      }
      return byType(type, offset);
    }
    case LinkType.LINUX_SLL:
      return byType(u16(14), 16);
    case LinkType.LINUX_SLL2:
      return byType(u16(0), 20);
    case LinkType.NULL:
    case LinkType.LOOP:
    case LinkType.RAW: {
      const offset = linkType === LinkType.RAW ? 0 : 4;
      const version = offset < length ? data[offset]! >> 4 : 0;
      return version === 4 ? { offset, version: 4 } : version === 6 ? { offset, version: 6 } : null;
    }
    default:
      return null;
  }
}
