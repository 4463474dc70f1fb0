import { createHash } from 'node:crypto';

/**
 * Fingerprint strings repeat: every connection of one client program has the
 * same JA3/JA4 input. Remembering the last few thousand digests turns most
 * hashes (a crypto object each) into one map lookup. Bounded: cleared when full.
 */
const MEMO_LIMIT = 4096;
const md5Memo = new Map<string, string>();
const sha256Memo = new Map<string, string>();

function memoized(memo: Map<string, string>, text: string, compute: (t: string) => string): string {
  let digest = memo.get(text);
  if (digest === undefined) {
    digest = compute(text);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, digest);
  }
  return digest;
}

/** Lowercase hex MD5 of an ASCII string (JA3, JA3S). */
export function md5Hex(text: string): string {
  return memoized(md5Memo, text, (t) => createHash('md5').update(t, 'latin1').digest('hex'));
}

/** First 12 lowercase hex digits of SHA-256 of an ASCII string (JA4 b and c parts). */
export function sha256Hex12(text: string): string {
  return memoized(sha256Memo, text, (t) => createHash('sha256').update(t, 'latin1').digest('hex').slice(0, 12));
}
