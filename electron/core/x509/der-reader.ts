/**
 * A small DER (ITU-T X.690) reader over ByteReader: enough ASN.1 for X.509.
 *
 *   identifier octets: class (2 bits) | constructed (1 bit) | tag number (5 bits,
 *                      or 0x1F then base-128 digits, high bit = "more")
 *   length octets:     0xxxxxxx short form; 1nnnnnnn then n big-endian length
 *                      octets (long form); 0x80 alone = indefinite (BER only)
 *   contents octets
 *
 * DER forbids the indefinite form, so it is rejected, as are lengths past the
 * enclosing element (ByteReader.sub). Nesting depth is bounded so a hostile
 * certificate cannot make a parser recurse without end.
 */
import { ByteReader, ParseError } from '../bytes/byte-reader';

export const enum TagClass {
  Universal = 0,
  Application = 1,
  Context = 2,
  Private = 3,
}

/** Universal tag numbers used in X.509. */
export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  NUMERIC_STRING: 18,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  VISIBLE_STRING: 26,
  UNIVERSAL_STRING: 28,
  BMP_STRING: 30,
} as const;

/** Deeper than any real certificate nests (Certificate > TBS > extensions > SAN > DirName > RDN ...). */
export const MAX_DER_DEPTH = 24;

export interface DerElement {
  cls: TagClass;
  constructed: boolean;
  tag: number;
  /** Absolute offset of the identifier octet. */
  start: number;
  /** Absolute offset one past the contents. */
  end: number;
  /** A reader over the contents only. */
  contents: DerReader;
}

export class DerReader {
  constructor(
    readonly r: ByteReader,
    readonly depth = 0,
  ) {
    if (depth > MAX_DER_DEPTH) throw new ParseError(`DER nesting deeper than ${MAX_DER_DEPTH}`, r.position);
  }

  static of(bytes: Uint8Array): DerReader {
    return new DerReader(new ByteReader(bytes));
  }

  get atEnd(): boolean {
    return this.r.atEnd;
  }

  /** The next element's identifier without consuming it; undefined at the end. */
  peekTag(): { cls: TagClass; constructed: boolean; tag: number } | undefined {
    const b = this.r.peek();
    if (b === undefined) return undefined;
    return { cls: (b >> 6) as TagClass, constructed: (b & 0x20) !== 0, tag: b & 0x1f };
  }

  /** Reads one TLV and advances past it. */
  next(what = 'DER element'): DerElement {
    const r = this.r;
    const start = r.position;
    const id = r.u8(what);
    let tag = id & 0x1f;
    if (tag === 0x1f) {
      // High tag number form: base-128, at most 4 digits (28 bits) is plenty.
      tag = 0;
      for (let i = 0; ; i++) {
        if (i === 4) throw new ParseError(`${what}: tag number too long`, r.position);
        const b = r.u8(what);
        tag = (tag << 7) | (b & 0x7f);
        if ((b & 0x80) === 0) break;
      }
    }
    const first = r.u8(`${what} length`);
    let length: number;
    if (first < 0x80) {
      length = first;
    } else if (first === 0x80) {
      throw new ParseError(`${what}: indefinite length is not DER`, r.position - 1);
    } else {
      const n = first & 0x7f;
      if (n > 4) throw new ParseError(`${what}: length of ${n} octets`, r.position - 1);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + r.u8(`${what} length`);
    }
    const contents = new DerReader(r.sub(length, what), this.depth + 1);
    return { cls: (id >> 6) as TagClass, constructed: (id & 0x20) !== 0, tag, start, end: r.position, contents };
  }

  /** Reads one element and checks it is the expected universal type. */
  expect(tag: number, what: string): DerElement {
    const e = this.next(what);
    if (e.cls !== TagClass.Universal || e.tag !== tag) {
      throw new ParseError(`${what}: expected universal tag ${tag}, found class ${e.cls} tag ${e.tag}`, e.start);
    }
    return e;
  }

  /** Reads a context-specific [n] element if it comes next, else null. */
  optionalContext(n: number, what: string): DerElement | null {
    const t = this.peekTag();
    if (t === undefined || t.cls !== TagClass.Context || t.tag !== n) return null;
    return this.next(what);
  }

  /** The bytes of this reader's window (for an element: its contents). */
  bytes(): Uint8Array {
    return this.r.bytes.subarray(this.r.start, this.r.end);
  }
}

/** The whole TLV of an element, header included. */
export function elementBytes(e: DerElement): Uint8Array {
  return e.contents.r.bytes.subarray(e.start, e.end);
}

/**
 * OBJECT IDENTIFIER contents (X.690 8.19) as dotted decimal: the first octets
 * encode 40*X+Y, then each arc in base 128. Arcs beyond 2^53 are refused.
 */
export function decodeOid(contents: Uint8Array): string {
  if (contents.length === 0) throw new ParseError('empty OBJECT IDENTIFIER', 0);
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < contents.length; i++) {
    const b = contents[i]!;
    if (value > 2 ** 45) throw new ParseError('OBJECT IDENTIFIER arc too large', i);
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) !== 0) {
      if (i === contents.length - 1) throw new ParseError('OBJECT IDENTIFIER ends mid-arc', i);
      continue;
    }
    if (arcs.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(first, value - first * 40);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  return arcs.join('.');
}

export function readOid(d: DerReader, what: string): string {
  return decodeOid(d.expect(TAG.OID, what).contents.bytes());
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!;
  return s;
}
