/**
 * ClientHellos recognised by their shape (hello-shape.ts) when their details
 * are not wanted (the CLI's analysis: `TlsConnectionDecoderOptions.helloDetails`
 * false). The connections of one client program send the same hello but for
 * its random, session ID, key shares, server name, PSK identities and
 * padding: one pass over the bytes checks the structure, reads those, and
 * writes the rest as the shape; a shape met before in a hello that parsed
 * without a problem gives the slim hello (slim-hellos.ts) and the JA3/JA4
 * fingerprints at once, with no parse into objects and no fingerprint strings.
 * Anything unusual (a broken length, a repeated server_name...) is left to the
 * full parse (client-hello.ts), as is every shape not met yet.
 */
import type { ClientHelloInfo } from '../session/model';
import { slimClientHelloOf } from '../session/slim-hellos';
import { keepBytesOf } from '../bytes/byte-slab';
import { opensExtensionData } from './extensions';
import { decodeText } from './parse-context';
import { ShapeMemo, ShapeWriter } from './hello-shape';
import type { ClientHelloFingerprints } from './fingerprints';

/** What a shape stands for: the facts of its hellos that are not read from each. */
interface KnownShape {
  version: number;
  alpn: string[];
  fingerprints: ClientHelloFingerprints;
}

/** A recognised hello: reused for the next (read it during the call that got it). */
export interface KnownClientHello {
  hello: ClientHelloInfo;
  fingerprints: ClientHelloFingerprints;
}

const w = new ShapeWriter();
const shapes = new ShapeMemo<KnownShape>(w, 512);
const result: KnownClientHello = { hello: null as unknown as ClientHelloInfo, fingerprints: null as unknown as ClientHelloFingerprints };

/** msg_type client_hello. */
const HANDSHAKE_TYPE = 1;

/** The facts read from the hello itself by the last walk. */
let sessionIdAt = 0;
let sessionIdLength = 0;
let sniAt = -1;
let sniLength = 0;
let pskIdentities = 0;
let ticketLength: number | null = null;

/**
 * The slim hello and fingerprints of the ClientHello `raw` (its 4-byte
 * handshake header first) if its shape is known; null otherwise (parse it,
 * then `rememberClientHello`).
 */
export function knownClientHello(raw: Uint8Array): KnownClientHello | null {
  const known = shapes.lookup(walk(raw));
  if (known === undefined) return null;
  const sni = sniAt < 0 ? null : serverName(raw, sniAt, sniLength);
  result.hello = slimClientHelloOf(
    known.version, keepBytesOf(raw, sessionIdAt, sessionIdAt + sessionIdLength), sni, known.alpn, pskIdentities, ticketLength, false,
  );
  result.fingerprints = known.fingerprints;
  return result;
}

/**
 * After `knownClientHello` gave null for a hello that then parsed into `ch`
 * with no problem and no truncation, with these fingerprints: its shape stands
 * for them from now on.
 */
export function rememberClientHello(ch: ClientHelloInfo, fingerprints: ClientHelloFingerprints): void {
  shapes.remember({ version: ch.version, alpn: ch.alpn, fingerprints });
}

/**
 * One pass over the ClientHello (RFC 8446 4.1.2, as client-hello.ts reads it):
 * false when anything is not as a sound hello has it. Writes the shape; reads
 * the session ID, server name, PSK identity count and ticket length.
 */
