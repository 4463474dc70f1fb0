/**
 * Re-encode a recorded ClientHello with edits (SNI, cipher suites dropped, one
 * TLS version only, ALPN), recomputing every length, for `tlswb replay`.
 * Without edits the recorded bytes come back exactly: a replay sends what was
 * on the wire. Extensions the edits do not touch keep their recorded bytes and
 * order.
 */
import { ByteReader } from '../bytes/byte-reader';
import { ByteWriter } from '../bytes/byte-writer';
import { isGrease } from './registries';

export interface ClientHelloEdits {
  /** server_name to send; '' removes the extension. */
  sni?: string;
  /** Cipher suites to leave out. */
  dropCiphers?: number[];
  /** Offer only this version: supported_versions, legacy_version and what goes with them. */
  onlyVersion?: '1.2' | '1.3';
  /** ALPN protocols to offer; [] removes the extension. */
  alpn?: string[];
}

export interface EncodedClientHello {
  /** The handshake message: 4-byte header and body. */
  message: Uint8Array;
  /** What the edits did besides the obvious (extensions removed or added as a consequence). */
  notes: string[];
}

/** An edit that cannot be applied (nothing left to offer, a name too long). */
export class ClientHelloEditError extends Error {
  override readonly name = 'ClientHelloEditError';
}

interface RawExtension {
  type: number;
  data: Uint8Array;
}

interface ClientHelloParts {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: number[];
  compressionMethods: Uint8Array;
  /** null when the hello has no extensions block at all (TLS 1.0-era clients). */
  extensions: RawExtension[] | null;
}

const EXT = {
  serverName: 0,
  alpn: 16,
  padding: 21,
  preSharedKey: 41,
  earlyData: 42,
  supportedVersions: 43,
  cookie: 44,
  pskKeyExchangeModes: 45,
  keyShare: 51,
} as const;

const TLS12 = 0x0303;
const TLS13 = 0x0304;

/**
 * RFC 8446 4 and 4.1.2:
 *   struct { HandshakeType msg_type; uint24 length; ClientHello body; } Handshake;
 *   struct {
 *       ProtocolVersion legacy_version;
 *       Random random;
 *       opaque legacy_session_id<0..32>;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       opaque legacy_compression_methods<1..2^8-1>;
 *       Extension extensions<8..2^16-1>;          // optional before TLS 1.3 (RFC 5246 7.4.1.2)
 *   } ClientHello;
 *   struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
 * Throws ParseError when the message is not a well-formed ClientHello.
 */
function splitClientHello(raw: Uint8Array): ClientHelloParts {
  const head = new ByteReader(raw);
  const type = head.u8('msg_type');
  if (type !== 1) throw new ClientHelloEditError(`not a ClientHello (handshake type ${type})`);
  const r = head.sub(head.u24('length'), 'client_hello');
  head.expectEnd('handshake message');
  const version = r.u16('legacy_version');
  const random = r.bytesView(32, 'random');
  const sessionId = r.vec8('legacy_session_id').rest();
  const suites = r.vec16('cipher_suites');
  const cipherSuites: number[] = [];
  while (!suites.atEnd) cipherSuites.push(suites.u16('CipherSuite'));
  const compressionMethods = r.vec8('legacy_compression_methods').rest();
  let extensions: RawExtension[] | null = null;
  if (!r.atEnd) {
    extensions = [];
    const block = r.vec16('extensions');
    while (!block.atEnd) {
      const t = block.u16('extension_type');
      extensions.push({ type: t, data: block.vec16('extension_data').rest() });
    }
  }
  r.expectEnd('client_hello');
  return { version, random, sessionId, cipherSuites, compressionMethods, extensions };
}

function hasEdits(e: ClientHelloEdits): boolean {
  return e.sni !== undefined || (e.dropCiphers !== undefined && e.dropCiphers.length > 0) || e.onlyVersion !== undefined || e.alpn !== undefined;
}

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

