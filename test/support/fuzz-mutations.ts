/**
 * Seeded mutations of capture files for fuzzing the engine: blind ones (bit
 * flips, byte sets, truncation, splices) and aimed ones that corrupt the
 * length fields parsers trust: pcap record headers, pcapng block and packet
 * lengths, TLS record and handshake headers. Everything follows from the
 * seed, so a failing case is reproduced by its seed alone.
 */

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

function int(rng: Random, below: number): number {
  return Math.floor(rng() * below);
}

function pick<T>(rng: Random, items: readonly T[]): T {
  return items[int(rng, items.length)];
}

/** A length field of the capture container: where, how wide, which byte order. */
export interface LengthField {
  offset: number;
  size: 2 | 4;
  littleEndian: boolean;
  what: string;
}

export interface FuzzTargets {
  lengthFields: LengthField[];
  /** Offsets of byte sequences that look like TLS record headers (type 20..24, version 3.x). */
  tlsRecords: number[];
  /** Offsets of handshake headers right after a handshake record header. */
  tlsHandshakes: number[];
}

const MAX_TARGETS = 4000;

/**
 * Finds the fields worth corrupting in an unmutated seed file.
 *   pcap:   24-byte file header, then per record ts_sec, ts_usec, incl_len, orig_len (4 bytes each) + data
 *   pcapng: Block Type (4) | Block Total Length (4) | body | Block Total Length (4);
 *           EPB body: Interface ID (4) | Timestamp (8) | Captured Len (4) | Original Len (4) | data
 *   TLS:    ContentType (1) | ProtocolVersion (2) | length (2); Handshake: msg_type (1) | length (3)
 */
export function findFuzzTargets(bytes: Uint8Array): FuzzTargets {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthFields: LengthField[] = [];
  if (bytes.length >= 24) {
    const magicLe = view.getUint32(0, true);
    if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d || magicLe === 0xd4c3b2a1 || magicLe === 0x4d3cb2a1) {
      const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
      lengthFields.push({ offset: 16, size: 4, littleEndian: le, what: 'pcap snaplen' });
      for (let off = 24; off + 16 <= bytes.length && lengthFields.length < MAX_TARGETS;) {
        lengthFields.push({ offset: off + 8, size: 4, littleEndian: le, what: 'pcap incl_len' });
        lengthFields.push({ offset: off + 12, size: 4, littleEndian: le, what: 'pcap orig_len' });
        const incl = view.getUint32(off + 8, le);
        if (incl > bytes.length - off - 16) break;
        off += 16 + incl;
      }
    } else if (magicLe === 0x0a0d0d0a && bytes.length >= 12) {
      const le = view.getUint32(8, true) === 0x1a2b3c4d;
      for (let off = 0; off + 12 <= bytes.length && lengthFields.length < MAX_TARGETS;) {
        const type = view.getUint32(off, le);
        const total = view.getUint32(off + 4, le);
        if (total < 12 || total % 4 !== 0 || total > bytes.length - off) break;
        lengthFields.push({ offset: off + 4, size: 4, littleEndian: le, what: 'pcapng block total length' });
        lengthFields.push({ offset: off + total - 4, size: 4, littleEndian: le, what: 'pcapng trailing block length' });
        if (type === 6 && total >= 32) {
          lengthFields.push({ offset: off + 20, size: 4, littleEndian: le, what: 'pcapng EPB captured length' });
          lengthFields.push({ offset: off + 24, size: 4, littleEndian: le, what: 'pcapng EPB original length' });
        } else if (type === 1 && total >= 20) {
          lengthFields.push({ offset: off + 8, size: 2, littleEndian: le, what: 'pcapng IDB link type' });
          lengthFields.push({ offset: off + 12, size: 4, littleEndian: le, what: 'pcapng IDB snaplen' });
        }
        off += total;
      }
    }
  }
  const tlsRecords: number[] = [];
  const tlsHandshakes: number[] = [];
  for (let p = 0; p + 5 <= bytes.length && tlsRecords.length < MAX_TARGETS; p++) {
    const type = bytes[p];
    if (type < 20 || type > 24 || bytes[p + 1] !== 3 || bytes[p + 2] > 4) continue;
    const length = (bytes[p + 3] << 8) | bytes[p + 4];
    if (length === 0 || length > 18432) continue;
    tlsRecords.push(p);
    if (type === 22 && p + 9 <= bytes.length) tlsHandshakes.push(p + 5);
  }
  return { lengthFields, tlsRecords, tlsHandshakes };
}

function readField(bytes: Uint8Array, f: LengthField): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return f.size === 2 ? view.getUint16(f.offset, f.littleEndian) : view.getUint32(f.offset, f.littleEndian);
}

function writeField(bytes: Uint8Array, f: LengthField, value: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (f.size === 2) view.setUint16(f.offset, value & 0xffff, f.littleEndian);
  else view.setUint32(f.offset, value >>> 0, f.littleEndian);
}

/** Values that break length arithmetic: zero, off by one, huge, sign-bit, random. */
function hostileLength(rng: Random, original: number, max: number): number {
  const choices = [0, 1, original + 1, original - 1, original * 2, max, max >>> 1, (max >>> 1) + 1, int(rng, max + 1), original + 4, 0x40000];
  return Math.max(0, Math.min(max, pick(rng, choices)));
}

