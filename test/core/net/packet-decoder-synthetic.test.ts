import { describe, expect, it } from 'vitest';
import { CapturedPacket } from '../../../electron/core/capture/captured-packet';
import { PacketDecoder } from '../../../electron/core/net/packet-decoder';
import { concat, ethernet, ipv4, ipv6, packet, tcp, u16, u32, udp, vlanTag, ascii } from './support/build-packet';

const payload = ascii('hello, world');
const segment = tcp({ sport: 40000, dport: 443, seq: 0xfffffff0, ack: 7, flags: 0x18, payload });

function decodeOne(linkType: number, data: Uint8Array, originalLength?: number) {
  const d = new PacketDecoder();
  return { seg: d.decode(packet(linkType, data, 1_000_000_000n, originalLength)), drops: d.drops };
}

describe('PacketDecoder link layers', () => {
  it('decodes Ethernet/IPv4/TCP with unsigned 32-bit sequence numbers', () => {
    const { seg } = decodeOne(1, ethernet(0x0800, ipv4(segment)));
    expect(seg).toMatchObject({
      ipVersion: 4, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000, dstPort: 443,
      seq: 0xfffffff0, ack: 7, flags: 0x18, payloadLength: payload.length,
    });
    expect(Array.from(seg!.payload)).toEqual(Array.from(payload));
  });

  it('ignores Ethernet padding and FCS after the IP total length', () => {
    const small = tcp({ payload: new Uint8Array(0) });
    const frame = concat(ethernet(0x0800, ipv4(small)), new Uint8Array(6), u32(0xdeadbeef));
    const { seg } = decodeOne(1, frame);
    expect(seg!.payload.length).toBe(0);
    expect(seg!.payloadLength).toBe(0);
  });

  it('follows 802.1Q, QinQ (0x88a8, 0x9100) tags', () => {
    for (const outer of [0x8100, 0x88a8, 0x9100]) {
      const frame = concat(
        Uint8Array.of(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6),
        vlanTag(0x8100, vlanTag(0x0800, ipv4(segment)).subarray(2), outer),
      );
      expect(decodeOne(1, frame).seg?.dstPort).toBe(443);
    }
  });

  it('follows PPPoE sessions to IPv4 and IPv6', () => {
    const pppoe = (proto: number, ip: Uint8Array) => concat(Uint8Array.of(0x11, 0), u16(1), u16(ip.length + 2), u16(proto), ip);
    expect(decodeOne(1, ethernet(0x8864, pppoe(0x0021, ipv4(segment)))).seg?.srcIp).toBe('10.0.0.1');
    expect(decodeOne(1, ethernet(0x8864, pppoe(0x0057, ipv6(segment)))).seg?.srcIp).toBe('2001:db8::1');
  });

  it('decodes Linux cooked v1 and v2', () => {
    const sll = concat(u16(0), u16(1), u16(6), new Uint8Array(8), u16(0x86dd), ipv6(segment));
    expect(decodeOne(113, sll).seg?.dstIp).toBe('2001:db8::2');
    const sll2 = concat(u16(0x0800), u16(0), u32(3), u16(1), Uint8Array.of(0, 6), new Uint8Array(8), ipv4(segment));
    expect(decodeOne(276, sll2).seg?.dstIp).toBe('10.0.0.2');
  });

  it('decodes raw IP link types 101, 228 and 229', () => {
    expect(decodeOne(101, ipv6(segment)).seg?.ipVersion).toBe(6);
    expect(decodeOne(101, ipv4(segment)).seg?.ipVersion).toBe(4);
    expect(decodeOne(228, ipv4(segment)).seg?.ipVersion).toBe(4);
    expect(decodeOne(229, ipv6(segment)).seg?.ipVersion).toBe(6);
  });

  it('decodes BSD loopback address families in either byte order', () => {
    const le = (v: number) => Uint8Array.of(v & 0xff, (v >> 8) & 0xff, 0, 0);
    expect(decodeOne(0, concat(le(2), ipv4(segment))).seg?.ipVersion).toBe(4);
    expect(decodeOne(0, concat(u32(2), ipv4(segment))).seg?.ipVersion).toBe(4);
    for (const af of [24, 28, 30]) {
      expect(decodeOne(0, concat(le(af), ipv6(segment))).seg?.ipVersion).toBe(6);
      expect(decodeOne(0, concat(u32(af), ipv6(segment))).seg?.ipVersion).toBe(6);
      expect(decodeOne(108, concat(u32(af), ipv6(segment))).seg?.ipVersion).toBe(6);
    }
  });

  it('follows an MPLS label stack, GRE, VXLAN and Geneve to the innermost TCP', () => {
    const inner = ipv4(segment, { src: '192.168.1.1', dst: '192.168.1.2' });
    const mpls = concat(u32(0x00001040), u32(0x00002140), inner); // two labels, S on the second
    expect(decodeOne(1, ethernet(0x8847, mpls)).seg?.srcIp).toBe('192.168.1.1');

    const gre = concat(u16(0x2000), u16(0x0800), u32(42), inner); // with a key
    expect(decodeOne(1, ethernet(0x0800, ipv4(gre, { protocol: 47 }))).seg?.srcIp).toBe('192.168.1.1');

    const vxlan = udp(50000, 4789, concat(Uint8Array.of(8, 0, 0, 0, 0, 0, 1, 0), ethernet(0x0800, inner)));
    expect(decodeOne(1, ethernet(0x0800, ipv4(vxlan, { protocol: 17 }))).seg?.srcIp).toBe('192.168.1.1');

    const geneve = udp(50000, 6081, concat(Uint8Array.of(1, 0), u16(0x6558), u32(0x100), u32(0), ethernet(0x0800, inner)));
    expect(decodeOne(1, ethernet(0x0800, ipv4(geneve, { protocol: 17 }))).seg?.srcIp).toBe('192.168.1.1');

    const sixInFour = ipv4(ipv6(segment, { src: 'fe80::1' }), { protocol: 41 });
    expect(decodeOne(1, ethernet(0x0800, sixInFour)).seg?.srcIp).toBe('fe80::1');
  });

  it('skips IPv4 options and IPv6 extension headers (hop-by-hop, routing, destination options, AH)', () => {
    const opts = Uint8Array.of(1, 1, 1, 0); // NOP NOP NOP EOL
    expect(decodeOne(101, ipv4(segment, { options: opts })).seg?.payloadLength).toBe(payload.length);
    const hop = concat(Uint8Array.of(43, 0), new Uint8Array(6));
    const routing = concat(Uint8Array.of(60, 0), new Uint8Array(6));
    const dst = concat(Uint8Array.of(51, 1), new Uint8Array(14));
    const ah = concat(Uint8Array.of(6, 1), new Uint8Array(10)); // (1+2)*4 = 12 bytes
    const { seg } = decodeOne(101, ipv6(concat(hop, routing, dst, ah, segment), { nextHeader: 0 }));
    expect(seg?.dstPort).toBe(443);
    expect(seg?.payloadLength).toBe(payload.length);
  });

  it('stops at ESP and at non-TCP protocols', () => {
    const d = new PacketDecoder();
    expect(d.decode(packet(101, ipv6(new Uint8Array(32), { nextHeader: 50 })))).toBeNull();
    expect(d.decode(packet(101, ipv4(udp(1, 53, new Uint8Array(4)), { protocol: 17 })))).toBeNull();
    expect(d.drops['not-tcp']).toBe(2);
  });
});

