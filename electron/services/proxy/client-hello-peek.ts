/**
 * The intercepting proxy must know the client's SNI and ALPN offer before it
 * opens its own TLS connection upstream (to mirror them), so it reads the
 * first TLS records of the tunnel itself, until the ClientHello is complete,
 * and hands those bytes to the TLS server afterwards.
 */
import { ByteReader, ParseError } from '../../core/bytes/byte-reader';
import type { ClientHelloInfo } from '../../core/session/model';
import { parseClientHello } from '../../core/tls/client-hello';
import { newParseContext } from '../../core/tls/parse-context';

/** A ClientHello larger than this (post-quantum key shares make them ~2 KB; 64 KiB is plenty) is refused. */
export const MAX_CLIENT_HELLO_BYTES = 64 * 1024;

export type ClientHelloPeek =
  | { state: 'need-more' }
  | { state: 'not-tls' }
  | { state: 'malformed'; reason: string }
  | { state: 'done'; hello: ClientHelloInfo };

/**
 * Looks for one complete ClientHello at the start of `bytes` (the tunnel's
 * first bytes from the client).
 *   struct { ContentType type = handshake(22); ProtocolVersion legacy_record_version;
 *            uint16 length; opaque fragment[length]; } TLSPlaintext;      (RFC 8446 5.1)
 *   struct { HandshakeType msg_type = client_hello(1); uint24 length; ClientHello body; } Handshake;
 * The handshake message may span several records.
 */
export function peekClientHello(bytes: Uint8Array): ClientHelloPeek {
  if (bytes.length === 0) return { state: 'need-more' };
  if (bytes[0] !== 22) return { state: 'not-tls' };
  if (bytes.length > MAX_CLIENT_HELLO_BYTES + 5 * 8) return { state: 'malformed', reason: 'ClientHello too large' };
  // Gather the handshake bytes of the leading handshake records.
  const handshake = new Uint8Array(Math.min(bytes.length, MAX_CLIENT_HELLO_BYTES + 4));
  let have = 0;
  let at = 0;
  try {
    while (at + 5 <= bytes.length) {
      const r = new ByteReader(bytes, at);
      const type = r.u8('ContentType');
      const version = r.u16('legacy_record_version');
      const length = r.u16('length');
      if (type !== 22 || (version >> 8) !== 3 || length === 0 || length > 16384) {
        return { state: 'malformed', reason: 'not a TLS handshake record' };
      }
      if (at + 5 + length > bytes.length) break;
      const take = Math.min(length, handshake.length - have);
      handshake.set(bytes.subarray(at + 5, at + 5 + take), have);
      have += take;
      at += 5 + length;
      if (have >= 4) {
        if (handshake[0] !== 1) return { state: 'malformed', reason: 'first handshake message is not a ClientHello' };
        const bodyLength = (handshake[1]! << 16) | (handshake[2]! << 8) | handshake[3]!;
        if (bodyLength > MAX_CLIENT_HELLO_BYTES) return { state: 'malformed', reason: 'ClientHello too large' };
        if (have >= 4 + bodyLength) {
          const hello = parseClientHello(new ByteReader(handshake, 4, 4 + bodyLength), newParseContext(null));
          return { state: 'done', hello };
        }
      }
    }
  } catch (e: unknown) {
    if (e instanceof ParseError) return { state: 'malformed', reason: e.message };
    throw e;
  }
  return { state: 'need-more' };
}
