/**
 * JA3 and JA3S as Wireshark 4.0 computes `tls.handshake.ja3_full` / `ja3` and
 * `tls.handshake.ja3s_full` / `ja3s` (epan/dissectors/packet-tls-utils.c):
 *
 *   JA3  = legacy_version,cipher_suites,extension_types,supported_groups,ec_point_formats
 *   JA3S = legacy_version,cipher_suite,extension_types
 *
 * Values are decimal, lists '-'-joined, in wire order; GREASE values (RFC 8701)
 * are left out of every list (point formats are one byte and have none). The
 * hash is the MD5 of the text. Wireshark computes no JA3 for an SSL 2.0-format
 * ClientHello, so neither does this.
 */
import type { ClientHelloInfo, ServerHelloInfo } from '../../session/model';
import { isGrease } from '../registries';
import { internedMd5 } from './digest';

export interface Fingerprint {
  /** The fingerprint string before hashing ("771,4865-4866,0-23-65281,29-23,0"). */
  text: string;
  /** Lowercase hex MD5 of `text`. */
  hash: string;
}

/** Decimal, '-'-joined, GREASE left out (one array and one native join: this runs for every hello). */
function joinNonGrease(values: readonly number[]): string {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (!isGrease(values[i]!)) kept.push(values[i]!);
  return kept.join('-');
}

function extensionTypes(extensions: ClientHelloInfo['extensions']): number[] {
  return extensions.map((e) => e.type);
}

/** JA3 of a ClientHello; null for an SSLv2-format hello (Wireshark has none). */
export function ja3(ch: ClientHelloInfo): Fingerprint | null {
  if (ch.sslv2) return null;
  const text = [
    String(ch.version),
    joinNonGrease(ch.cipherSuites),
    joinNonGrease(extensionTypes(ch.extensions)),
    joinNonGrease(ch.supportedGroups),
    ch.ecPointFormats.join('-'),
  ].join(',');
  return internedMd5(text);
}

/** JA3S of a ServerHello (also computed for a HelloRetryRequest, as Wireshark does). */
export function ja3s(sh: ServerHelloInfo): Fingerprint {
  // A server answers its clients alike: the last JA3S per input hash is kept, and reused
  // when version, suite and extension types are all the same (compared, not trusted to the hash).
  const key = ja3sKey(sh);
  const slot = key & (JA3S_SLOTS - 1);
  const known = ja3sMemo[slot];
  if (known !== undefined && known.version === sh.version && known.cipherSuite === sh.cipherSuite && sameTypes(known.types, sh.extensions)) {
    return { text: known.fingerprint.text, hash: known.fingerprint.hash };
  }
  const text = [String(sh.version), String(sh.cipherSuite), joinNonGrease(extensionTypes(sh.extensions))].join(',');
  const fingerprint = internedMd5(text);
  ja3sMemo[slot] = { version: sh.version, cipherSuite: sh.cipherSuite, types: extensionTypes(sh.extensions), fingerprint };
  return { text: fingerprint.text, hash: fingerprint.hash };
}

interface RememberedJa3s {
  version: number;
  cipherSuite: number;
  types: number[];
  fingerprint: Fingerprint;
}

/** A small direct-mapped memo (a power of two): bounded, no eviction bookkeeping. */
const JA3S_SLOTS = 256;
const ja3sMemo: (RememberedJa3s | undefined)[] = new Array<RememberedJa3s | undefined>(JA3S_SLOTS).fill(undefined);

/** FNV-1a over what JA3S reads. */
function ja3sKey(sh: ServerHelloInfo): number {
  let h = Math.imul(0x811c9dc5 ^ sh.version, 0x01000193);
  h = Math.imul(h ^ sh.cipherSuite, 0x01000193);
  const ext = sh.extensions;
  h = Math.imul(h ^ ext.length, 0x01000193);
  for (let i = 0; i < ext.length; i++) h = Math.imul(h ^ ext[i]!.type, 0x01000193);
  return (h ^ (h >>> 16)) >>> 0;
}

function sameTypes(types: readonly number[], extensions: ServerHelloInfo['extensions']): boolean {
  if (types.length !== extensions.length) return false;
  for (let i = 0; i < types.length; i++) if (types[i] !== extensions[i]!.type) return false;
  return true;
}