describe('PacketDecoder with hostile input', () => {
  it('returns null for every truncation of a valid packet, never throwing', () => {
    const full = ethernet(0x8100, concat(u16(5), u16(0x86dd), ipv6(concat(Uint8Array.of(6, 0), new Uint8Array(6), segment), { nextHeader: 60 })));
    const d = new PacketDecoder();
    for (let n = 0; n < full.length; n++) {
      const seg = d.decode(packet(1, full.subarray(0, n), 1n, full.length));
      // Once the TCP header is complete, a short capture is a segment with fewer captured bytes.
      if (seg !== null) expect(seg.payloadLength).toBe(payload.length);
    }
    expect(d.drops.internal).toBe(0);
    expect(d.drops.truncated).toBeGreaterThan(50);
  });

  it('clamps an IPv4 total length that lies beyond the packet to the wire length (as tshark)', () => {
    const lying = ipv4(segment, { totalLength: 4148 });
    const { seg } = decodeOne(101, lying);
    expect(seg?.payloadLength).toBe(payload.length);
    expect(seg?.payload.length).toBe(payload.length);
  });

  it('counts a snap-length cut: payloadLength is the claimed length, payload what was captured', () => {
    const full = ipv4(segment);
    const { seg } = decodeOne(101, full.subarray(0, full.length - 5), full.length);
    expect(seg?.payloadLength).toBe(payload.length);
    expect(seg?.payload.length).toBe(payload.length - 5);
  });

  it('reads a capture reader\'s packet where it lies in the chunk, as a packet of its own', () => {
    // A CapturedPacket is a window of a larger chunk (bytes before and after it);
    // the snap-length cut must be measured at the window's end, not the chunk's.
    const full = ipv4(segment);
    const cut = full.subarray(0, full.length - 5);
    for (const [data, originalLength] of [[full, full.length], [cut, full.length]] as const) {
      const chunk = concat(new Uint8Array(37).fill(0x45), data, new Uint8Array(23).fill(0x45));
      const p = new CapturedPacket();
      p.linkType = 101;
      p.originalLength = originalLength;
      p.setBytes(chunk, 37, 37 + data.length);
      const windowed = new PacketDecoder().decode(p);
      const alone = decodeOne(101, data, originalLength).seg;
      expect(windowed).toMatchObject({ srcPort: 40000, dstPort: 443, seq: 0xfffffff0, payloadLength: alone!.payloadLength });
      expect(Array.from(windowed!.payload)).toEqual(Array.from(data === full ? payload : payload.subarray(0, payload.length - 5)));
      expect(Array.from(p.data)).toEqual(Array.from(data));
    }
  });

  it('treats a total length of 0 as segmentation offload (the packet length)', () => {
    expect(decodeOne(101, ipv4(segment, { totalLength: 0 })).seg?.payloadLength).toBe(payload.length);
  });

  it('rejects impossible header lengths', () => {
    const d = new PacketDecoder();
    const badIhl = ipv4(segment);
    badIhl[0] = 0x44;
    expect(d.decode(packet(101, badIhl))).toBeNull();
    const badDataOffset = ipv4(tcp({ payload }));
    badDataOffset[20 + 12] = 0x40;
    expect(d.decode(packet(101, badDataOffset))).toBeNull();
    const shortTotal = ipv4(segment, { totalLength: 12 });
    expect(d.decode(packet(101, shortTotal))).toBeNull();
    expect(d.drops.malformed).toBe(3);
  });

  it('bounds nesting: a tower of IP-in-IP headers is dropped, not followed forever', () => {
    let p: Uint8Array = segment;
    for (let i = 0; i < 40; i++) p = ipv4(p, { protocol: i === 0 ? 6 : 4 });
    const d = new PacketDecoder();
    expect(d.decode(packet(101, p))).toBeNull();
    expect(d.drops['too-deep']).toBe(1);
  });

  it('bounds MPLS label stacks without a bottom', () => {
    const d = new PacketDecoder();
    const labels = concat(...Array.from({ length: 40 }, () => u32(0x00001000)));
    expect(d.decode(packet(1, ethernet(0x8847, concat(labels, ipv4(segment)))))).toBeNull();
    expect(d.drops['too-deep']).toBe(1);
  });
});
