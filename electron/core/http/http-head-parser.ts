/**
 * Incremental parser of an HTTP/1.x message head (RFC 9112 §2.1):
 *
 *   HTTP-message = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
 *   request-line = method SP request-target SP HTTP-version
 *   status-line  = HTTP-version SP status-code SP [ reason-phrase ]
 *   field-line   = field-name ":" OWS field-value OWS
 *
 * Bytes arrive in pieces (TCP segments); `push` keeps them until the empty
 * line that ends the head, then returns the head and the bytes after it. As
 * Wireshark does, a bare LF is accepted as a line end, and obsolete line
 * folding (a line starting with SP or HTAB, §5.2) continues the previous field.
 * A head larger than `maxHeadBytes` (64 KiB by default) is an error, not a
 * buffer that grows without end.
 */
import { ByteReader } from '../bytes/byte-reader';
import { concatBytes } from '../bytes/concat-bytes';

export interface HttpHead {
  kind: 'request' | 'response';
  /** The first line, without its line end. */
  startLine: string;
  /** "HTTP/1.1" */
  version: string;
  method?: string;
  /** Request target: for CONNECT the authority, "host:port". */
  target?: string;
  status?: number;
  reason?: string;
  /** Field lines in order, names as sent, values trimmed of surrounding whitespace. */
  headers: [string, string][];
  /** Bytes of the head including the final empty line. */
  headLength: number;
}

export type HttpHeadResult =
  | { done: false }
  | { done: true; head: HttpHead; rest: Uint8Array }
  | { done: true; error: string };

export const DEFAULT_MAX_HEAD_BYTES = 64 * 1024;

const NOT_DONE: HttpHeadResult = { done: false };
const LF = 0x0a;
const CR = 0x0d;

export class HttpHeadParser {
  private buffer: Uint8Array;
  private length = 0;
  /** Where the search for the head's end resumes. */
  private scanned = 0;
  private finished = false;

  constructor(private readonly maxHeadBytes = DEFAULT_MAX_HEAD_BYTES) {
    this.buffer = new Uint8Array(Math.min(1024, maxHeadBytes + 4));
  }

  /** Feed the next bytes of the direction. After a result with `done`, make a new parser. */
  push(data: Uint8Array): HttpHeadResult {
    if (this.finished) return { done: true, error: 'parser already finished' };
    // Keep at most one byte past the limit: enough to know the limit was passed.
    const room = this.maxHeadBytes + 1 - this.length;
    const take = Math.min(room, data.length);
    this.append(data.subarray(0, take));

    const end = this.findHeadEnd();
    if (end < 0) {
      if (this.length > this.maxHeadBytes) {
        this.finished = true;
        return { done: true, error: `HTTP head longer than ${this.maxHeadBytes} bytes` };
      }
      return NOT_DONE;
    }
    this.finished = true;
    const head = parseHead(this.buffer.subarray(0, end));
    if (typeof head === 'string') return { done: true, error: head };
    // Bytes after the head: those left in our buffer, then those of `data` we did not take.
    const restFromBuffer = this.buffer.subarray(end, this.length);
    const rest =
      take === data.length
        ? restFromBuffer.slice()
        : concatBytes(restFromBuffer, data.subarray(take));
    return { done: true, head, rest };
  }

  private append(data: Uint8Array): void {
    if (this.length + data.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + data.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** Offset just past the empty line ending the head, or -1. */
  private findHeadEnd(): number {
    const b = this.buffer;
    for (let i = this.scanned; i < this.length; i++) {
      if (b[i] !== LF) continue;
      // LF LF, or LF CR LF: the previous line was the last one.
      if (i + 1 < this.length && b[i + 1] === LF) return i + 2;
      if (i + 2 < this.length && b[i + 1] === CR && b[i + 2] === LF) return i + 3;
      if (i + 2 >= this.length) {
        // Not enough bytes yet to decide: look at this LF again next time.
        this.scanned = i;
        return -1;
      }
    }
    this.scanned = this.length;
    return -1;
  }
}

/** The value of the first field named `name` (case-insensitive), or undefined. */
export function headerValue(head: HttpHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of head.headers) if (n.toLowerCase() === lower) return v;
  return undefined;
}

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HTTP_VERSION = /^HTTP\/\d\.\d$/;

/** Parse a complete head (ending with its empty line); a string is the error. */
function parseHead(bytes: Uint8Array): HttpHead | string {
  const r = new ByteReader(bytes);
  const startLine = readLine(r);
  if (startLine.length === 0) return 'HTTP head starts with an empty line';
  const headers: [string, string][] = [];
  for (;;) {
    const line = readLine(r);
    if (line.length === 0) break;
    if (line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) {
      const last = headers[headers.length - 1];
      if (last === undefined) return 'HTTP head: continuation line before any field';
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return `HTTP head: field line without a name and ':' (${clip(line)})`;
    const name = line.slice(0, colon);
    if (!TOKEN_CHARS.test(name)) return `HTTP head: bad field name (${clip(name)})`;
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  const headLength = bytes.length;

  const sp1 = startLine.indexOf(' ');
  if (sp1 <= 0) return `HTTP head: start line without a space (${clip(startLine)})`;
  const first = startLine.slice(0, sp1);
  if (first.startsWith('HTTP/')) {
    if (!HTTP_VERSION.test(first)) return `HTTP head: bad version (${clip(first)})`;
    const afterVersion = startLine.slice(sp1 + 1);
    const sp2 = afterVersion.indexOf(' ');
    const code = sp2 < 0 ? afterVersion : afterVersion.slice(0, sp2);
    if (!/^\d{3}$/.test(code)) return `HTTP head: bad status code (${clip(code)})`;
    return {
      kind: 'response',
      startLine,
      version: first,
      status: Number(code),
      reason: sp2 < 0 ? '' : afterVersion.slice(sp2 + 1),
      headers,
      headLength,
    };
  }
  if (!TOKEN_CHARS.test(first)) return `HTTP head: bad method (${clip(first)})`;
  const sp2 = startLine.lastIndexOf(' ');
  const version = startLine.slice(sp2 + 1);
  if (sp2 > sp1 && HTTP_VERSION.test(version)) {
    const target = startLine.slice(sp1 + 1, sp2);
    if (target.length === 0 || target.includes(' ')) return `HTTP head: bad request target (${clip(target)})`;
    return { kind: 'request', startLine, version, method: first, target, headers, headLength };
  }
  // A request line without a valid HTTP-version ("CONNECT / HTTP/1.", "CONNECT /HTTP/1.1") is still
  // a request the server answers (with 400), as tshark shows it: the target is the second word.
  const rest = startLine.slice(sp1 + 1);
  const sp = rest.indexOf(' ');
  const target = sp < 0 ? rest : rest.slice(0, sp);
  if (target.length === 0) return `HTTP head: bad request line (${clip(startLine)})`;
  return { kind: 'request', startLine, version: sp < 0 ? '' : rest.slice(sp + 1), method: first, target, headers, headLength };
}

/** One line as Latin-1 text without its CRLF / LF. The head is complete, so a LF always comes. */
function readLine(r: ByteReader): string {
  let s = '';
  for (;;) {
    const c = r.u8('HTTP line');
    if (c === LF) break;
    s += String.fromCharCode(c);
  }
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

function clip(s: string): string {
  const shown = s.length > 60 ? `${s.slice(0, 60)}...` : s;
  return JSON.stringify(shown);
}