function walk(raw: Uint8Array): boolean {
  w.reset();
  sniAt = -1;
  sniLength = 0;
  pskIdentities = 0;
  ticketLength = null;
  if (raw.length < 4 || raw[0] !== HANDSHAKE_TYPE) return false;
  const end = 4 + ((raw[1]! << 16) | (raw[2]! << 8) | raw[3]!);
  if (end > raw.length) return false;
  let p = 4;
  // legacy_version, random
  if (end - p < 2 + 32 + 1) return false;
  w.u16((raw[p]! << 8) | raw[p + 1]!);
  p += 34;
  // legacy_session_id<0..32>
  sessionIdLength = raw[p]!;
  sessionIdAt = p + 1;
  if (sessionIdLength > end - p - 1) return false;
  p += 1 + sessionIdLength;
  // cipher_suites<2..2^16-2>
  if (end - p < 2) return false;
  const suites = (raw[p]! << 8) | raw[p + 1]!;
  p += 2;
  if (suites > end - p || (suites & 1) !== 0) return false;
  w.u16(suites);
  w.copyU16sAlike(raw, p, p + suites);
  p += suites;
  // legacy_compression_methods<1..2^8-1>
  if (end - p < 1) return false;
  const methods = raw[p]!;
  if (methods > end - p - 1) return false;
  w.copy(raw, p, p + 1 + methods);
  p += 1 + methods;
  if (p === end) {
    w.u8(0); // no extensions
    return true;
  }
  w.u8(1);
  // Extension extensions<8..2^16-1>: to the end of the message, exactly.
  if (end - p < 2) return false;
  const block = (raw[p]! << 8) | raw[p + 1]!;
  p += 2;
  if (p + block !== end) return false;
  let seenSni = false;
  let seenPsk = false;
  let seenTicket = false;
  while (p < end) {
    if (end - p < 4) return false;
    const type = (raw[p]! << 8) | raw[p + 1]!;
    const length = (raw[p + 2]! << 8) | raw[p + 3]!;
    p += 4;
    if (length > end - p) return false;
    const dataEnd = p + length;
    w.u16Alike(type);
    switch (type) {
      case 0: // server_name: read from each hello
        if (seenSni || !serverNameList(raw, p, dataEnd)) return false;
        seenSni = true;
        break;
      case 35: // session_ticket: its bytes skipped whole; only its length is a fact
        if (seenTicket) return false;
        seenTicket = true;
        ticketLength = length > 0 ? length : null;
        break;
      case 41: // pre_shared_key
        if (seenPsk || !offeredPsks(raw, p, dataEnd)) return false;
        seenPsk = true;
        break;
      case 51: // key_share
        if (!clientShares(raw, p, dataEnd)) return false;
        break;
      default:
        // An extension whose data the parser opens: its bytes are the shape (lists of uint16 with GREASE alike).
        if (opensExtensionData(type)) {
          w.u16(length);
          // (A list's own length is copied as is: only its values have GREASE alike.)
          if ((type === 10 || type === 13) && length >= 2) {
            w.copy(raw, p, p + 2); // NamedGroup, SignatureScheme lists: 2-byte length first
            w.copyU16sAlike(raw, p + 2, dataEnd);
          } else if (type === 43 && length >= 1) {
            w.u8(raw[p]!); // versions<2..254>: 1-byte length first
            w.copyU16sAlike(raw, p + 1, dataEnd);
          } else w.copy(raw, p, dataEnd);
        }
      // Any other (GREASE, padding, unknown...): skipped whole by the parser, whatever its bytes.
    }
    p = dataEnd;
  }
  return true;
}

/**
 * RFC 6066 3: ServerName server_name_list<1..2^16-1>; struct { NameType name_type; opaque HostName<1..2^16-1>; }
 * (empty data: no list). Sound as extensions.ts reads it: the first host_name is the SNI.
 */
function serverNameList(raw: Uint8Array, p: number, end: number): boolean {
  if (p === end) return true;
  if (end - p < 2) return false;
  const list = (raw[p]! << 8) | raw[p + 1]!;
  p += 2;
  if (p + list !== end) return false;
  while (p < end) {
    if (end - p < 3) return false;
    const nameType = raw[p]!;
    const n = (raw[p + 1]! << 8) | raw[p + 2]!;
    p += 3;
    if (n > end - p) return false;
    if (nameType === 0 && sniAt < 0) {
      sniAt = p;
      sniLength = n;
    }
    p += n;
  }
  return true;
}

/** RFC 8446 4.2.8: KeyShareEntry client_shares<0..2^16-1>; struct { NamedGroup group; opaque key_exchange<1..2^16-1>; }. */
function clientShares(raw: Uint8Array, p: number, end: number): boolean {
  if (end - p < 2) return false;
  const list = (raw[p]! << 8) | raw[p + 1]!;
  p += 2;
  if (p + list !== end) return false;
  while (p < end) {
    if (end - p < 4) return false;
    const n = (raw[p + 2]! << 8) | raw[p + 3]!;
    p += 4;
    if (n > end - p) return false;
    p += n;
  }
  return true;
}

/**
 * RFC 8446 4.2.11: PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>;
 * struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; }; opaque PskBinderEntry<32..255>.
 */
function offeredPsks(raw: Uint8Array, p: number, end: number): boolean {
  if (end - p < 2) return false;
  const ids = (raw[p]! << 8) | raw[p + 1]!;
  p += 2;
  if (ids > end - p) return false;
  const idsEnd = p + ids;
  let count = 0;
  while (p < idsEnd) {
    if (idsEnd - p < 2) return false;
    const n = (raw[p]! << 8) | raw[p + 1]!;
    p += 2;
    if (n > idsEnd - p || idsEnd - p - n < 4) return false;
    p += n + 4;
    count++;
  }
  if (end - p < 2) return false;
  const binders = (raw[p]! << 8) | raw[p + 1]!;
  p += 2;
  if (p + binders !== end) return false;
  while (p < end) {
    const n = raw[p]!;
    p += 1;
    if (n > end - p) return false;
    p += n;
  }
  pskIdentities = count;
  return true;
}

/** The last server name decoded, and its bytes: the connections of a client mostly name the same server. */
let lastName: Uint8Array = new Uint8Array(0);
let lastNameText = '';

/** `raw[at, at + n)` decoded as extensions.ts decodes a host name. */
function serverName(raw: Uint8Array, at: number, n: number): string {
  if (n === lastName.length) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (raw[at + i] !== lastName[i]) {
        same = false;
        break;
      }
    }
    if (same) return lastNameText;
  }
  lastName = raw.slice(at, at + n);
  lastNameText = decodeText(lastName);
  return lastNameText;
}
