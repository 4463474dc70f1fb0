/**
 * Makes a TLS 1.3 session that Node hands out ('session' event: OpenSSL's
 * i2d_SSL_SESSION) cheap to resume, by leaving out the server's certificate.
 *
 * Resuming from a Buffer makes OpenSSL decode the whole session again
 * (d2i_SSL_SESSION), certificate included, and decoding an X.509 public key
 * through OpenSSL 3's decoders costs more than the rest of the resumed
 * handshake's key schedule: a tenth of the intercepting proxy's CPU time.
 * Nothing needs that certificate on resumption: the chain was verified in the
 * full handshake that made the session (the session is only offered again for
 * the same name, port and trust, see upstream-sessions.ts), Node does not check
 * the server's identity again on a resumed session, and for a resumed TLS 1.3
 * session without a peer certificate it reports the session as verified
 * (node::crypto VerifyPeerCertificate). A TLS 1.2 session would be reported
 * unverified without it, so only TLS 1.3 sessions whose verification succeeded
 * are slimmed; anything else, or anything not shaped as expected, is kept as is.
 *
 * SSL_SESSION_ASN1 (OpenSSL ssl/ssl_asn1.c), DER:
 *   SEQUENCE {
 *     version            INTEGER,
 *     ssl_version        INTEGER,             -- 0x0304: TLS 1.3
 *     cipher             OCTET STRING,
 *     session_id         OCTET STRING,
 *     master_key         OCTET STRING,
 *     key_arg        [0] IMPLICIT OCTET STRING OPTIONAL,
 *     time           [1] EXPLICIT INTEGER OPTIONAL,
 *     timeout        [2] EXPLICIT INTEGER OPTIONAL,
 *     peer           [3] EXPLICIT Certificate OPTIONAL,    -- left out
 *     session_id_ctx [4] EXPLICIT OCTET STRING OPTIONAL,
 *     verify_result  [5] EXPLICIT INTEGER OPTIONAL,        -- absent: 0 (X509_V_OK)
 *     ... }                                                -- [6]..: kept as they are
 */
import { ParseError } from '../../core/bytes/byte-reader';
import { DerReader, elementBytes, TAG, TagClass, type DerElement } from '../../core/x509/der-reader';

const TLS13 = 0x0304;
const PEER = 3;
const VERIFY_RESULT = 5;

/** `session` without its peer certificate when that is safe (see above); otherwise `session` itself. */
export function withoutPeerCertificate(session: Buffer): Buffer {
  let kept: Uint8Array[];
  try {
    kept = elementsToKeep(session);
  } catch (e: unknown) {
    if (e instanceof ParseError) return session;
    throw e;
  }
  if (kept.length === 0) return session;
  let length = 0;
  for (const k of kept) length += k.length;
  const head = derHeader(0x30, length);
  const out = Buffer.allocUnsafe(head.length + length);
  out.set(head, 0);
  let at = head.length;
  for (const k of kept) {
    out.set(k, at);
    at += k.length;
  }
  return out;
}

/** The session's elements, the peer certificate left out; none: keep the session as it is. */
function elementsToKeep(session: Uint8Array): Uint8Array[] {
  const outer = DerReader.of(session);
  const sequence = outer.expect(TAG.SEQUENCE, 'SSL_SESSION');
  if (!outer.atEnd) return [];
  const d = sequence.contents;
  const kept: Uint8Array[] = [];
  const version = d.expect(TAG.INTEGER, 'version');
  const sslVersion = d.expect(TAG.INTEGER, 'ssl_version');
  if (integerValue(sslVersion) !== TLS13) return [];
  kept.push(elementBytes(version), elementBytes(sslVersion));
  let peerFound = false;
  while (!d.atEnd) {
    const e = d.next('session field');
    if (e.cls === TagClass.Context && e.tag === PEER) {
      peerFound = true;
      continue;
    }
    if (e.cls === TagClass.Context && e.tag === VERIFY_RESULT) {
      const result = e.contents.expect(TAG.INTEGER, 'verify_result');
      if (integerValue(result) !== 0) return [];
    }
    kept.push(elementBytes(e));
  }
  return peerFound ? kept : [];
}

/** A small non-negative INTEGER's value; -1 for anything else (negative, empty, longer than 4 octets). */
function integerValue(e: DerElement): number {
  const v = e.contents.bytes();
  if (v.length === 0 || v.length > 4 || (v[0]! & 0x80) !== 0) return -1;
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

/** Identifier and DER length octets (X.690 8.1.3: short form below 128, else the fewest length octets). */
function derHeader(identifier: number, length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(identifier, length);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n & 0xff);
  return Uint8Array.of(identifier, 0x80 | octets.length, ...octets);
}
