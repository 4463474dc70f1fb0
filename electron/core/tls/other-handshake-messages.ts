import { ByteReader } from '../bytes/byte-reader';
import { decompressCertificateMessage } from './certificate-decompression';
import { parseCertificate } from './certificate-message';
import type { ParseContext } from './parse-context';
import { isTls13 } from './parse-context';
import { emptyExtensionFacts, parseExtensionBlock } from './extensions';
import { hex16, signatureSchemeLabel } from './labels';
import { readProtocolVersion } from './hello-fields';

/**
 * The handshake messages whose contents only the field tree shows (the session
 * model keeps their raw bytes and length). Each quotes its struct.
 */

/**
 * RFC 5246 7.4.4 (TLS 1.2; without supported_signature_algorithms before 1.2):
 *   struct {
 *       ClientCertificateType certificate_types<1..2^8-1>;
 *       SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;
 *       DistinguishedName certificate_authorities<0..2^16-1>;
 *   } CertificateRequest;
 * RFC 8446 4.3.2 (TLS 1.3):
 *   struct { opaque certificate_request_context<0..2^8-1>; Extension extensions<2..2^16-1>; } CertificateRequest;
 */
export function parseCertificateRequest(r: ByteReader, ctx: ParseContext): void {
  const t = ctx.t;
  if (isTls13(ctx.version)) {
    const at = r.position;
    const context = r.vec8('certificate_request_context');
    t?.add('certificate_request_context', `${context.remaining} bytes`, at, 1 + context.remaining);
    context.skip(context.remaining);
    parseExtensionBlock(r, 'certificate_request', ctx, emptyExtensionFacts());
    r.expectEnd('certificate_request');
    return;
  }
  const types = r.vec8('certificate_types');
  t?.open('certificate_types', `${types.remaining} types`, types.position - 1, 1 + types.remaining);
  while (!types.atEnd) {
    const at = types.position;
    const ct = types.u8('ClientCertificateType');
    t?.add('ClientCertificateType', clientCertificateTypeLabel(ct), at, 1);
  }
  t?.close();
  // TLS 1.2 has the signature list; older versions go straight to the CAs. Unknown version: whichever fits.
  const withSignatures = ctx.version !== null ? ctx.version === 0x0303 || ctx.version === 0xfefd : !casFillRest(r);
  if (withSignatures) {
    const algs = r.vec16('supported_signature_algorithms');
    t?.open('supported_signature_algorithms', `${algs.remaining >> 1} schemes`, algs.position - 2, 2 + algs.remaining);
    while (!algs.atEnd) {
      const at = algs.position;
      const s = algs.u16('SignatureAndHashAlgorithm');
      t?.add('SignatureScheme', signatureSchemeLabel(s), at, 2);
    }
    t?.close();
  }
  const cas = r.vec16('certificate_authorities');
  t?.open('certificate_authorities', `${cas.remaining} bytes`, cas.position - 2, 2 + cas.remaining);
  while (!cas.atEnd) {
    const at = cas.position;
    const dn = cas.vec16('DistinguishedName');
    t?.add('DistinguishedName', `${dn.remaining} bytes`, at, 2 + dn.remaining);
    dn.skip(dn.remaining);
  }
  t?.close();
  r.expectEnd('certificate_request');
}

function casFillRest(r: ByteReader): boolean {
  return r.remaining >= 2 && ((r.peek(0)! << 8) | r.peek(1)!) + 2 === r.remaining;
}

function clientCertificateTypeLabel(ct: number): string {
  const names: Record<number, string> = { 1: 'rsa_sign', 2: 'dss_sign', 3: 'rsa_fixed_dh', 4: 'dss_fixed_dh', 5: 'rsa_ephemeral_dh', 6: 'dss_ephemeral_dh', 20: 'fortezza_dms', 64: 'ecdsa_sign', 65: 'rsa_fixed_ecdh', 66: 'ecdsa_fixed_ecdh' };
  return `${names[ct] ?? 'unknown'} (${ct})`;
}

