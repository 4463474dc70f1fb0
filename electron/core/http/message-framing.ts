/**
 * Where an HTTP/1.1 message body ends (RFC 9112 §6), for a proxy that relays
 * bodies unchanged and must know where the next message starts.
 *
 * RFC 9112 §6.3, message body length, in order:
 *   1. a response to HEAD, any 1xx, 204 or 304 response: no body;
 *   2. (a 2xx answer to CONNECT: a tunnel — not handled here);
 *   3. Transfer-Encoding and Content-Length both present: request smuggling
 *      or response splitting — this module rejects it (requests: 400;
 *      responses: the proxy answers 502);
 *   4. Transfer-Encoding whose final coding is chunked: chunked; a request
 *      whose final coding is not chunked: 400; such a response: until close;
 *   5./6. Content-Length: exactly that many bytes; an invalid, negative or
 *      repeated Content-Length: reject;
 *   7. a request with neither: no body;
 *   8. a response with neither: delimited by the connection's close.
 *
 * RFC 9112 §7.1, chunked transfer coding:
 *   chunked-body   = *chunk last-chunk trailer-section CRLF
 *   chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-size     = 1*HEXDIG
 *   last-chunk     = 1*("0") [ chunk-ext ] CRLF
 *   trailer-section = *( field-line CRLF )
 *
 * Every byte is hostile: chunk-size lines and the trailer section are bounded,
 * a chunk size beyond 2^48 is an error, and nothing here allocates more than
 * one bounded line.
 */
import { ByteReader } from '../bytes/byte-reader';
import type { HttpHead } from './http-head-parser';

export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** Response only: the body is everything until the server closes. */
  | { kind: 'close' };

export type FramingResult = BodyFraming | { kind: 'error'; reason: string };

/** The tokens of every Connection field, lower-case (RFC 9110 §7.6.1). */
export function connectionTokens(head: HttpHead): Set<string> {
  const tokens = new Set<string>();
  for (const [name, value] of head.headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const t of value.split(',')) {
      const token = t.trim().toLowerCase();
      if (token) tokens.add(token);
    }
  }
  return tokens;
}

/**
 * Whether the sender of `head` wants the connection closed after this
 * message (RFC 9112 §9.3): `Connection: close`, or HTTP/1.0 without
 * `Connection: keep-alive`.
 */
export function wantsClose(head: HttpHead): boolean {
  const tokens = connectionTokens(head);
  if (tokens.has('close')) return true;
  return head.version !== 'HTTP/1.1' && !tokens.has('keep-alive');
}

/** Body framing of a request (RFC 9112 §6.3 rules 3–7). */
export function requestFraming(head: HttpHead): FramingResult {
  const common = lengthFields(head);
  if (common.kind === 'error') return common;
  if (common.te !== null) {
    if (!finalCodingIsChunked(common.te)) return { kind: 'error', reason: 'request Transfer-Encoding does not end in chunked' };
    if (head.version === 'HTTP/1.0') return { kind: 'error', reason: 'Transfer-Encoding in an HTTP/1.0 request' };
    return { kind: 'chunked' };
  }
  if (common.length !== null) return common.length === 0 ? { kind: 'none' } : { kind: 'length', length: common.length };
  return { kind: 'none' };
}

