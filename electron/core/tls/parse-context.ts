import type { FieldSink } from './field-tree-builder';

/**
 * What a handshake-message parser gets besides the bytes: the field-tree sink
 * (null on the hot path), a list for non-fatal problems (an extension whose
 * contents are malformed while its outer length is sound), and the connection
 * state some message forms depend on.
 */
export interface ParseContext {
  t: FieldSink;
  problems: string[];
  /** Negotiated version (ServerHello, supported_versions first); null when unknown. */
  version: number | null;
  /** Negotiated cipher suite; null when unknown. */
  cipherSuite: number | null;
}

export function newParseContext(t: FieldSink, version: number | null = null, cipherSuite: number | null = null): ParseContext {
  return { t, problems: [], version, cipherSuite };
}

/** TLS 1.3 and its drafts (0x7fxx) share the 1.3 message forms. */
export function isTls13(version: number | null): boolean {
  return version === 0x0304 || (version !== null && (version & 0xff00) === 0x7f00);
}

const utf8 = new TextDecoder('utf-8');

/** Host names and ALPN ids as tshark shows them (UTF-8; invalid sequences become U+FFFD). */
export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