/**
 * RFC 5077 3.3 (TLS <= 1.2):
 *   struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket;
 * RFC 8446 4.6.1 (TLS 1.3):
 *   struct {
 *       uint32 ticket_lifetime; uint32 ticket_age_add; opaque ticket_nonce<0..255>;
 *       opaque ticket<1..2^16-1>; Extension extensions<0..2^16-2>;
 *   } NewSessionTicket;
 */
export function parseNewSessionTicket(r: ByteReader, ctx: ParseContext): void {
  const t = ctx.t;
  const tls13 = ctx.version !== null ? isTls13(ctx.version) : !(r.remaining >= 6 && ((r.peek(4)! << 8) | r.peek(5)!) + 6 === r.remaining);
  let at = r.position;
  const lifetime = r.u32(tls13 ? 'ticket_lifetime' : 'ticket_lifetime_hint');
  t?.add(tls13 ? 'ticket_lifetime' : 'ticket_lifetime_hint', `${lifetime} seconds`, at, 4);
  if (tls13) {
    at = r.position;
    const ageAdd = r.u32('ticket_age_add');
    t?.add('ticket_age_add', `${ageAdd}`, at, 4);
    at = r.position;
    // (Lengths read and skipped: the same checks and errors as a vector's reader, without one.)
    const nonce = r.u8('ticket_nonce');
    r.skip(nonce, 'ticket_nonce');
    t?.add('ticket_nonce', `${nonce} bytes`, at, 1 + nonce);
  }
  at = r.position;
  const ticket = r.u16('ticket');
  r.skip(ticket, 'ticket');
  t?.add('ticket', `${ticket} bytes`, at, 2 + ticket);
  if (tls13) parseExtensionBlock(r, 'new_session_ticket', ctx, emptyExtensionFacts());
  r.expectEnd('new_session_ticket');
}

/**
 * RFC 6066 8:
 *   struct { CertificateStatusType status_type; select (status_type) { case ocsp: OCSPResponse; } response; } CertificateStatus;
 *   opaque OCSPResponse<1..2^24-1>;
 */
export function parseCertificateStatus(r: ByteReader, ctx: ParseContext): void {
  const t = ctx.t;
  let at = r.position;
  const type = r.u8('status_type');
  t?.add('status_type', type === 1 ? 'ocsp (1)' : `unknown (${type})`, at, 1);
  at = r.position;
  const resp = r.vec24('OCSPResponse');
  t?.add('OCSPResponse', `${resp.remaining} bytes`, at, 3 + resp.remaining);
  resp.skip(resp.remaining);
  r.expectEnd('certificate_status');
}

/** RFC 8446 4.6.3: enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest; */
export function parseKeyUpdate(r: ByteReader, ctx: ParseContext): void {
  const at = r.position;
  const v = r.u8('request_update');
  ctx.t?.add('request_update', v === 0 ? 'update_not_requested (0)' : v === 1 ? 'update_requested (1)' : `unknown (${v})`, at, 1);
  r.expectEnd('key_update');
}

/** RFC 8446 4.4.4: struct { opaque verify_data[Hash.length]; } Finished; (12 bytes in TLS 1.0-1.2) */
export function parseFinished(r: ByteReader, ctx: ParseContext): void {
  const at = r.position;
  const n = r.remaining;
  r.skip(r.remaining);
  ctx.t?.add('verify_data', `${n} bytes`, at, n);
}

/** RFC 8446 4.3.1: struct { Extension extensions<0..2^16-1>; } EncryptedExtensions; */
export function parseEncryptedExtensions(r: ByteReader, ctx: ParseContext): void {
  parseExtensionBlock(r, 'encrypted_extensions', ctx, emptyExtensionFacts());
  r.expectEnd('encrypted_extensions');
}

/**
 * RFC 8446 4.4.3 (and RFC 5246 7.4.8 for TLS 1.2; TLS <= 1.1 has no algorithm):
 *   struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; } CertificateVerify;
 */
