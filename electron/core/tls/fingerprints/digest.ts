import { createHash } from 'node:crypto';

/**
 * Fingerprint strings repeat: every connection of one client program has the
 * same JA3/JA4 input. Remembering the last few thousand digests turns most
 * hashes (a crypto object each) into one map lookup. Bounded: cleared when full.
 */
const MEMO_LIMIT = 4096;
const md5Memo = new Map<string, { text: string; hash: string }>();
const sha256Memo = new Map<string, string>();

/** Lowercase hex MD5 of an ASCII string (JA3, JA3S). */
export function md5Hex(text: string): string {
  return internedMd5(text).hash;
}

/**
 * A JA3/JA3S text and its MD5, the text being the first equal string met:
 * thousands of sessions then share one copy of their fingerprint instead of
 * keeping one each.
 */
export function internedMd5(text: string): { text: string; hash: string } {
  let known = md5Memo.get(text);
  if (known === undefined) {
    known = { text, hash: createHash('md5').update(text, 'latin1').digest('hex') };
    if (md5Memo.size >= MEMO_LIMIT) md5Memo.clear();
    md5Memo.set(text, known);
  }
  return { text: known.text, hash: known.hash };
}

/** First 12 lowercase hex digits of SHA-256 of an ASCII string (JA4 b and c parts). */
export function sha256Hex12(text: string): string {
  let digest = sha256Memo.get(text);
  if (digest === undefined) {
    digest = createHash('sha256').update(text, 'latin1').digest('hex').slice(0, 12);
    if (sha256Memo.size >= MEMO_LIMIT) sha256Memo.clear();
    sha256Memo.set(text, digest);
  }
  return digest;
}
