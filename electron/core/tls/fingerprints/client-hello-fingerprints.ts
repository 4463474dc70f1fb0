/**
 * JA3 and JA4 of a ClientHello, remembered by the hello's shape: every
 * connection of one client program sends the same lists (only the random,
 * session ID, key shares and server name differ), and building the two
 * fingerprints' strings and digests costs more than parsing the hello. A hello
 * is looked up by a numeric hash of exactly what the two fingerprints read,
 * and a hit is confirmed by comparing those values one by one, so a
 * remembered fingerprint is only reused for a hello that would give the same.
 */
import type { ClientHelloInfo } from '../../session/model';
import { ja3, type Fingerprint } from './ja3';
import { firstAlpn, ja4, ja4AlpnCode } from './ja4';

export interface ClientHelloFingerprints {
  ja3: Fingerprint | null;
  ja4: string;
}

/** What JA3 and JA4 (over TCP) read of a hello. */
interface Shape {
  version: number;
  sslv2: boolean;
  cipherSuites: number[];
  extensionTypes: number[];
  supportedGroups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  supportedVersions: number[];
  /** JA4's two ALPN characters (from the wire bytes). */
  alpnCode: string;
}

interface Remembered {
  shape: Shape;
  ja3: Fingerprint | null;
  ja4: string;
}

const MEMO_LIMIT = 1024;
const remembered = new Map<number, Remembered>();

/** JA3 (null for an SSLv2-format hello) and JA4 of `ch`; `message` is its raw bytes (see `Ja4Options.message`). */
export function clientHelloFingerprints(ch: ClientHelloInfo, message?: Uint8Array): ClientHelloFingerprints {
  // Hashed and compared from the hello itself: a Shape (and its list of extension types) is made only when new.
  const alpnCode = ja4AlpnCode(firstAlpn(ch, message));
  const key = hashHello(ch, alpnCode);
  const known = remembered.get(key);
  if (known !== undefined && sameAsHello(known.shape, ch, alpnCode)) {
    return { ja3: known.ja3 && { text: known.ja3.text, hash: known.ja3.hash }, ja4: known.ja4 };
  }
  const shape = shapeOf(ch, alpnCode);
  const fresh: Remembered = { shape, ja3: ja3(ch), ja4: ja4(ch, { message }) };
  if (remembered.size >= MEMO_LIMIT) remembered.clear();
  remembered.set(key, fresh);
  return { ja3: fresh.ja3 && { text: fresh.ja3.text, hash: fresh.ja3.hash }, ja4: fresh.ja4 };
}

function shapeOf(ch: ClientHelloInfo, alpnCode: string): Shape {
  const extensionTypes = new Array<number>(ch.extensions.length);
  for (let i = 0; i < ch.extensions.length; i++) extensionTypes[i] = ch.extensions[i]!.type;
  return {
    version: ch.version,
    sslv2: ch.sslv2,
    cipherSuites: ch.cipherSuites,
    extensionTypes,
    supportedGroups: ch.supportedGroups,
    ecPointFormats: ch.ecPointFormats,
    signatureAlgorithms: ch.signatureAlgorithms,
    supportedVersions: ch.supportedVersions,
    alpnCode,
  };
}

/** FNV-1a over what the shape holds and the list lengths (so that lists cannot run into each other). */
function hashHello(ch: ClientHelloInfo, alpnCode: string): number {
  let h = mix(0x811c9dc5, ch.version);
  h = mix(h, ch.sslv2 ? 1 : 0);
  h = mixList(h, ch.cipherSuites);
  const ext = ch.extensions;
  h = mix(h, ext.length);
  for (let i = 0; i < ext.length; i++) h = mix(h, ext[i]!.type);
  h = mixList(h, ch.supportedGroups);
  h = mixList(h, ch.ecPointFormats);
  h = mixList(h, ch.signatureAlgorithms);
  h = mixList(h, ch.supportedVersions);
  h = mix(h, alpnCode.charCodeAt(0));
  return mix(h, alpnCode.charCodeAt(1)) >>> 0;
}

function mixList(h: number, list: readonly number[]): number {
  h = mix(h, list.length);
  for (let i = 0; i < list.length; i++) h = mix(h, list[i]!);
  return h;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v & 0xffff), 0x01000193);
  return Math.imul(h ^ (v >>> 16), 0x01000193);
}

function sameAsHello(a: Shape, ch: ClientHelloInfo, alpnCode: string): boolean {
  return (
    a.version === ch.version &&
    a.sslv2 === ch.sslv2 &&
    a.alpnCode === alpnCode &&
    sameList(a.cipherSuites, ch.cipherSuites) &&
    sameExtensionTypes(a.extensionTypes, ch.extensions) &&
    sameList(a.supportedGroups, ch.supportedGroups) &&
    sameList(a.ecPointFormats, ch.ecPointFormats) &&
    sameList(a.signatureAlgorithms, ch.signatureAlgorithms) &&
    sameList(a.supportedVersions, ch.supportedVersions)
  );
}

function sameExtensionTypes(types: readonly number[], extensions: ClientHelloInfo['extensions']): boolean {
  if (types.length !== extensions.length) return false;
  for (let i = 0; i < types.length; i++) if (types[i] !== extensions[i]!.type) return false;
  return true;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
