/**
 * The TLS record layer's numbers, and what a record header may look like.
 *
 * RFC 8446 5.1 (the same header since SSL 3.0, RFC 6101 5.2.1 / RFC 5246 6.2.1):
 *   struct {
 *       ContentType type;                          // uint8
 *       ProtocolVersion legacy_record_version;     // uint16
 *       uint16 length;                             // <= 2^14 (+2048 when protected, RFC 5246 6.2.3)
 *       opaque fragment[TLSPlaintext.length];
 *   } TLSPlaintext;
 */
export const ContentType = {
  CHANGE_CIPHER_SPEC: 20,
  ALERT: 21,
  HANDSHAKE: 22,
  APPLICATION_DATA: 23,
  HEARTBEAT: 24,
} as const;

export const RECORD_HEADER_LENGTH = 5;
/** 2^14 + 2048: the largest TLSCiphertext fragment RFC 5246 6.2.3 allows. */
export const MAX_RECORD_LENGTH = 16384 + 2048;
/** Application data keeps only this much of each record (counted, not stored). */
export const APPLICATION_DATA_HEAD = 64;

/** A plausible TLS record header at `at` (type 20..24, version 3.x, length in bounds). */
export function isRecordHeader(b: Uint8Array, at: number): boolean {
  if (at + RECORD_HEADER_LENGTH > b.length) return false;
  const type = b[at]!;
  if (type < 20 || type > 24) return false;
  if (b[at + 1] !== 3 || b[at + 2]! > 4) return false;
  return ((b[at + 3]! << 8) | b[at + 4]!) <= MAX_RECORD_LENGTH;
}

/**
 * An SSL 2.0-format ClientHello header at `at` (RFC 5246 E.2): a 2-byte
 * length with the high bit set, msg_type 1 (CLIENT-HELLO) and a version of
 * SSL 2.0 (0x0002) or 3.x.
 */
export function isSslv2ClientHelloHeader(b: Uint8Array, at: number): boolean {
  if (at + 5 > b.length) return false;
  if ((b[at]! & 0x80) === 0 || b[at + 2] !== 1) return false;
  const major = b[at + 3]!;
  const minor = b[at + 4]!;
  const length = ((b[at]! & 0x7f) << 8) | b[at + 1]!;
  return length >= 9 && ((major === 0 && minor === 2) || (major === 3 && minor <= 4));
}

/** Whether a byte stream starts like TLS: a record header, or an SSLv2-format ClientHello. */
export function looksLikeTls(firstBytes: Uint8Array): boolean {
  return isRecordHeader(firstBytes, 0) || isSslv2ClientHelloHeader(firstBytes, 0);
}
