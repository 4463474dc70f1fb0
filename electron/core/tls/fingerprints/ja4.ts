/**
 * JA4 (TLS client fingerprint), per the FoxIO specification
 * (github.com/FoxIO-LLC/ja4, technical_details/JA4.md; JA4 is BSD-3-Clause;
 * the other JA4+ methods are under a different licence and are not here):
 *
 *   a = transport ('t' TCP, 'q' QUIC, 'd' DTLS)
 *       + version (highest non-GREASE supported_versions, else legacy_version)
 *       + 'd' if a server_name extension is present, else 'i'
 *       + cipher count and extension count (GREASE excluded, SNI/ALPN included; 2 digits, at most 99)
 *       + first and last character of the first ALPN protocol ('00' if none)
 *   b = sha256(sorted cipher suites as 4-digit hex, comma-joined)[0..12]
 *   c = sha256(sorted extensions without SNI and ALPN, "_", signature algorithms in wire order)[0..12]
 * An empty cipher or extension list gives '000000000000' instead of a hash.
 */
import { ByteReader, ParseError } from '../../bytes/byte-reader';
import type { ClientHelloInfo } from '../../session/model';
import { isGrease } from '../registries';
import { sha256Hex12 } from './digest';

export interface Ja4Options {
  /** 't' TLS over TCP (default), 'q' QUIC, 'd' DTLS. */
  transport?: 't' | 'q' | 'd';
  /**
   * The ClientHello as on the wire (TlsMessage.raw, with its 4-byte header).
   * Lets the ALPN rule see the first protocol's bytes: ClientHelloInfo.alpn holds
   * them decoded as UTF-8, which loses invalid bytes.
   */
  message?: Uint8Array;
}

const EXT_SERVER_NAME = 0x0000;
const EXT_ALPN = 0x0010;
const EXT_SUPPORTED_VERSIONS = 0x002b;
const EMPTY = '000000000000';

const VERSION_CODES: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

/** 4-digit lowercase hex of a uint16, from a table filled as values are met (hellos repeat the same few). */
const HEX4: (string | undefined)[] = new Array<string | undefined>(0x10000);

function hex4(v: number): string {
  let h = HEX4[v & 0xffff];
  if (h === undefined) {
    h = (v & 0xffff).toString(16).padStart(4, '0');
    HEX4[v & 0xffff] = h;
  }
  return h;
}

/** The values' hex4 forms, ','-joined (one array and one native join: this runs for every ClientHello). */
function hexList(values: readonly number[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = hex4(values[i]!);
  return parts.join(',');
}

/** The non-GREASE values, in their order. */
function withoutGrease(values: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (!isGrease(values[i]!)) out.push(values[i]!);
  return out;
}

function ascending(x: number, y: number): number {
  return x - y;
}

function count2(n: number): string {
  return String(Math.min(n, 99)).padStart(2, '0');
}

function versionCode(ch: ClientHelloInfo): string {
  let version = ch.version;
  if (ch.extensions.some((e) => e.type === EXT_SUPPORTED_VERSIONS)) {
    let highest = -1;
    for (const v of ch.supportedVersions) if (!isGrease(v) && v > highest) highest = v;
    if (highest >= 0) version = highest;
  }
  return VERSION_CODES.get(version) ?? '00';
}

function isAlphanumeric(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * First and last character of the first ALPN protocol; when either end byte is
 * not an ASCII letter or digit, the first and last character of its hex form
 * instead (0xAB 0xCD -> "ad"). One byte counts as both ends.
 */
export function ja4AlpnCode(first: Uint8Array | null): string {
  if (first === null || first.length === 0) return '00';
  const a = first[0]!;
  const z = first[first.length - 1]!;
  if (isAlphanumeric(a) && isAlphanumeric(z)) return String.fromCharCode(a, z);
  return a.toString(16).padStart(2, '0')[0]! + z.toString(16).padStart(2, '0')[1]!;
}

/**
 * RFC 7301 3.1: opaque ProtocolName<1..2^8-1>; ProtocolName protocol_name_list<2..2^16-1>.
 * Reads the first name from the ALPN extension's bytes in the message; null if
 * the bytes are not there or malformed.
 */
function firstAlpnFromMessage(ch: ClientHelloInfo, message: Uint8Array): Uint8Array | null {
  const ext = ch.extensions.find((e) => e.type === EXT_ALPN);
  if (ext === undefined) return null;
  try {
    const r = new ByteReader(message, ext.offset + 4, ext.offset + 4 + ext.length);
    const list = r.vec16('protocol_name_list');
    return list.atEnd ? null : list.vec8('ProtocolName').rest();
  } catch (e) {
    if (e instanceof ParseError) return null;
    throw e;
  }
}

/** The first ALPN protocol's bytes as JA4 reads them: from the wire when it can, else re-encoded. */
export function firstAlpn(ch: ClientHelloInfo, message: Uint8Array | undefined): Uint8Array | null {
  if (!ch.extensions.some((e) => e.type === EXT_ALPN)) return null;
  if (message !== undefined) {
    const fromWire = firstAlpnFromMessage(ch, message);
    if (fromWire !== null) return fromWire;
  }
  const name = ch.alpn[0];
  return name === undefined ? null : new TextEncoder().encode(name);
}

/** The JA4 fingerprint of a ClientHello, e.g. "t13d1516h2_8daaf6152771_e5627efa2ab1". */
export function ja4(ch: ClientHelloInfo, opts: Ja4Options = {}): string {
  return ja4Parts(ch, opts).fingerprint;
}

export interface Ja4Parts {
  fingerprint: string;
  /** JA4_r: the same with the lists in clear instead of hashed. */
  raw: string;
}

export function ja4Parts(ch: ClientHelloInfo, opts: Ja4Options = {}): Ja4Parts {
  const ciphers = withoutGrease(ch.cipherSuites);
  const extensions: number[] = [];
  // Counted with SNI and ALPN; listed (part c) without them.
  const listed: number[] = [];
  let hasSni = false;
  for (const e of ch.extensions) {
    const v = e.type;
    if (isGrease(v)) continue;
    extensions.push(v);
    if (v === EXT_SERVER_NAME) hasSni = true;
    else if (v !== EXT_ALPN) listed.push(v);
  }
  const a =
    (opts.transport ?? 't') +
    versionCode(ch) +
    (hasSni ? 'd' : 'i') +
    count2(ciphers.length) +
    count2(extensions.length) +
    ja4AlpnCode(firstAlpn(ch, opts.message));

  const cipherList = hexList(ciphers.sort(ascending));
  const extList = hexList(listed.sort(ascending));
  const sigList = hexList(withoutGrease(ch.signatureAlgorithms));
  const c = sigList === '' ? extList : `${extList}_${sigList}`;

  const b = cipherList === '' ? EMPTY : sha256Hex12(cipherList);
  const cHash = extList === '' ? EMPTY : sha256Hex12(c);
  return { fingerprint: `${a}_${b}_${cHash}`, raw: `${a}_${cipherList}_${c}` };
}
