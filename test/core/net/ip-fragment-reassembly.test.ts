import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../../electron/core/net/packet-decoder';
import { IpFragmentReassembler } from '../../../electron/core/net/ip-fragment-reassembler';
import { ascii, concat, ipv4, ipv6, packet, tcp, u16, u32 } from './support/build-packet';

const text = 'The quick brown fox jumps over the lazy dog, again and again and again.';
const datagram = tcp({ sport: 1234, dport: 443, seq: 77, payload: ascii(text) }); // 20 + 71 bytes

/** IPv4 fragments of `datagram` cut at the given byte offsets (multiples of 8). */
function v4Fragments(cuts: number[], id = 9): Uint8Array[] {
  const bounds = [0, ...cuts, datagram.length];
  return bounds.slice(0, -1).map((start, i) =>
    ipv4(datagram.subarray(start, bounds[i + 1]), { id, fragmentOffset: start, moreFragments: i < bounds.length - 2 }),
  );
}

function payloadText(seg: { payload: Uint8Array } | null): string | undefined {
  return seg === null ? undefined : String.fromCharCode(...seg.payload);
}

describe('IPv4 fragment reassembly', () => {
  it('reports the datagram at the frame that completes it, in any arrival order', () => {
    for (const order of [[0, 1, 2], [2, 0, 1], [1, 2, 0]]) {
      const frags = v4Fragments([24, 56]);
      const d = new PacketDecoder();
      const results = order.map((i) => d.decode(packet(101, frags[i]!)));
      expect(results.slice(0, 2)).toEqual([null, null]);
      expect(payloadText(results[2]!)).toBe(text);
      expect(results[2]!.seq).toBe(77);
      expect(d.drops['fragment-pending']).toBe(2);
      expect(d.pendingFragments).toBe(0);
    }
  });

  it('resolves overlaps as tshark does: the lower offset wins, whatever the arrival order', () => {
    // Checked with tshark 4.0.17 on the same three fragments in both orders.
    const forged = datagram.slice(24, 56).fill(0x58); // "XXX...", overlapping the first fragment's 24..40
    const first = ipv4(datagram.subarray(0, 40), { fragmentOffset: 0, moreFragments: true });
    const overlapping = ipv4(forged, { fragmentOffset: 24, moreFragments: true });
    const last = ipv4(datagram.subarray(56), { fragmentOffset: 56 });
    const expected = 'The quick brown fox ' + 'X'.repeat(16) + text.slice(36);
    for (const order of [[first, overlapping, last], [overlapping, first, last]]) {
      const d = new PacketDecoder();
      const results = order.map((f) => d.decode(packet(101, f)));
      expect(payloadText(results[2]!)).toBe(expected);
    }
  });

  it('keeps fragments of different datagrams apart (identification, addresses)', () => {
    const d = new PacketDecoder();
    const a = v4Fragments([32], 1);
    const b = v4Fragments([32], 2);
    expect(d.decode(packet(101, a[0]!))).toBeNull();
    expect(d.decode(packet(101, b[1]!))).toBeNull();
    expect(d.decode(packet(101, b[0]!))?.seq).toBe(77);
    expect(d.decode(packet(101, a[1]!))?.seq).toBe(77);
  });

  it('rejects a fragment reaching past 65535 bytes', () => {
    const d = new PacketDecoder();
    expect(d.decode(packet(101, ipv4(new Uint8Array(64), { fragmentOffset: 65528, moreFragments: false })))).toBeNull();
    expect(d.drops['fragment-rejected']).toBe(1);
  });

  it('bounds memory under a flood of fragments that never complete', () => {
    const d = new PacketDecoder({ fragments: { maxDatagrams: 50 } });
    for (let id = 0; id < 10_000; id++) {
      d.decode(packet(101, ipv4(new Uint8Array(512), { id, fragmentOffset: 0, moreFragments: true })));
    }
    expect(d.pendingFragments).toBeLessThanOrEqual(50);
    // one datagram with endless fragments is cut off too
    for (let i = 0; i < 1000; i++) {
      d.decode(packet(101, ipv4(new Uint8Array(8), { id: 99_999 & 0xffff, fragmentOffset: (i * 8) % 60000, moreFragments: true })));
    }
    expect(d.drops['fragment-rejected']).toBeGreaterThan(0);
  });

  it('drops unfinished datagrams older than the timeout (capture time)', () => {
    const r = new IpFragmentReassembler({ timeoutNs: 1000n });
    expect(r.add('k', 0, new Uint8Array(8), true, 0n).kind).toBe('pending');
    expect(r.add('other', 0, new Uint8Array(8), true, 5000n).kind).toBe('pending');
    expect(r.pendingCount).toBe(1);
    // the rest of 'k' now starts a fresh datagram that lacks its first part
    expect(r.add('k', 8, new Uint8Array(8), false, 5001n).kind).toBe('pending');
  });
});

describe('IPv6 fragment reassembly', () => {
  /** Fragment header: Next Header, Reserved, Offset|M, Identification. */
  const fragHeader = (offset: number, more: boolean, id: number) => concat(Uint8Array.of(6, 0), u16(offset | (more ? 1 : 0)), u32(id));

  it('reassembles fragments behind the Fragment header, after a hop-by-hop header', () => {
    const hop = concat(Uint8Array.of(44, 0), new Uint8Array(6));
    const first = ipv6(concat(hop, fragHeader(0, true, 0xabcdef), datagram.subarray(0, 48)), { nextHeader: 0 });
    const second = ipv6(concat(hop, fragHeader(48, false, 0xabcdef), datagram.subarray(48)), { nextHeader: 0 });
    const d = new PacketDecoder();
    expect(d.decode(packet(229, second))).toBeNull();
    const seg = d.decode(packet(229, first));
    expect(payloadText(seg)).toBe(text);
    expect(seg?.srcIp).toBe('2001:db8::1');
  });

  it('treats an atomic fragment (offset 0, no more) as the whole packet', () => {
    const d = new PacketDecoder();
    const seg = d.decode(packet(229, ipv6(concat(fragHeader(0, false, 5), datagram), { nextHeader: 44 })));
    expect(payloadText(seg)).toBe(text);
  });
});