/** Body framing of a response to a request with `requestMethod` (RFC 9112 §6.3 rules 1, 3–8). */
export function responseFraming(head: HttpHead, requestMethod: string): FramingResult {
  const status = head.status ?? 0;
  if (requestMethod === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { kind: 'none' };
  const common = lengthFields(head);
  if (common.kind === 'error') return common;
  if (common.te !== null) {
    // §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing; only the close delimits it.
    if (head.version === 'HTTP/1.0' || !finalCodingIsChunked(common.te)) return { kind: 'close' };
    return { kind: 'chunked' };
  }
  if (common.length !== null) return common.length === 0 ? { kind: 'none' } : { kind: 'length', length: common.length };
  return { kind: 'close' };
}

/** Largest Content-Length accepted (15 digits: an exact number, far beyond any real body). */
const MAX_CONTENT_LENGTH_DIGITS = 15;

/** Transfer-Encoding (all fields joined) and the one valid Content-Length, or why the pair is invalid. */
function lengthFields(head: HttpHead): { kind: 'fields'; te: string | null; length: number | null } | { kind: 'error'; reason: string } {
  let te: string | null = null;
  let length: number | null = null;
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding') {
      te = te === null ? value : `${te}, ${value}`;
    } else if (lower === 'content-length') {
      if (length !== null) return { kind: 'error', reason: 'more than one Content-Length field' };
      if (value.length === 0 || value.length > MAX_CONTENT_LENGTH_DIGITS || !/^[0-9]+$/.test(value)) {
        // Covers negative numbers, lists ("5, 5"), signs and garbage alike.
        return { kind: 'error', reason: `invalid Content-Length ${JSON.stringify(value.slice(0, 40))}` };
      }
      length = Number(value);
    }
  }
  if (te !== null && length !== null) return { kind: 'error', reason: 'both Transfer-Encoding and Content-Length (request smuggling shape)' };
  return { kind: 'fields', te, length };
}

function finalCodingIsChunked(te: string): boolean {
  const codings = te.split(',');
  const last = codings[codings.length - 1]!.trim().toLowerCase();
  // "chunked" may appear only once, as the final coding (§6.1).
  return last === 'chunked' && codings.filter((c) => c.trim().toLowerCase() === 'chunked').length === 1;
}

export interface BodyFramerLimits {
  /** Longest chunk-size line (with its extensions). */
  maxChunkLineBytes: number;
  /** Largest trailer section. */
  maxTrailerBytes: number;
}

export const DEFAULT_BODY_FRAMER_LIMITS: BodyFramerLimits = { maxChunkLineBytes: 4096, maxTrailerBytes: 16 * 1024 };

/** Largest chunk accepted: 2^48 bytes (12 hex digits), exact as a number. */
const MAX_CHUNK_HEX_DIGITS = 12;

const DATA = 0;
const SIZE_LINE = 1;
const DATA_CRLF = 2;
const TRAILER = 3;
const DONE = 4;
const FAILED = 5;

/**
 * Follows one message body across the pieces it arrives in. `push` says how
 * many of the given bytes belong to the body; once `done`, the bytes after
 * that belong to the next message. A body delimited by close never ends here.
 */
export class BodyFramer {
  private state: number;
  /** Bytes left in the current chunk or the whole Content-Length body. */
  private remaining = 0;
  private readonly chunked: boolean;
  /** The chunk-size line or trailer line being collected (bounded). */
  private line: Uint8Array;
  private lineLength = 0;
  private trailerBytes = 0;
  private failure: string | null = null;