export function parseCertificateVerify(r: ByteReader, ctx: ParseContext): void {
  const t = ctx.t;
  const withScheme = ctx.version !== null ? ctx.version === 0x0303 || isTls13(ctx.version) || ctx.version === 0xfefd
    : r.remaining >= 4 && ((r.peek(2)! << 8) | r.peek(3)!) + 4 === r.remaining;
  if (withScheme) {
    const at = r.position;
    const s = r.u16('algorithm');
    t?.add('algorithm', signatureSchemeLabel(s), at, 2);
  }
  const at = r.position;
  if (ctx.version === 0x0300) {
    // SSL 3.0: the signature is the rest of the message, no length prefix.
    const n = r.remaining;
    r.skip(r.remaining);
    t?.add('signature', `${n} bytes`, at, n);
    return;
  }
  const sig = r.vec16('signature');
  t?.add('signature', `${sig.remaining} bytes`, at, 2 + sig.remaining);
  sig.skip(sig.remaining);
  r.expectEnd('certificate_verify');
}

/**
 * RFC 5246 7.4.7 / RFC 8422 5.7: the exchange keys, whose form follows the key exchange:
 *   RSA: EncryptedPreMasterSecret (opaque <0..2^16-1>; SSL 3.0: no length);
 *   DHE: opaque dh_Yc<1..2^16-1>;  ECDHE: opaque point <1..2^8-1>.
 * The field tree shows which length prefix fits.
 */
export function parseClientKeyExchange(r: ByteReader, ctx: ParseContext): void {
  const t = ctx.t;
  const at = r.position;
  const n = r.remaining;
  // (Each form's length fits exactly: skipped whole, no reader over it.)
  if (n >= 1 && r.peek(0)! + 1 === n) {
    r.skip(n, 'point');
    t?.add('ecdh_Yc', `${n - 1} bytes`, at, n);
    return;
  }
  if (n >= 2 && ((r.peek(0)! << 8) | r.peek(1)!) + 2 === n) {
    r.skip(n, 'exchange_keys');
    t?.add('exchange_keys', `${n - 2} bytes`, at, n);
    return;
  }
  r.skip(r.remaining);
  t?.add('exchange_keys', `${n} bytes`, at, n);
}

/** RFC 6347 4.2.1: struct { ProtocolVersion server_version; opaque cookie<0..2^8-1>; } HelloVerifyRequest; */
export function parseHelloVerifyRequest(r: ByteReader, ctx: ParseContext): void {
  const t = ctx.t;
  readProtocolVersion(r, t, 'server_version');
  const at = r.position;
  const cookie = r.vec8('cookie');
  t?.add('cookie', `${cookie.remaining} bytes`, at, 1 + cookie.remaining);
  cookie.skip(cookie.remaining);
  r.expectEnd('hello_verify_request');
}

/**
 * RFC 8879 4:
 *   struct {
 *       CertificateCompressionAlgorithm algorithm; uint24 uncompressed_length;
 *       opaque compressed_certificate_message<1..2^24-1>;
 *   } CompressedCertificate;
 * Returns the DER of each certificate of the Certificate message inside
 * (TLS 1.3 form), or null when it cannot be decompressed (a problem is noted).
 */
export function parseCompressedCertificate(r: ByteReader, ctx: ParseContext): Uint8Array[] | null {
  const t = ctx.t;
  let at = r.position;
  const alg = r.u16('algorithm');
  t?.add('algorithm', `${({ 1: 'zlib', 2: 'brotli', 3: 'zstd' } as Record<number, string>)[alg] ?? 'unknown'} (${hex16(alg)})`, at, 2);
  at = r.position;
  const len = r.u24('uncompressed_length');
  t?.add('uncompressed_length', `${len}`, at, 3);
  at = r.position;
  const body = r.vec24('compressed_certificate_message');
  t?.add('compressed_certificate_message', `${body.remaining} bytes`, at, 3 + body.remaining);
  const compressed = body.rest();
  r.expectEnd('compressed_certificate');
  // A field tree shows the message as sent; only the dissection (no tree) needs the certificates inside.
  if (t) return null;
  const inflated = decompressCertificateMessage(alg, len, compressed);
  if (!inflated.ok) {
    ctx.problems.push(inflated.reason);
    return null;
  }
  // The inner message is a Certificate body (RFC 8879 4: "the Certificate message ... without the handshake header").
  // Its fields are offsets into the inflated bytes, not `raw`: they stay out of the field tree.
  return parseCertificate(new ByteReader(inflated.message), { ...ctx, t: null, version: 0x0304 });
}
