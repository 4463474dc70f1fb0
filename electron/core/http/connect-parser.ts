/**
 * HTTP CONNECT (RFC 9110 §9.3.6) at the start of a TCP stream: the request
 *
 *   CONNECT server.example.com:443 HTTP/1.1
 *   Host: server.example.com:443
 *
 * and its answer. A 2xx answer turns the connection into a tunnel (no body; the
 * next bytes are the tunnelled protocol, usually TLS). Any other status (407
 * Proxy Authentication Required, ...) may carry a body, after which the client
 * may send another CONNECT on the same connection.
 *
 * The head itself is parsed by `HttpHeadParser`; this module adds the CONNECT
 * specifics: a cheap first-bytes test, the authority, and what follows a head.
 */
import type { HttpHead } from './http-head-parser';
import { headerValue } from './http-head-parser';

export { HttpHeadParser, headerValue, DEFAULT_MAX_HEAD_BYTES } from './http-head-parser';
export type { HttpHead, HttpHeadResult } from './http-head-parser';

/** Whether the first bytes of a stream direction are the start of a CONNECT request. */
export function looksLikeHttpConnect(firstBytes: Uint8Array): boolean {
  return startsWithAscii(firstBytes, 'CONNECT ');
}

/** Whether the first bytes of a stream direction are the start of an HTTP/1.x response. */
export function looksLikeHttpResponse(firstBytes: Uint8Array): boolean {
  return startsWithAscii(firstBytes, 'HTTP/1.');
}

function startsWithAscii(b: Uint8Array, text: string): boolean {
  if (b.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * The host and port of a CONNECT request target, `authority-form` (RFC 9112
 * §3.2.3): `host:port`, with an IPv6 host in brackets. `null` if malformed.
 */
export function parseConnectAuthority(target: string): { host: string; port: number } | null {
  const colon = target.lastIndexOf(':');
  if (colon <= 0 || colon === target.length - 1) return null;
  const portText = target.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535) return null;
  let host = target.slice(0, colon);
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return null;
    host = host.slice(1, -1);
  }
  if (host.length === 0 || /[\s/@]/.test(host)) return null;
  return { host, port };
}

/**
 * What follows a head on the wire (RFC 9112 §6.3):
 * - `tunnel`: a 2xx answer to CONNECT; the rest of the connection is the tunnel.
 * - `{length}`: a body of exactly that many bytes (0 for none).
 * - `chunked`: a chunked body (Transfer-Encoding ending in chunked).
 * - `until-close`: a response body delimited by the connection's end.
 */
export type HttpBodyFraming = 'tunnel' | 'chunked' | 'until-close' | { length: number };

export function bodyFraming(head: HttpHead, requestMethod?: string): HttpBodyFraming {
  if (head.kind === 'response') {
    const status = head.status ?? 0;
    if (requestMethod === 'CONNECT' && status >= 200 && status < 300) return 'tunnel';
    if ((status >= 100 && status < 200) || status === 204 || status === 304) return { length: 0 };
    if (requestMethod === 'HEAD') return { length: 0 };
  }
  const te = headerValue(head, 'transfer-encoding');
  if (te !== undefined && /(^|,)\s*chunked\s*$/i.test(te)) return 'chunked';
  const cl = headerValue(head, 'content-length');
  if (cl !== undefined && /^\d{1,15}$/.test(cl)) return { length: Number(cl) };
  return head.kind === 'request' ? { length: 0 } : 'until-close';
}

/**
 * Skips a message body given its framing, across pushes. `push` returns the
 * bytes after the body once it is complete. Chunked bodies (RFC 9112 §7.1):
 *   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF ; last-chunk = 1*"0" CRLF ; trailers ; CRLF
 * Chunk-size lines and trailer lines are bounded (a hostile line ends in an error).
 */
export class HttpBodySkipper {
  private remaining: number;
  private readonly chunked: boolean;
  private state: 'data' | 'size' | 'data-crlf' | 'trailer' | 'done';
  private line = '';

  constructor(framing: 'chunked' | { length: number }) {
    this.chunked = framing === 'chunked';
    if (framing === 'chunked') {
      this.remaining = 0;
      this.state = 'size';
    } else {
      this.remaining = framing.length;
      this.state = framing.length === 0 ? 'done' : 'data';
    }
  }

  push(data: Uint8Array): { done: false } | { done: true; rest: Uint8Array } | { done: true; error: string } {
    let i = 0;
    for (;;) {
      if (this.state === 'done') return { done: true, rest: data.subarray(i) };
      if (i >= data.length) return { done: false };
      if (this.state === 'data') {
        const n = Math.min(this.remaining, data.length - i);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = this.chunked ? 'data-crlf' : 'done';
        continue;
      }
      // Line-oriented states: collect up to LF (a CR before it is dropped).
      const c = data[i++]!;
      if (c !== 0x0a) {
        if (c !== 0x0d) {
          if (this.line.length >= 1024) return { done: true, error: 'HTTP chunked body: line too long' };
          this.line += String.fromCharCode(c);
        }
        continue;
      }
      const line = this.line;
      this.line = '';
      if (this.state === 'data-crlf') {
        if (line.length !== 0) return { done: true, error: 'HTTP chunked body: no CRLF after chunk data' };
        this.state = 'size';
      } else if (this.state === 'size') {
        const m = /^([0-9A-Fa-f]{1,12})\s*(;.*)?$/.exec(line);
        if (m === null) return { done: true, error: `HTTP chunked body: bad chunk size ${JSON.stringify(line.slice(0, 40))}` };
        const size = parseInt(m[1]!, 16);
        if (size === 0) {
          this.state = 'trailer';
        } else {
          this.remaining = size;
          this.state = 'data';
        }
      } else if (line.length === 0) {
        this.state = 'done'; // the empty line after the trailer fields
      }
    }
  }
}