export function encodeClientHello(raw: Uint8Array, edits: ClientHelloEdits = {}): EncodedClientHello {
  const parts = splitClientHello(raw);
  if (!hasEdits(edits)) return { message: raw.slice(), notes: [] };
  const notes: string[] = [];
  let exts = parts.extensions ? [...parts.extensions] : [];
  const has = (type: number): boolean => exts.some((x) => x.type === type);
  const remove = (type: number, why?: string): void => {
    if (!has(type)) return;
    exts = exts.filter((x) => x.type !== type);
    if (why) notes.push(why);
  };
  /** Replace in place, or add before padding / pre_shared_key (which must stay last, RFC 8446 4.2.11). */
  const put = (type: number, data: Uint8Array): void => {
    const at = exts.findIndex((x) => x.type === type);
    if (at >= 0) {
      exts[at] = { type, data };
      return;
    }
    const before = exts.findIndex((x) => x.type === EXT.padding || x.type === EXT.preSharedKey);
    if (before >= 0) exts.splice(before, 0, { type, data });
    else exts.push({ type, data });
  };

  // A PSK binder is an HMAC over the hello up to the binders: any edit breaks it.
  remove(EXT.preSharedKey, 'pre_shared_key removed: its binder covers the original hello');
  remove(EXT.earlyData, 'early_data removed with the pre_shared_key');

  let version = parts.version;
  let suites = parts.cipherSuites;

  if (edits.sni !== undefined) {
    if (edits.sni === '') remove(EXT.serverName);
    else {
      const name = new TextEncoder().encode(edits.sni);
      if (name.length > 0xffff - 5) throw new ClientHelloEditError('--sni: name too long');
      // RFC 6066 3: ServerNameList { ServerName server_name_list<1..2^16-1> }, ServerName { NameType(0) host_name; opaque HostName<1..2^16-1> }
      const w = new ByteWriter(name.length + 5).u16(name.length + 3).u8(0).u16(name.length).bytes(name);
      if (has(EXT.serverName)) put(EXT.serverName, w.finish());
      else exts.unshift({ type: EXT.serverName, data: w.finish() });
    }
  }

  if (edits.alpn !== undefined) {
    if (edits.alpn.length === 0) remove(EXT.alpn);
    else {
      // RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>; opaque ProtocolName<1..2^8-1>;
      const list = new ByteWriter();
      for (const p of edits.alpn) {
        const b = new TextEncoder().encode(p);
        if (b.length < 1 || b.length > 255) throw new ClientHelloEditError(`--alpn: protocol name "${p}" must be 1 to 255 bytes`);
        list.u8(b.length).bytes(b);
      }
      const body = list.finish();
      put(EXT.alpn, new ByteWriter(body.length + 2).u16(body.length).bytes(body).finish());
    }
  }

  if (edits.onlyVersion === '1.2') {
    version = TLS12;
    remove(EXT.supportedVersions, 'supported_versions removed (TLS 1.2 only)');
    remove(EXT.keyShare, 'key_share removed (TLS 1.3 only)');
    remove(EXT.pskKeyExchangeModes, 'psk_key_exchange_modes removed (TLS 1.3 only)');
    remove(EXT.cookie, 'cookie removed (TLS 1.3 only)');
    // TLS 1.3 suites (0x13xx) mean nothing to a TLS 1.2 handshake.
    const kept = suites.filter((s) => (s & 0xff00) !== 0x1300 || isGrease(s));
    if (kept.length !== suites.length && kept.some((s) => !isGrease(s))) {
      notes.push('TLS 1.3 cipher suites removed');
      suites = kept;
    }
  } else if (edits.onlyVersion === '1.3') {
    version = TLS12; // RFC 8446 4.1.2: legacy_version is 0x0303 in a TLS 1.3 hello
    const old = parts.extensions?.find((x) => x.type === EXT.supportedVersions);
    const grease: number[] = [];
    if (old) {
      const r = new ByteReader(old.data).vec8('versions');
      while (!r.atEnd) {
        const v = r.u16('ProtocolVersion');
        if (isGrease(v)) grease.push(v);
      }
    }
    // RFC 8446 4.2.1: ProtocolVersion versions<2..254>; GREASE entries are kept where the client put them (first).
    const versions = [...grease, TLS13];
    const w = new ByteWriter().u8(versions.length * 2);
    for (const v of versions) w.u16(v);
    put(EXT.supportedVersions, w.finish());
    if (!has(EXT.keyShare)) {
      // No key share was recorded: an empty client_shares asks the server for a HelloRetryRequest.
      put(EXT.keyShare, Uint8Array.of(0, 0));
      notes.push('key_share added with no entries: the server should answer with a HelloRetryRequest');
    }
  }

  if (edits.dropCiphers && edits.dropCiphers.length) {
    const drop = new Set(edits.dropCiphers);
    for (const d of drop) if (!suites.includes(d)) notes.push(`cipher suite ${hex4(d)} was not offered`);
    suites = suites.filter((s) => !drop.has(s));
  }
  if (!suites.some((s) => !isGrease(s))) throw new ClientHelloEditError('no cipher suite left to offer');

  const extensions = parts.extensions === null && exts.length === 0 ? null : exts;
  let message = serialize({ ...parts, version, cipherSuites: suites, extensions });
  // padding (RFC 7685) exists to hold the hello at a length; keep that length when it can absorb the change.
  const pad = extensions?.find((x) => x.type === EXT.padding);
  if (pad && message.length !== raw.length) {
    const want = Math.max(0, pad.data.length + raw.length - message.length);
    pad.data = new Uint8Array(want);
    message = serialize({ ...parts, version, cipherSuites: suites, extensions });
  }
  return { message, notes };
}

function serialize(p: ClientHelloParts): Uint8Array {
  const w = new ByteWriter(512);
  w.u8(1).u24(0);
  w.u16(p.version).bytes(p.random);
  w.u8(p.sessionId.length).bytes(p.sessionId);
  w.u16(p.cipherSuites.length * 2);
  for (const s of p.cipherSuites) w.u16(s);
  w.u8(p.compressionMethods.length).bytes(p.compressionMethods);
  if (p.extensions) {
    const at = w.length;
    w.u16(0);
    for (const x of p.extensions) w.u16(x.type).u16(x.data.length).bytes(x.data);
    const length = w.length - at - 2;
    if (length > 0xffff) throw new ClientHelloEditError('extensions exceed 65535 bytes');
    w.patchU16(at, length);
  }
  w.patchU24(1, w.length - 4);
  return w.finish();
}

/** Largest TLSPlaintext fragment (RFC 8446 5.1: 2^14). */
const MAX_FRAGMENT = 16384;

/**
 * RFC 8446 5.1:
 *   struct {
 *       ContentType type;                       // handshake (22)
 *       ProtocolVersion legacy_record_version;
 *       uint16 length;
 *       opaque fragment[TLSPlaintext.length];
 *   } TLSPlaintext;
 * A handshake message framed in as few records as the fragment limit allows.
 */
export function handshakeRecords(message: Uint8Array, recordVersion = 0x0301): Uint8Array {
  const w = new ByteWriter(message.length + 5 * (1 + Math.floor(message.length / MAX_FRAGMENT)));
  for (let at = 0; at < message.length; at += MAX_FRAGMENT) {
    const piece = message.subarray(at, Math.min(at + MAX_FRAGMENT, message.length));
    w.u8(22).u16(recordVersion).u16(piece.length).bytes(piece);
  }
  return w.finish();
}
