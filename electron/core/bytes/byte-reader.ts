/**
 * The one bounds-checked reader every parser in the engine reads through.
 *
 * Every byte is hostile: each read checks the bounds first and throws a
 * `ParseError` (never a RangeError from a typed array, never a silent
 * `undefined`). Parsers catch `ParseError` at a boundary that turns it into a
 * warning on the session, so a malformed record never crashes the engine.
 *
 * `sub(n)` returns a reader over the next `n` bytes and advances past them:
 * the idiom for length-prefixed structures (`opaque x<0..2^16-1>`), so that a
 * parser can never read past the end of the vector it is in.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    message: string,
    /** Absolute offset in the reader's underlying bytes where the problem was found. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export class ByteReader {
  /** Current absolute position in `bytes`. */
  private pos: number;
  private bytesRead: Uint8Array;
  private startAt: number;
  private endAt: number;

  constructor(
    bytes: Uint8Array,
    /** First byte this reader may read (absolute). */
    start = 0,
    /** One past the last byte this reader may read (absolute). */
    end = bytes.length,
  ) {
    checkWindow(bytes, start, end);
    this.bytesRead = bytes;
    this.startAt = start;
    this.endAt = end;
    this.pos = start;
  }

  /**
   * The same reader over another window, checked as the constructor checks
   * it: a parser that reads a stream record by record keeps one reader
   * instead of making one per record (hundreds of thousands a file).
   */
  reset(bytes: Uint8Array, start = 0, end = bytes.length): this {
    checkWindow(bytes, start, end);
    this.bytesRead = bytes;
    this.startAt = start;
    this.endAt = end;
    this.pos = start;
    return this;
  }

  /** The underlying bytes (offsets are absolute in them). */
  get bytes(): Uint8Array {
    return this.bytesRead;
  }

  /** First byte this reader may read (absolute). */
  get start(): number {
    return this.startAt;
  }

  /** One past the last byte this reader may read (absolute). */
  get end(): number {
    return this.endAt;
  }

  /** Offset from this reader's start. */
  get offset(): number {
    return this.pos - this.startAt;
  }

  /** Absolute position in the underlying bytes (for field byte ranges). */
  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.endAt - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.endAt;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.endAt) {
      throw new ParseError(`${what}: needs ${n} bytes, ${this.endAt - this.pos} left`, this.pos);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.bytesRead[this.pos++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const b = this.bytesRead;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u24(what = 'u24'): number {
    this.need(3, what);
    const b = this.bytesRead;
    const p = this.pos;
    this.pos = p + 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const b = this.bytesRead;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  u16le(what = 'u16le'): number {
    this.need(2, what);
    const b = this.bytesRead;
    const p = this.pos;
    this.pos = p + 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  u32le(what = 'u32le'): number {
    this.need(4, what);
    const b = this.bytesRead;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + ((b[p + 3]! << 24) >>> 0);
  }

  /** 64-bit unsigned, big-endian. */
  u64(what = 'u64'): bigint {
    const hi = this.u32(what);
    const lo = this.u32(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** The next `n` bytes as a view (no copy); advances. */
  bytesView(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.bytesRead.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** The next `n` bytes as a copy, safe to keep after the input buffer is reused. */
  bytesCopy(n: number, what = 'bytes'): Uint8Array {
    return this.bytesView(n, what).slice();
  }

  /** A reader over the next `n` bytes; this reader advances past them. */
  sub(n: number, what = 'vector'): ByteReader {
    this.need(n, what);
    const r = new ByteReader(this.bytesRead, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** `opaque x<0..2^8-1>`: a reader over a vector with a one-byte length. */
  vec8(what = 'vector<2^8-1>'): ByteReader {
    return this.sub(this.u8(what), what);
  }

  /** `opaque x<0..2^16-1>`: a reader over a vector with a two-byte length. */
  vec16(what = 'vector<2^16-1>'): ByteReader {
    return this.sub(this.u16(what), what);
  }

  /** `opaque x<0..2^24-1>`: a reader over a vector with a three-byte length. */
  vec24(what = 'vector<2^24-1>'): ByteReader {
    return this.sub(this.u24(what), what);
  }

  skip(n: number, what = 'skip'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** The unread rest as a view; advances to the end. */
  rest(): Uint8Array {
    const v = this.bytesRead.subarray(this.pos, this.endAt);
    this.pos = this.endAt;
    return v;
  }

  /** Look at a byte without advancing; `undefined` past the end. */
  peek(at = 0): number | undefined {
    const p = this.pos + at;
    return p < this.endAt ? this.bytesRead[p] : undefined;
  }

  /** Throw unless every byte was read: trailing garbage is malformed. */
  expectEnd(what: string): void {
    if (this.pos !== this.endAt) {
      throw new ParseError(`${what}: ${this.endAt - this.pos} unexpected trailing bytes`, this.pos);
    }
  }
}

function checkWindow(bytes: Uint8Array, start: number, end: number): void {
  if (start < 0 || end > bytes.length || start > end) {
    throw new ParseError(`reader window ${start}..${end} outside 0..${bytes.length}`, start);
  }
}