  constructor(
    framing: BodyFraming,
    private readonly limits: BodyFramerLimits = DEFAULT_BODY_FRAMER_LIMITS,
  ) {
    this.chunked = framing.kind === 'chunked';
    this.line = new Uint8Array(this.chunked ? Math.min(256, limits.maxChunkLineBytes) : 0);
    if (framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0)) this.state = DONE;
    else if (framing.kind === 'length') {
      this.state = DATA;
      this.remaining = framing.length;
    } else if (framing.kind === 'chunked') this.state = SIZE_LINE;
    else this.state = DATA;
    if (framing.kind === 'close') this.remaining = Infinity;
  }

  get done(): boolean {
    return this.state === DONE;
  }

  /** Why the body is malformed, once it is. */
  get error(): string | null {
    return this.failure;
  }

  /**
   * Consumes body bytes from `data[start..]`; returns the offset just past
   * the last body byte (`data.length` when the body goes on). After an error
   * (`error` set) the return value is meaningless.
   */
  push(data: Uint8Array, start = 0): number {
    let i = start;
    while (i < data.length) {
      const state = this.state;
      if (state === DONE || state === FAILED) return i;
      if (state === DATA) {
        const n = Math.min(this.remaining, data.length - i);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = this.chunked ? DATA_CRLF : DONE;
        continue;
      }
      // Line states: collect up to LF.
      const c = data[i++]!;
      if (c !== 0x0a) {
        if (!this.appendToLine(c)) return i;
        continue;
      }
      this.endOfLine();
    }
    return i;
  }

  private appendToLine(c: number): boolean {
    const limit = this.state === TRAILER ? this.limits.maxTrailerBytes : this.limits.maxChunkLineBytes;
    if (this.state === TRAILER) {
      // Trailer lines are only counted (they are relayed, not interpreted).
      if (++this.trailerBytes > limit) return this.fail('trailer section too large');
      this.lineLength++;
      this.lastTrailerByteWasCr = c === 0x0d;
      return true;
    }
    // After chunk data only CRLF may come: say so at the first wrong byte rather than at a LF that may never come.
    if (this.state === DATA_CRLF && (c !== 0x0d || this.lineLength > 0)) return this.fail('no CRLF after chunk data');
    if (this.lineLength >= limit) return this.fail('chunk-size line too long');
    if (this.lineLength === this.line.length) {
      const grown = new Uint8Array(Math.min(limit, this.line.length * 2));
      grown.set(this.line);
      this.line = grown;
    }
    this.line[this.lineLength++] = c;
    return true;
  }

  private endOfLine(): void {
    const length = this.lineLength;
    this.lineLength = 0;
    if (this.state === DATA_CRLF) {
      if (length !== 0 && !(length === 1 && this.line[0] === 0x0d)) {
        this.fail('no CRLF after chunk data');
        return;
      }
      this.state = SIZE_LINE;
      return;
    }
    if (this.state === TRAILER) {
      this.trailerBytes++;
      // The empty line (CRLF or a bare LF) ends the trailer section and the body.
      if (length === 0 || (length === 1 && this.lastTrailerByteWasCr)) this.state = DONE;
      this.lastTrailerByteWasCr = false;
      return;
    }
    const size = parseChunkSizeLine(this.line.subarray(0, length));
    if (typeof size === 'string') {
      this.fail(size);
      return;
    }
    if (size === 0) {
      this.state = TRAILER;
      return;
    }
    this.remaining = size;
    this.state = DATA;
  }

  /** Whether the one byte of the trailer line being counted was CR (an empty line ending CRLF). */
  private lastTrailerByteWasCr = false;

  private fail(reason: string): false {
    this.state = FAILED;
    this.failure = `chunked body: ${reason}`;
    return false;
  }
}

/**
 * chunk-size [ chunk-ext ] (CR), as bytes: the size, or why it is invalid.
 *   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 * Extensions are relayed, not interpreted: anything after the digits must
 * start with whitespace or ";".
 */
function parseChunkSizeLine(line: Uint8Array): number | string {
  const r = new ByteReader(line);
  let size = 0;
  let digits = 0;
  while (!r.atEnd) {
    const c = r.peek()!;
    const v = hexValue(c);
    if (v < 0) break;
    r.u8('chunk-size digit');
    if (++digits > MAX_CHUNK_HEX_DIGITS) return 'chunk size too large';
    size = size * 16 + v;
  }
  if (digits === 0) return 'chunk-size line without a size';
  if (!r.atEnd) {
    const next = r.u8('chunk-ext');
    const onlyCr = next === 0x0d && r.atEnd;
    if (!onlyCr && next !== 0x3b && next !== 0x20 && next !== 0x09) return 'bad character after the chunk size';
    // CR may only end the line.
    const rest = r.rest();
    const cr = rest.indexOf(0x0d);
    if (cr >= 0 && cr !== rest.length - 1) return 'CR inside a chunk-size line';
  }
  return size;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
