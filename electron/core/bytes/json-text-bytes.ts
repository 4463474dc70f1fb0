/**
 * JSON text written straight into UTF-8 bytes, for documents too large to
 * build as strings first (the analysis JSON of a big capture: some 50 MB).
 * No string is concatenated per value, so nothing is left for the garbage
 * collector, and the bytes sit in large buffers it neither traces nor moves.
 *
 * The text is the same as `JSON.stringify` writes: strings that need no
 * escaping and are ASCII are copied as they are; any other goes through
 * `JSON.stringify` itself.
 */

/** Pieces up to this long are copied by a loop, longer ones by `set` (measured: the call costs more below). */
const SHORT_COPY_BYTES = 24;

/** One encoder for every writer (it keeps no state): a writer per open session made one each. */
const UTF8 = new TextEncoder();

/** 10^0 .. 10^9 (`number` counts digits with them). */
const POWERS_OF_TEN = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/** Bytes per buffer (a value longer than this gets a buffer of its own). */
const CHUNK_BYTES = 4 << 20;

/** ASCII text as bytes, for the constant pieces a writer copies again and again. */
export function asciiBytes(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0x7f;
  return b;
}

export class JsonTextBytes {
  private full: Uint8Array[] = [];
  /** Bytes in `full`. */
  private sealed = 0;
  private buf: Uint8Array;
  /** `buf` as a DataView: copies 4 bytes at a time (`bytesPrefix`). */
  private view: DataView;
  private pos = 0;
  /** The last source `bytesPrefix` copied from, and a DataView of it (one source, again and again). */
  private prefixSource: Uint8Array | null = null;
  private prefixView: DataView | null = null;

  constructor(private readonly chunkBytes = CHUNK_BYTES) {
    this.buf = new Uint8Array(0);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.sealed + this.pos;
  }

  /** Forget everything written. */
  clear(): void {
    this.full = [];
    this.sealed = 0;
    this.buf = new Uint8Array(0);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  /**
   * Forget everything written, but keep the current buffer for what comes
   * next: a writer used again and again (one per open session, pooled) then
   * allocates nothing.
   */
  rewind(): void {
    if (this.full.length !== 0) this.full = [];
    this.sealed = 0;
    this.pos = 0;
  }

  /** Everything written, copied to the end of `out`. */
  copyTo(out: JsonTextBytes): void {
    for (let i = 0; i < this.full.length; i++) out.bytes(this.full[i]!);
    if (this.pos !== 0) out.bytes(this.buf.subarray(0, this.pos));
  }

  /** The text written, in order (views of the buffers: valid until the next write or clear). */
  chunks(): Uint8Array[] {
    return this.pos > 0 ? [...this.full, this.buf.subarray(0, this.pos)] : [...this.full];
  }

  /** The text written, decoded (for tests and small documents). */
  toString(): string {
    const decoder = new TextDecoder();
    let out = '';
    for (const c of this.chunks()) out += decoder.decode(c, { stream: true });
    return out + decoder.decode();
  }

  /** Room for `n` more bytes: the current buffer is kept as it is and a new one begun if it lacks it. */
  private room(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    if (this.pos > 0) {
      this.full.push(this.buf.subarray(0, this.pos));
      this.sealed += this.pos;
    }
    this.buf = new Uint8Array(Math.max(this.chunkBytes, n));
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  /** Text known to be ASCII (JSON punctuation, keys, numbers' text), as it is. */
  ascii(text: string): void {
    const n = text.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /** Bytes already UTF-8 JSON text, copied. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    if (n > SHORT_COPY_BYTES) {
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    // Short pieces (keys, punctuation): a loop costs less than the call into `set`.
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /**
   * The first `n` bytes of `b`, already UTF-8 JSON text. Meant for one source
   * written again and again (a message's time text): copied 4 bytes at a time
   * through DataViews (measured some 3 times faster than byte by byte for 40
   * bytes, and no subarray made for `set`).
   */
  bytesPrefix(b: Uint8Array, n: number): void {
    this.room(n);
    if (b !== this.prefixSource) {
      this.prefixSource = b;
      this.prefixView = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const from = this.prefixView!;
    const to = this.view;
    let p = this.pos;
    let i = 0;
    for (; i + 4 <= n; i += 4, p += 4) to.setUint32(p, from.getUint32(i));
    const buf = this.buf;
    for (; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** The first `n` bytes of `b` (a few: a number's text), already UTF-8 JSON text. */
  shortBytes(b: Uint8Array, n: number): void {
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** One ASCII character, by its code (`,`, `}`). */
  byte(code: number): void {
    this.room(1);
    this.buf[this.pos++] = code;
  }

  /** Any text (already JSON), UTF-8 encoded. */
  text(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.room(text.length * 3);
    this.pos += UTF8.encodeInto(text, this.buf.subarray(this.pos)).written;
  }

  /** A non-negative integer below 2^53 (frame numbers, lengths), or any number as `JSON.stringify` writes it. */
  number(n: number): void {
    if ((n | 0) === n && n >= 0) {
      // The common case (frame numbers, lengths, ports): 31-bit integer arithmetic.
      this.room(10);
      const buf = this.buf;
      // Counted by one loop, not a chain of comparisons: a chain's later links first run when the
      // numbers grow (frame 100,000), and optimized code meeting one it never saw is thrown away.
      let digits = 1;
      while (digits < 10 && n >= POWERS_OF_TEN[digits]!) digits++;
      let p = this.pos + digits;
      this.pos = p;
      let x = n;
      do {
        const q = (x / 10) | 0;
        buf[--p] = 48 + x - q * 10;
        x = q;
      } while (x > 0);
      return;
    }
    if (n >= 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n) {
      this.room(16);
      const buf = this.buf;
      if (n < 10) {
        buf[this.pos++] = 48 + n;
        return;
      }
      let digits = 1;
      for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
      let p = this.pos + digits;
      this.pos = p;
      let x = n;
      do {
        buf[--p] = 48 + (x % 10);
        x = Math.floor(x / 10);
      } while (x > 0);
      return;
    }
    // JSON.stringify writes non-finite numbers as null; -0 as 0.
    this.ascii(Number.isFinite(n) ? String(n) : 'null');
  }

  /** `text` as a JSON string (quoted, escaped as `JSON.stringify` escapes it). */
  string(text: string): void {
    const n = text.length;
    this.room(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      // Control characters, '"', '\' and anything beyond ASCII: JSON.stringify's own escaping.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.text(JSON.stringify(text));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** A JSON string, or null. */
  stringOrNull(text: string | null): void {
    if (text === null) this.ascii('null');
    else this.string(text);
  }

  /** A list of strings. */
  strings(list: readonly string[]): void {
    this.ascii('[');
    for (let i = 0; i < list.length; i++) {
      if (i) this.ascii(',');
      this.string(list[i]!);
    }
    this.ascii(']');
  }
}

/**
 * Every path of `room` run when the module loads. A writer's first buffer
 * fills only after megabytes (the analysis JSON's first 4 MiB): until then
 * sealing a full buffer has never run, so the optimized code of every method
 * that inlined `room` (most of a JSON writer's) lacks its feedback and is
 * thrown away when it first does ("insufficient type feedback"), then
 * compiled again. V8 records feedback only once a function has run a few
 * times (its feedback vector is made lazily), hence a few dozen calls.
 */
function runEveryPathOfRoom(): void {
  const w = new JsonTextBytes(8);
  // 64 bytes through 8-byte buffers: 8 begun, 7 of them full and sealed.
  for (let i = 0; i < 64; i++) w.byte(0x20);
}
runEveryPathOfRoom();
