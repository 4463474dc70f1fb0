import { createHash } from 'node:crypto';

/** Lowercase hex MD5 of an ASCII string (JA3, JA3S). */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'latin1').digest('hex');
}

/** First 12 lowercase hex digits of SHA-256 of an ASCII string (JA4 b and c parts). */
export function sha256Hex12(text: string): string {
  return createHash('sha256').update(text, 'latin1').digest('hex').slice(0, 12);
}