export interface MutatedCase {
  bytes: Uint8Array;
  mutations: string[];
}

type Mutator = (bytes: Uint8Array, targets: FuzzTargets, rng: Random) => { bytes: Uint8Array; said: string } | null;

const mutators: Mutator[] = [
  (b, _t, rng) => {
    if (b.length === 0) return null;
    const at = int(rng, b.length);
    const bit = int(rng, 8);
    b[at] ^= 1 << bit;
    return { bytes: b, said: `flip bit ${bit} of byte ${at}` };
  },
  (b, _t, rng) => {
    if (b.length === 0) return null;
    const at = int(rng, b.length);
    const value = pick(rng, [0x00, 0xff, 0x7f, 0x80, 0x01, int(rng, 256)]);
    b[at] = value;
    return { bytes: b, said: `set byte ${at} to ${value}` };
  },
  (b, t, rng) => {
    if (t.lengthFields.length === 0) return null;
    const f = pick(rng, t.lengthFields);
    if (f.offset + f.size > b.length) return null;
    const before = readField(b, f);
    const value = hostileLength(rng, before, f.size === 2 ? 0xffff : 0xffffffff);
    writeField(b, f, value);
    return { bytes: b, said: `${f.what} at ${f.offset}: ${before} -> ${value}` };
  },
  (b, t, rng) => {
    if (t.tlsRecords.length === 0) return null;
    const at = pick(rng, t.tlsRecords);
    if (at + 5 > b.length) return null;
    if (rng() < 0.25) {
      const type = pick(rng, [20, 21, 22, 23, 24, 0, 0x80, int(rng, 256)]);
      b[at] = type;
      return { bytes: b, said: `TLS record type at ${at} -> ${type}` };
    }
    const before = (b[at + 3] << 8) | b[at + 4];
    const value = hostileLength(rng, before, 0xffff);
    b[at + 3] = value >>> 8;
    b[at + 4] = value & 0xff;
    return { bytes: b, said: `TLS record length at ${at}: ${before} -> ${value}` };
  },
  (b, t, rng) => {
    if (t.tlsHandshakes.length === 0) return null;
    const at = pick(rng, t.tlsHandshakes);
    if (at + 4 > b.length) return null;
    if (rng() < 0.2) {
      const type = int(rng, 256);
      b[at] = type;
      return { bytes: b, said: `handshake type at ${at} -> ${type}` };
    }
    const before = (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
    const value = hostileLength(rng, before, 0xffffff);
    b[at + 1] = value >>> 16;
    b[at + 2] = (value >>> 8) & 0xff;
    b[at + 3] = value & 0xff;
    return { bytes: b, said: `handshake length at ${at}: ${before} -> ${value}` };
  },
  // Inside a hello: the lengths of cipher lists, extensions, certificates sit a few bytes in.
  (b, t, rng) => {
    if (t.tlsHandshakes.length === 0) return null;
    const at = pick(rng, t.tlsHandshakes) + 4 + int(rng, 120);
    if (at + 2 > b.length) return null;
    const value = pick(rng, [0, 0xff, 0xffff, 1, int(rng, 0x10000)]);
    b[at] = value >>> 8;
    b[at + 1] = value & 0xff;
    return { bytes: b, said: `16-bit value ${value} written inside a handshake at ${at}` };
  },
  (b, _t, rng) => {
    if (b.length < 8) return null;
    const at = int(rng, b.length);
    const count = 1 + int(rng, Math.min(64, b.length - at));
    const out = new Uint8Array(b.length - count);
    out.set(b.subarray(0, at));
    out.set(b.subarray(at + count), at);
    return { bytes: out, said: `delete ${count} bytes at ${at}` };
  },
  (b, _t, rng) => {
    if (b.length < 8) return null;
    const from = int(rng, b.length);
    const count = 1 + int(rng, Math.min(256, b.length - from));
    const at = int(rng, b.length);
    const out = new Uint8Array(b.length + count);
    out.set(b.subarray(0, at));
    out.set(b.subarray(from, from + count), at);
    out.set(b.subarray(at), at + count);
    return { bytes: out, said: `copy ${count} bytes from ${from} to ${at}` };
  },
];

const truncate: Mutator = (b, _t, rng) => {
  const at = int(rng, b.length + 1);
  return { bytes: b.slice(0, at), said: `truncate to ${at} bytes` };
};

/** 1..4 mutations of a copy of `seed`; in one case of six, a truncation at the end. */
export function mutateCapture(seed: Uint8Array, targets: FuzzTargets, rng: Random): MutatedCase {
  let bytes: Uint8Array = seed.slice();
  const mutations: string[] = [];
  const count = 1 + int(rng, 4);
  for (let i = 0; i < count; i++) {
    const result = pick(rng, mutators)(bytes, targets, rng);
    if (result) {
      bytes = result.bytes;
      mutations.push(result.said);
    }
  }
  if (rng() < 1 / 6) {
    const result = truncate(bytes, targets, rng);
    if (result) {
      bytes = result.bytes;
      mutations.push(result.said);
    }
  }
  return { bytes, mutations };
}
