/** Hand-built packets for the net-layer tests: each function returns the bytes of one layer. */
import type { Packet } from '../../../../electron/core/capture/packet';

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function u16(v: number): Uint8Array {
  return Uint8Array.of(v >> 8, v & 0xff);
}

export function u32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export interface TcpFields {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: Uint8Array;
  payload?: Uint8Array;
}

export function tcp(f: TcpFields = {}): Uint8Array {
  const options = f.options ?? new Uint8Array(0);
  const hl = 20 + options.length;
  return concat(
    u16(f.sport ?? 40000),
    u16(f.dport ?? 443),
    u32(f.seq ?? 1000),
    u32(f.ack ?? 0),
    Uint8Array.of((hl / 4) << 4, f.flags ?? 0x18),
    u16(f.window ?? 65535),
    u16(0),
    u16(0),
    options,
    f.payload ?? new Uint8Array(0),
  );
}

export interface Ipv4Fields {
  src?: string;
  dst?: string;
  protocol?: number;
  id?: number;
  /** Fragment offset in bytes (multiple of 8). */
  fragmentOffset?: number;
  moreFragments?: boolean;
  options?: Uint8Array;
  /** Override the Total Length field. */
  totalLength?: number;
}

function ipv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

export function ipv4(payload: Uint8Array, f: Ipv4Fields = {}): Uint8Array {
  const options = f.options ?? new Uint8Array(0);
  const hl = 20 + options.length;
  const flagsOffset = ((f.moreFragments ? 0x2000 : 0) | ((f.fragmentOffset ?? 0) / 8)) & 0xffff;
  return concat(
    Uint8Array.of(0x40 | (hl / 4), 0),
    u16(f.totalLength ?? hl + payload.length),
    u16(f.id ?? 1),
    u16(flagsOffset),
    Uint8Array.of(64, f.protocol ?? 6),
    u16(0),
    ipv4Bytes(f.src ?? '10.0.0.1'),
    ipv4Bytes(f.dst ?? '10.0.0.2'),
    options,
    payload,
  );
}

/** A full IPv6 address written out as 8 groups. */
function ipv6Bytes(text: string): Uint8Array {
  const [l, r] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return concat(...groups.map((g) => u16(parseInt(g, 16))));
}

export interface Ipv6Fields {
  src?: string;
  dst?: string;
  nextHeader?: number;
  payloadLength?: number;
}

export function ipv6(payload: Uint8Array, f: Ipv6Fields = {}): Uint8Array {
  return concat(
    Uint8Array.of(0x60, 0, 0, 0),
    u16(f.payloadLength ?? payload.length),
    Uint8Array.of(f.nextHeader ?? 6, 64),
    ipv6Bytes(f.src ?? '2001:db8::1'),
    ipv6Bytes(f.dst ?? '2001:db8::2'),
    payload,
  );
}

export function ethernet(etherType: number, payload: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6), u16(etherType), payload);
}

export function vlanTag(etherType: number, payload: Uint8Array, tpid = 0x8100): Uint8Array {
  return concat(u16(tpid), u16(100), u16(etherType), payload);
}

export function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  return concat(u16(sport), u16(dport), u16(8 + payload.length), u16(0), payload);
}

let frameCounter = 0;

export function packet(linkType: number, data: Uint8Array, timestampNs = 1_000_000_000n, originalLength = data.length): Packet {
  return { frame: ++frameCounter, interfaceId: 0, linkType, timestampNs, data, originalLength };
}
