import type { ByteReader } from '../bytes/byte-reader';
import type { ServerKeyExchangeInfo } from '../session/model';
import type { ParseContext } from './parse-context';
import { cipherSuiteInfo, groupName } from './registries';
import { groupLabel, signatureSchemeLabel } from './labels';

/**
 * ServerKeyExchange: which form is on the wire depends on the negotiated
 * cipher suite's key exchange (RFC 5246 7.4.3):
 *   select (KeyExchangeAlgorithm) {
 *       case dhe_dss: case dhe_rsa:  ServerDHParams params;  digitally-signed struct { ... } signed_params;
 *       case ec_diffie_hellman:      ServerECDHParams params; Signature signed_params;   (RFC 8422 5.4)
 *       case rsa: case dh_dss: case dh_rsa: struct {};   (no ServerKeyExchange)
 *   } ServerKeyExchange;
 * Anonymous and PSK variants have other shapes: kind 'unknown'.
 * Without a known cipher suite (field tree of the message alone) the shape is guessed.
 */
export function parseServerKeyExchange(r: ByteReader, ctx: ParseContext): ServerKeyExchangeInfo {
  const form = keyExchangeForm(ctx.cipherSuite, r);
  if (form === 'ecdhe') return ecdhe(r, ctx);
  if (form === 'dhe') return dhe(r, ctx);
  const at = r.position;
  const n = r.remaining;
  r.skip(r.remaining);
  ctx.t?.add('params', `${n} bytes`, at, n);
  return { kind: 'unknown', group: null, groupName: null, dhPrimeBits: null, publicKeyLength: 0, signatureScheme: null, signatureLength: 0 };
}

function keyExchangeForm(cipherSuite: number | null, r: ByteReader): 'ecdhe' | 'dhe' | 'unknown' {
  const info = cipherSuite === null ? null : cipherSuiteInfo(cipherSuite);
  if (info) {
    const auth = info.authentication;
    if (auth === 'anon' || auth === 'PSK' || auth === 'NULL') return 'unknown';
    if (info.keyExchange === 'ECDHE') return 'ecdhe';
    if (info.keyExchange === 'DHE') return 'dhe';
    return 'unknown';
  }
  // curve_type named_curve (3) with a plausible point length, else DH params.
  if (r.peek(0) === 3 && r.remaining > 4) return 'ecdhe';
  return r.remaining > 6 ? 'dhe' : 'unknown';
}

/**
 * RFC 8422 5.4:
 *   struct { ECCurveType curve_type; select (curve_type) { case named_curve: NamedCurve namedcurve; }; } ECParameters;
 *   struct { opaque point <1..2^8-1>; } ECPoint;
 *   struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
 */
function ecdhe(r: ByteReader, ctx: ParseContext): ServerKeyExchangeInfo {
  const t = ctx.t;
  let at = r.position;
  const curveType = r.u8('curve_type');
  t?.add('curve_type', curveType === 3 ? 'named_curve (3)' : `unknown (${curveType})`, at, 1);
  if (curveType !== 3) {
    const n = r.remaining;
    r.skip(r.remaining);
    t?.add('params', `${n} bytes`, r.position - n, n);
    return { kind: 'ecdhe', group: null, groupName: null, dhPrimeBits: null, publicKeyLength: 0, signatureScheme: null, signatureLength: 0 };
  }
  at = r.position;
  const group = r.u16('namedcurve');
  t?.add('namedcurve', groupLabel(group), at, 2);
  at = r.position;
  // (Lengths read and skipped: the same checks and errors as a vector's reader, without one.)
  const publicKeyLength = r.u8('point');
  r.skip(publicKeyLength, 'point');
  t?.add('point', `${publicKeyLength} bytes`, at, 1 + publicKeyLength);
  signature(r, ctx);
  return { kind: 'ecdhe', group, groupName: groupName(group), dhPrimeBits: null, publicKeyLength, signatureScheme, signatureLength };
}

/**
 * RFC 5246 7.4.3:
 *   struct { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>; opaque dh_Ys<1..2^16-1>; } ServerDHParams;
 */
function dhe(r: ByteReader, ctx: ParseContext): ServerKeyExchangeInfo {
  const t = ctx.t;
  let at = r.position;
  const p = r.vec16('dh_p').rest();
  const bits = bitLength(p);
  t?.add('dh_p', `${p.length} bytes (${bits} bits)`, at, 2 + p.length);
  at = r.position;
  const g = r.vec16('dh_g').rest();
  t?.add('dh_g', `${g.length} bytes`, at, 2 + g.length);
  at = r.position;
  const ys = r.vec16('dh_Ys').rest();
  t?.add('dh_Ys', `${ys.length} bytes`, at, 2 + ys.length);
  signature(r, ctx);
  return { kind: 'dhe', group: null, groupName: null, dhPrimeBits: bits, publicKeyLength: ys.length, signatureScheme, signatureLength };
}

/**
 * TLS 1.2 (RFC 5246 4.7):  struct { SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>; } DigitallySigned;
 * TLS 1.0/1.1, SSL 3.0:    opaque signature<0..2^16-1>   (algorithm implied by the certificate)
 * Told apart by the negotiated version, or by which form's length fits when it is unknown.
 * Sets `signatureScheme` and `signatureLength` (read at once by the caller: no object per message).
 */
function signature(r: ByteReader, ctx: ParseContext): void {
  const t = ctx.t;
  signatureScheme = null;
  signatureLength = 0;
  if (r.atEnd) return;
  let withScheme: boolean;
  if (ctx.version !== null) withScheme = ctx.version === 0x0303 || ctx.version === 0xfefd; // TLS 1.2, DTLS 1.2
  else withScheme = r.remaining >= 4 && ((r.peek(2)! << 8) | r.peek(3)!) + 4 === r.remaining;
  if (withScheme) {
    const at = r.position;
    signatureScheme = r.u16('SignatureAndHashAlgorithm');
    t?.add('algorithm', signatureSchemeLabel(signatureScheme), at, 2);
  }
  const at = r.position;
  signatureLength = r.u16('signature');
  r.skip(signatureLength, 'signature');
  t?.add('signature', `${signatureLength} bytes`, at, 2 + signatureLength);
  r.expectEnd('server_key_exchange');
}

/** What `signature` read last. */
let signatureScheme: number | null = null;
let signatureLength = 0;

function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}
