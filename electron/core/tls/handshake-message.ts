import { ByteReader } from '../bytes/byte-reader';
import type { ClientHelloInfo, HandshakeTypeName, MessageType, ServerHelloInfo, ServerKeyExchangeInfo } from '../session/model';
import { handshakeTypeName } from './registries';
import type { ParseContext } from './parse-context';
import { parseClientHello } from './client-hello';
import { isHelloRetryRequest, parseServerHello } from './server-hello';
import { parseCertificate } from './certificate-message';
import { parseServerKeyExchange } from './server-key-exchange';
import {
  parseCertificateRequest,
  parseCertificateStatus,
  parseCertificateVerify,
  parseClientKeyExchange,
  parseCompressedCertificate,
  parseEncryptedExtensions,
  parseFinished,
  parseHelloVerifyRequest,
  parseKeyUpdate,
  parseNewSessionTicket,
} from './other-handshake-messages';

/** The handshake types the session model names (its `HandshakeTypeName`). */
const MODEL_NAMES: ReadonlySet<string> = new Set<HandshakeTypeName>([
  'hello_request', 'client_hello', 'server_hello', 'hello_retry_request', 'hello_verify_request',
  'new_session_ticket', 'end_of_early_data', 'encrypted_extensions', 'certificate', 'server_key_exchange',
  'certificate_request', 'server_hello_done', 'certificate_verify', 'client_key_exchange', 'finished',
  'certificate_url', 'certificate_status', 'supplemental_data', 'key_update', 'compressed_certificate', 'message_hash',
]);

/**
 * The message type of a handshake message: the IANA name, `hello_retry_request`
 * for a ServerHello with the RFC 8446 4.1.3 random, `unknown_<n>` otherwise.
 */
export function handshakeMessageType(msgType: number, raw: Uint8Array): MessageType {
  if (msgType === 2 && isHelloRetryRequest(raw)) return 'hello_retry_request';
  // Every message asks (twice): one lookup in a table made once, no string built.
  return MESSAGE_TYPE_BY_BYTE[msgType & 0xff]!;
}

/** `handshakeMessageType` of every type byte but HelloRetryRequest's. */
const MESSAGE_TYPE_BY_BYTE: readonly MessageType[] = Array.from({ length: 256 }, (_, msgType): MessageType => {
  const name = handshakeTypeName(msgType);
  if (name !== null && MODEL_NAMES.has(name)) return name as HandshakeTypeName;
  return `unknown_${msgType}`;
});

/**
 * The readers of the message being parsed, reused: a message's parsers never
 * parse another handshake message through here, and keep no reader.
 */
const headReader = new ByteReader(new Uint8Array(0));
const bodyReader = new ByteReader(new Uint8Array(0));

/** The typed facts of one handshake message (only the messages the session model types). */
export interface HandshakeFacts {
  clientHello?: ClientHelloInfo;
  serverHello?: ServerHelloInfo;
  serverKeyExchange?: ServerKeyExchangeInfo;
  certificates?: Uint8Array[];
}

/**
 * RFC 8446 4:
 *   struct {
 *       HandshakeType msg_type;    // uint8
 *       uint24 length;             // bytes in message
 *       select (Handshake.msg_type) { ... };
 *   } Handshake;
 * `raw` is the header plus the whole body. Throws `ParseError` when the body
 * does not have the shape its type says (the caller turns that into a warning).
 */
export function parseHandshakeMessage(raw: Uint8Array, ctx: ParseContext): HandshakeFacts {
  const facts: HandshakeFacts = {};
  parseHandshakeMessageInto(raw, ctx, facts);
  return facts;
}

/**
 * `parseHandshakeMessage`, its facts set on `out` (the decoder's message
 * event, made once per message) instead of a fresh object to copy from;
 * nothing is set when it throws.
 */
export function parseHandshakeMessageInto(raw: Uint8Array, ctx: ParseContext, out: HandshakeFacts): void {
  const t = ctx.t;
  const head = headReader.reset(raw);
  const msgType = head.u8('msg_type');
  const length = head.u24('length');
  const type = handshakeMessageType(msgType, raw);
  t?.add('msg_type', `${type} (${msgType})`, 0, 1);
  t?.add('length', `${length}`, 1, 3);
  head.skip(length, 'handshake body');
  const r = bodyReader.reset(raw, 4, 4 + length);
  switch (msgType) {
    case 1:
      out.clientHello = parseClientHello(r, ctx);
      return;
    case 2:
      out.serverHello = parseServerHello(r, ctx);
      return;
    case 3:
      parseHelloVerifyRequest(r, ctx);
      return;
    case 4:
      parseNewSessionTicket(r, ctx);
      return;
    case 8:
      parseEncryptedExtensions(r, ctx);
      return;
    case 11:
      out.certificates = parseCertificate(r, ctx);
      return;
    case 12:
      out.serverKeyExchange = parseServerKeyExchange(r, ctx);
      return;
    case 13:
      parseCertificateRequest(r, ctx);
      return;
    case 15:
      parseCertificateVerify(r, ctx);
      return;
    case 16:
      parseClientKeyExchange(r, ctx);
      return;
    case 20:
      parseFinished(r, ctx);
      return;
    case 22:
      parseCertificateStatus(r, ctx);
      return;
    case 24:
      parseKeyUpdate(r, ctx);
      return;
    case 25: {
      const certificates = parseCompressedCertificate(r, ctx);
      if (certificates) out.certificates = certificates;
      return;
    }
    case 0: // hello_request: struct {} HelloRequest;
    case 5: // end_of_early_data: struct {} EndOfEarlyData;
    case 14: // server_hello_done: struct {} ServerHelloDone;
      r.expectEnd(type);
      return;
    default:
      if (length > 0) t?.add('body', `${length} bytes`, 4, length);
      return;
  }
}
