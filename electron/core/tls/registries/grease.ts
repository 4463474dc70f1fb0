/**
 * GREASE (RFC 8701): reserved values clients sprinkle into hellos so that
 * servers keep tolerating unknown ones. Fingerprints drop them; names show
 * them as `grease`.
 */

/**
 * The 16 two-byte GREASE values {0x0A0A, 0x1A1A, ..., 0xFAFA} used for cipher
 * suites, extensions, named groups, signature algorithms, versions and ALPN-free
 * code points: both bytes equal, each of the form 0x?A.
 */
export function isGrease(v: number): boolean {
  return (v & 0xffff0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

/** The 8 one-byte GREASE PskKeyExchangeModes (RFC 8701 §2): 0x0B, 0x2A, ..., 0xE4 (0x0B + 0x1F·n). */
export function isGreasePskKeyExchangeMode(v: number): boolean {
  return v >= 0x0b && v <= 0xe4 && (v - 0x0b) % 0x1f === 0;
}
