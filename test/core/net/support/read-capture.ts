/**
 * A minimal pcap / pcapng reader for the net-layer tests only, so that they do
 * not depend on the capture module being written in parallel. Not hostile-safe
 * beyond what the fixtures need.
 */
import { readFileSync } from 'node:fs';
import type { Packet } from '../../../../electron/core/capture/packet';

export function readCapture(path: string): Packet[] {
  const b = new Uint8Array(readFileSync(path));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = dv.getUint32(0, false);
  if (magic === 0x0a0d0d0a) return readPcapng(b, dv);
  return readPcap(b, dv, magic);
}

function readPcap(b: Uint8Array, dv: DataView, magic: number): Packet[] {
  let le: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = false;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = true;
  else throw new Error(`not a capture file (magic ${magic.toString(16)})`);
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const linkType = dv.getUint32(20, le) & 0x0fffffff;
  const out: Packet[] = [];
  let pos = 24;
  while (pos + 16 <= b.length) {
    const sec = dv.getUint32(pos, le);
    const frac = dv.getUint32(pos + 4, le);
    const incl = dv.getUint32(pos + 8, le);
    const orig = dv.getUint32(pos + 12, le);
    if (pos + 16 + incl > b.length) break;
    out.push({
      frame: out.length + 1,
      interfaceId: 0,
      linkType,
      timestampNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * (nano ? 1n : 1000n),
      data: b.slice(pos + 16, pos + 16 + incl),
      originalLength: orig,
    });
    pos += 16 + incl;
  }
  return out;
}

function readPcapng(b: Uint8Array, dv: DataView): Packet[] {
  const out: Packet[] = [];
  let le = true;
  let ifaces: { linkType: number; tsUnitsPerSec: bigint }[] = [];
  let pos = 0;
  while (pos + 12 <= b.length) {
    const typeRaw = dv.getUint32(pos, le);
    if (typeRaw === 0x0a0d0d0a || dv.getUint32(pos, !le) === 0x0a0d0d0a) {
      le = dv.getUint32(pos + 8, true) === 0x1a2b3c4d;
      ifaces = [];
    }
    const type = dv.getUint32(pos, le);
    const len = dv.getUint32(pos + 4, le);
    if (len < 12 || pos + len > b.length) break;
    if (type === 1) {
      let units = 1_000_000n;
      let o = pos + 16;
      while (o + 4 <= pos + len - 4) {
        const code = dv.getUint16(o, le);
        const olen = dv.getUint16(o + 2, le);
        if (code === 0) break;
        if (code === 9 && olen >= 1) {
          const v = b[o + 4]!;
          units = v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
        }
        o += 4 + ((olen + 3) & ~3);
      }
      ifaces.push({ linkType: dv.getUint16(pos + 8, le), tsUnitsPerSec: units });
    } else if (type === 6 || type === 2) {
      const ifId = type === 6 ? dv.getUint32(pos + 8, le) : dv.getUint16(pos + 8, le);
      const ts = (BigInt(dv.getUint32(pos + 12, le)) << 32n) | BigInt(dv.getUint32(pos + 16, le));
      const cap = dv.getUint32(pos + 20, le);
      const orig = dv.getUint32(pos + 24, le);
      const iface = ifaces[ifId]!;
      out.push({
        frame: out.length + 1,
        interfaceId: ifId,
        linkType: iface.linkType,
        timestampNs: (ts * 1_000_000_000n) / iface.tsUnitsPerSec,
        data: b.slice(pos + 28, pos + 28 + cap),
        originalLength: orig,
      });
    } else if (type === 3) {
      const orig = dv.getUint32(pos + 8, le);
      const cap = Math.min(orig, len - 16);
      out.push({
        frame: out.length + 1,
        interfaceId: 0,
        linkType: ifaces[0]!.linkType,
        timestampNs: 0n,
        data: b.slice(pos + 12, pos + 12 + cap),
        originalLength: orig,
      });
    }
    pos += len;
  }
  return out;
}
