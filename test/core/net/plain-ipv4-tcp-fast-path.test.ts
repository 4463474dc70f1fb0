/**
 * The decoder reads plain Ethernet/IPv4/TCP packets in place (plainIpv4Tcp)
 * and everything else through the bounds-checked reader. The two must agree:
 * each packet of the net fixtures, and mutations of them that hit every
 * condition of the fast path (options, fragments, lengths that lie, short
 * captures), is decoded as it is and again behind an 802.1Q tag, which only
 * the general path follows; segments and drop counts must be the same.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Packet } from '../../../electron/core/capture/packet';
import { PacketDecoder } from '../../../electron/core/net/packet-decoder';
import type { TcpSegment } from '../../../electron/core/net/tcp-segment';
import { readCapture } from './support/read-capture';
import { seededRandom } from '../../support/fuzz-mutations';

const dir = join(__dirname, '../../fixtures/net');
const captures = readdirSync(dir).filter((n) => /\.pcap(ng)?$/.test(n));

/** The same frame with an 802.1Q tag after the MAC addresses. */
function tagged(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, 12));
  out.set([0x81, 0x00, 0x00, 0x07], 12);
  out.set(frame.subarray(12), 16);
  return out;
}

function facts(seg: TcpSegment | null): unknown {
  if (seg === null) return null;
  const { srcIp, dstIp, srcAddrHash, dstAddrHash, srcPort, dstPort, seq, ack, flags, window, payloadLength } = seg;
  return { srcIp, dstIp, srcAddrHash, dstAddrHash, srcPort, dstPort, seq, ack, flags, window, payloadLength, payload: Array.from(seg.payload) };
}

/** Decodes `data` both ways and expects the same; says whether it was TCP. */
function compare(data: Uint8Array, originalLength: number, plain: PacketDecoder, general: PacketDecoder): boolean {
  const p: Packet = { frame: 1, interfaceId: 0, linkType: 1, timestampNs: 0n, data, originalLength };
  const a = facts(plain.decode(p));
  const b = facts(general.decode({ ...p, data: tagged(data), originalLength: originalLength + 4 }));
  expect(a).toEqual(b);
  expect(plain.drops).toEqual(general.drops);
  return a !== null;
}

describe('plain IPv4/TCP fast path', () => {
  const ethernet = captures.flatMap((name) => readCapture(join(dir, name)).filter((p) => p.linkType === 1 && p.data.length >= 14));

  it('decodes the fixtures\' Ethernet packets as the general path does', () => {
    expect(ethernet.length).toBeGreaterThan(500);
    const plain = new PacketDecoder();
    const general = new PacketDecoder();
    let tcp = 0;
    for (const p of ethernet) if (compare(p.data, p.originalLength, plain, general)) tcp++;
    expect(tcp).toBeGreaterThan(300);
  });

  it('agrees on mutated headers (IHL, flags, fragment offset, lengths, protocol, data offset) and cut captures', () => {
    const random = seededRandom(20261127);
    const plain = new PacketDecoder({ fragments: { maxDatagrams: 16 } });
    const general = new PacketDecoder({ fragments: { maxDatagrams: 16 } });
    // Byte offsets in the frame: IPv4 version/IHL, total length, flags/offset, protocol; TCP data offset.
    const targets = [14, 16, 17, 20, 21, 23, 46];
    for (let round = 0; round < 20; round++) {
      for (const p of ethernet) {
        const data = p.data.slice();
        const at = targets[Math.floor(random() * targets.length)]!;
        if (at < data.length) data[at] = Math.floor(random() * 256);
        const cut = random() < 0.3 ? 14 + Math.floor(random() * (data.length - 14)) : data.length;
        compare(data.subarray(0, cut), random() < 0.5 ? p.originalLength : cut, plain, general);
      }
    }
  });
});
