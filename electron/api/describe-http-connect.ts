/**
 * The field tree of an HTTP CONNECT request or its answer, for the message
 * view: the start line split into its parts, one field a header line, then
 * any bytes after the header block. The core's describeMessage shows these
 * messages as one undecoded field; this belongs beside it in core/http once
 * that folder is free to change.
 *
 * RFC 9110 9.3.6 / RFC 9112 3, 4, 5:
 *   HTTP-message = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
 *   request-line = method SP request-target SP HTTP-version
 *   status-line  = HTTP-version SP status-code SP [ reason-phrase ]
 *   field-line   = field-name ":" OWS field-value OWS
 */
import { ByteReader } from '../core/bytes/byte-reader';
import type { FieldNode } from '../core/session/field-tree';

/** More header lines than any proxy sends; the rest shows as one field. */
const MAX_LINES = 200;
const CR = 0x0d;
const LF = 0x0a;
const latin1 = new TextDecoder('latin1');

interface Line {
  offset: number;
  /** Without the line ending. */
  text: string;
  /** With the line ending (CRLF, or a bare LF as lenient parsers accept). */
  length: number;
}

/** The next line of `r`, or null when no line ending follows (the bytes are left unread). */
function readLine(r: ByteReader): Line | null {
  const offset = r.offset;
  for (let i = 0; i < r.remaining; i++) {
    if (r.peek(i) !== LF) continue;
    const contentLength = i > 0 && r.peek(i - 1) === CR ? i - 1 : i;
    const bytes = r.bytesView(i + 1, 'HTTP line');
    return { offset, text: latin1.decode(bytes.subarray(0, contentLength)), length: i + 1 };
  }
  return null;
}

/** The start line's three parts as children, each at its own bytes. */
function startLineParts(line: Line, names: readonly [string, string, string]): FieldNode[] {
  const first = line.text.indexOf(' ');
  const second = first < 0 ? -1 : line.text.indexOf(' ', first + 1);
  if (first < 0) return [];
  const parts: FieldNode[] = [{ name: names[0], value: line.text.slice(0, first), offset: line.offset, length: first }];
  const end2 = second < 0 ? line.text.length : second;
  parts.push({ name: names[1], value: line.text.slice(first + 1, end2), offset: line.offset + first + 1, length: end2 - first - 1 });
  if (second >= 0) parts.push({ name: names[2], value: line.text.slice(second + 1), offset: line.offset + second + 1, length: line.text.length - second - 1 });
  return parts;
}

export function describeHttpConnect(raw: Uint8Array, kind: 'connect_request' | 'connect_response'): FieldNode[] {
  const r = new ByteReader(raw);
  const out: FieldNode[] = [];
  const start = readLine(r);
  if (!start) return [{ name: kind, value: `${raw.length} bytes (no complete line)`, offset: 0, length: raw.length }];
  const isRequest = kind === 'connect_request';
  out.push({
    name: isRequest ? 'request_line' : 'status_line',
    value: start.text,
    offset: start.offset,
    length: start.length,
    children: startLineParts(start, isRequest ? ['method', 'request_target', 'http_version'] : ['http_version', 'status_code', 'reason_phrase']),
  });
  for (let n = 0; n < MAX_LINES; n++) {
    const line = readLine(r);
    if (!line) break;
    if (line.text === '') {
      out.push({ name: 'end_of_headers', offset: line.offset, length: line.length });
      break;
    }
    const colon = line.text.indexOf(':');
    out.push(
      colon > 0
        ? { name: line.text.slice(0, colon), value: line.text.slice(colon + 1).trim(), offset: line.offset, length: line.length }
        : { name: 'malformed_field_line', value: line.text, offset: line.offset, length: line.length },
    );
  }
  if (!r.atEnd) out.push({ name: 'remaining', value: `${r.remaining} bytes`, offset: r.offset, length: r.remaining });
  return out;
}
