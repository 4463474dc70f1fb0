/**
 * ASN.1 character string types (X.680 41) as JavaScript strings. Decoders
 * never throw: malformed UTF-8 becomes U+FFFD, as OpenSSL and tshark show it.
 */
import { TAG } from './der-reader';

const utf8 = new TextDecoder('utf-8');

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** BMPString: UCS-2 big-endian. */
function ucs2(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  return s;
}

/** UniversalString: UCS-4 big-endian. */
function ucs4(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 3 < b.length; i += 4) {
    const cp = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
    s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  }
  return s;
}

/** The text of a string-typed value, or null if `tag` is not a string type. */
export function decodeDerString(tag: number, contents: Uint8Array): string | null {
  switch (tag) {
    case TAG.UTF8_STRING:
      return utf8.decode(contents);
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.NUMERIC_STRING:
    case TAG.VISIBLE_STRING:
    case TAG.T61_STRING: // T.61 in theory; Latin-1 in practice (as OpenSSL reads it)
      return latin1(contents);
    case TAG.BMP_STRING:
      return ucs2(contents);
    case TAG.UNIVERSAL_STRING:
      return ucs4(contents);
    default:
      return null;
  }
}
