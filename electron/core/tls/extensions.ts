import { ByteReader, ParseError } from '../bytes/byte-reader';
import type { ExtensionInfo, KeyShareEntryInfo } from '../session/model';
import { extensionName, groupName, isGrease } from './registries';
import type { ParseContext } from './parse-context';
import { decodeText } from './parse-context';
import { groupLabel, hex16, printable, signatureSchemeLabel, versionLabel } from './labels';

/** Which message an extension block sits in: several extensions change form with it. */
export type ExtensionHost =
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'encrypted_extensions'
  | 'certificate'
  | 'certificate_request'
  | 'new_session_ticket';

/** The decoded facts of an extension block (what ClientHelloInfo/ServerHelloInfo carry). */
export interface ExtensionFacts {
  sni: string | null;
  alpn: string[];
  supportedVersions: number[];
  selectedVersion: number | null;
  supportedGroups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  keyShares: KeyShareEntryInfo[];
  keyShareGroup: number | null;
  pskKeyExchangeModes: number[];
  pskIdentities: number;
  selectedIdentity: number | null;
  sessionTicketLength: number | null;
  /** An extension's length ran past the block: the extensions before it stand, the hello is malformed. */
  truncated: boolean;
}

/**
 * A facts list before its extension is seen: one shared, frozen empty list.
 * Numeric lists are then made at their exact size (`addValues`) rather than
 * grown by `push` and copied to fit: a hello's lists were most of its garbage.
 */
const NO_VALUES = Object.freeze([]) as readonly never[] as never[];

export function emptyExtensionFacts(): ExtensionFacts {
  return {
    sni: null,
    alpn: NO_VALUES,
    supportedVersions: NO_VALUES,
    selectedVersion: null,
    supportedGroups: NO_VALUES,
    ecPointFormats: NO_VALUES,
    signatureAlgorithms: NO_VALUES,
    keyShares: NO_VALUES,
    keyShareGroup: null,
    pskKeyExchangeModes: NO_VALUES,
    pskIdentities: 0,
    selectedIdentity: null,
    sessionTicketLength: null,
    truncated: false,
  };
}

/**
 * RFC 8446 4.2:
 *   struct {
 *       ExtensionType extension_type;          // uint16
 *       opaque extension_data<0..2^16-1>;
 *   } Extension;
 *   Extension extensions<0..2^16-1>;          // `r` is positioned on the 2-byte length
 *
 * A broken outer length throws (the message is malformed); malformed contents
 * of one extension become a problem and the next extension is read.
 */
export function parseExtensionBlock(r: ByteReader, host: ExtensionHost, ctx: ParseContext, facts: ExtensionFacts): ExtensionInfo[] {
  const t = ctx.t;
  const start = r.position;
  const block = vec16In(r, 'extensions length', BLOCK);
  t?.open('extensions', `${block.remaining} bytes`, start, 2 + block.remaining);
  // Made at its size (a session may keep it): no spare room to trim, no copy.
  const list = new Array<ExtensionInfo>(extensionCount(block.bytes, block.position, block.end));
  let count = 0;
  while (!block.atEnd) {
    const offset = block.position;
    if (block.remaining < 4) {
      // Too short for an extension header: trailing bytes, ignored as tshark does.
      ctx.problems.push(`${host} extensions: ${block.remaining} trailing bytes ignored`);
      t?.add('malformed', `${block.remaining} trailing bytes`, offset, block.remaining);
      break;
    }
    const type = block.u16('extension type');
    const declared = (block.peek(0)! << 8) | block.peek(1)!;
    if (declared > block.remaining - 2) {
      // An extension running past the block: the ones before it stand (SNI), but the
      // hello is malformed (tshark stops on it too, with no JA3).
      ctx.problems.push(`${host} extension ${extensionName(type)}: length ${declared} runs past the ${block.remaining - 2} bytes left`);
      t?.add('malformed', `extension length ${declared} too large`, offset, block.remaining + 2);
      facts.truncated = true;
      break;
    }
    const length = block.u16('extension_data');
    const dataAt = block.position;
    block.skip(length, 'extension_data');
    const data = extensionData.reset(block.bytes, dataAt, dataAt + length);
    const name = extensionName(type);
    list[count++] = extensionEntry(type, name, offset, length);
    t?.open('Extension', `${name} (${type}), ${length} bytes`, offset, 4 + length);
    t?.add('extension_type', `${name} (${type})`, offset, 2);
    t?.add('length', `${length}`, offset + 2, 2);
    const depth = t?.depth ?? 0;
    try {
      parseExtensionData(type, data, host, ctx, facts);
      if (!data.atEnd && !isGrease(type)) data.expectEnd(name);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      ctx.problems.push(`${host} extension ${name}: ${e.message}`);
      t?.unwindTo(depth);
      t?.add('malformed', e.message, e.offset, 0);
    }
    t?.close();
  }
  t?.close();
  if (count < list.length) list.length = count; // (extensionCount reads the same headers: never)
  return list;
}

/**
 * How many extensions `parseExtensionBlock` lists from `bytes[at, end)`, the
 * block's contents: each whole header whose extension_data stays inside the
 * block, up to the first that does not.
 */
function extensionCount(bytes: Uint8Array, at: number, end: number): number {
  let n = 0;
  let p = at;
  while (end - p >= 4) {
    const declared = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (declared > end - p - 4) break;
    n++;
    p += 4 + declared;
  }
  return n;
}

/**
 * The reader of the extension being parsed: one for all (extension parsers
 * never parse another extension block), not one per extension of every hello.
 */
const extensionData = new ByteReader(new Uint8Array(0));

/**
 * Readers reused for the vectors of an extension block, one per depth: the
 * block, a list inside an extension, an item of that list. A hello has some
 * twenty such vectors; a reader each was a good part of its garbage.
 */
const BLOCK = new ByteReader(new Uint8Array(0));
const LIST = new ByteReader(new Uint8Array(0));
const ITEM = new ByteReader(new Uint8Array(0));

/** `r.vec16(what)` (same checks, same errors), read through `into`: valid until `into` is reused. */
function vec16In(r: ByteReader, what: string, into: ByteReader): ByteReader {
  const n = r.u16(what);
  const at = r.position;
  r.skip(n, what);
  return into.reset(r.bytes, at, at + n);
}

/** `r.vec8(what)`, read through `into` (see `vec16In`). */
function vec8In(r: ByteReader, what: string, into: ByteReader): ByteReader {
  const n = r.u8(what);
  const at = r.position;
  r.skip(n, what);
  return into.reset(r.bytes, at, at + n);
}

/**
 * Entries seen before, shared: the hellos of one client stack list the same
 * extensions at the same offsets, and a session keeps its hellos' lists, so
 * 20,000 handshakes would otherwise hold some 250,000 identical small objects.
 * Frozen, since many sessions share one. Bounded: past the limit, new entries
 * are simply not shared.
 */
const sharedEntries = new Map<number, ExtensionInfo>();
const MAX_SHARED_ENTRIES = 1 << 16;

function extensionEntry(type: number, name: string, offset: number, length: number): ExtensionInfo {
  // type, offset and length below 2^16 each: an exact 48-bit key.
  if (offset > 0xffff || length > 0xffff) return { type, name, offset, length };
  const key = type * 0x1_0000_0000 + offset * 0x1_0000 + length;
  let entry = sharedEntries.get(key);
  if (entry === undefined) {
    entry = Object.freeze({ type, name, offset, length });
    if (sharedEntries.size < MAX_SHARED_ENTRIES) sharedEntries.set(key, entry);
  }
  return entry;
}

/**
 * The extension types `parseExtensionData` opens (its cases): any other
 * extension's data is skipped whole, whatever its bytes (known-client-hellos.ts
 * and known-server-hellos.ts rely on that). Keep in step with the switch below.
 */
const OPENED_TYPES = new Set([0, 5, 10, 11, 13, 50, 16, 35, 44, 23, 27, 28, 41, 42, 43, 45, 51, 65281]);

/** Whether `parseExtensionData` reads the data of an extension of this type (see `OPENED_TYPES`). */
export function opensExtensionData(type: number): boolean {
  return OPENED_TYPES.has(type);
}

function parseExtensionData(type: number, d: ByteReader, host: ExtensionHost, ctx: ParseContext, f: ExtensionFacts): void {
  const t = ctx.t;
  switch (type) {
    case 0: // server_name
      if (host === 'client_hello') serverNameList(d, ctx, f);
      return;
    case 5: // status_request
      if (host === 'client_hello' || host === 'certificate_request') statusRequest(d, ctx);
      else if (host === 'certificate' && !d.atEnd) opaqueRest(d, ctx, 'CertificateStatus');
      return;
    case 10: { // supported_groups: NamedGroup named_group_list<2..2^16-1>;
      const v = vec16In(d, 'named_group_list', LIST);
      t?.open('named_group_list', `${v.remaining / 2} groups`, v.position - 2, 2 + v.remaining);
      const groups = host === 'client_hello' ? new Array<number>(v.remaining >> 1) : null;
      try {
        for (let k = 0; !v.atEnd; k++) {
          const at = v.position;
          const g = v.u16('NamedGroup');
          if (groups) groups[k] = g;
          t?.add('NamedGroup', groupLabel(g), at, 2);
        }
      } finally {
        // An odd last byte throws after every whole value was read: those stand.
        if (groups) f.supportedGroups = addValues(f.supportedGroups, groups);
      }
      t?.close();
      return;
    }
    case 11: { // ec_point_formats: ECPointFormat ec_point_format_list<1..2^8-1>;
      const v = vec8In(d, 'ec_point_format_list', LIST);
      const formats = host === 'client_hello' ? new Array<number>(v.remaining) : null;
      for (let k = 0; !v.atEnd; k++) {
        const at = v.position;
        const p = v.u8('ECPointFormat');
        if (formats) formats[k] = p;
        t?.add('ECPointFormat', pointFormatLabel(p), at, 1);
      }
      if (formats) f.ecPointFormats = addValues(f.ecPointFormats, formats);
      return;
    }
    case 13: // signature_algorithms
    case 50: { // signature_algorithms_cert: SignatureScheme supported_signature_algorithms<2..2^16-2>;
      const v = vec16In(d, 'supported_signature_algorithms', LIST);
      t?.open('supported_signature_algorithms', `${v.remaining >> 1} schemes`, v.position - 2, 2 + v.remaining);
      const schemes = type === 13 && host === 'client_hello' ? new Array<number>(v.remaining >> 1) : null;
      try {
        for (let k = 0; !v.atEnd; k++) {
          const at = v.position;
          const s = v.u16('SignatureScheme');
          if (schemes) schemes[k] = s;
          t?.add('SignatureScheme', signatureSchemeLabel(s), at, 2);
        }
      } finally {
        if (schemes) f.signatureAlgorithms = addValues(f.signatureAlgorithms, schemes);
      }
      t?.close();
      return;
    }
    case 16: { // ALPN: ProtocolName protocol_name_list<2..2^16-1>; opaque ProtocolName<1..2^8-1>;
      const v = vec16In(d, 'protocol_name_list', LIST);
      while (!v.atEnd) {
        const at = v.position;
        const name = vec8In(v, 'ProtocolName', ITEM).rest();
        const s = decodeText(name);
        if (host === 'client_hello' || f.alpn.length === 0) {
          if (f.alpn === NO_VALUES) f.alpn = [];
          f.alpn.push(s);
        }
        t?.add('ProtocolName', printable(name), at, 1 + name.length);
      }
      return;
    }
    case 35: { // session_ticket: opaque ticket (RFC 5077 3.2), empty to ask for one
      const n = d.remaining;
      if (host === 'client_hello') f.sessionTicketLength = n > 0 ? n : null;
      if (n > 0) opaqueRest(d, ctx, 'ticket');
      return;
    }
    case 44: { // cookie: opaque cookie<1..2^16-1>;
      const at = d.position;
      const v = d.vec16('cookie');
      t?.add('cookie', `${v.remaining} bytes`, at, 2 + v.remaining);
      v.skip(v.remaining);
      return;
    }
    case 23: // extended_master_secret: empty
      return;
    case 27: { // compress_certificate: CertificateCompressionAlgorithm algorithms<2..2^8-2>;
      const v = d.vec8('algorithms');
      while (!v.atEnd) {
        const at = v.position;
        const a = v.u16('CertificateCompressionAlgorithm');
        t?.add('CertificateCompressionAlgorithm', compressionAlgorithmLabel(a), at, 2);
      }
      return;
    }
    case 28: { // record_size_limit: uint16 RecordSizeLimit;
      const at = d.position;
      const v = d.u16('RecordSizeLimit');
      t?.add('RecordSizeLimit', `${v}`, at, 2);
      return;
    }
    case 41: // pre_shared_key
      preSharedKey(d, host, ctx, f);
      return;
    case 42: // early_data: empty, or uint32 max_early_data_size in NewSessionTicket
      if (host === 'new_session_ticket') {
        const at = d.position;
        const v = d.u32('max_early_data_size');
        t?.add('max_early_data_size', `${v}`, at, 4);
      }
      return;
    case 43: // supported_versions
      supportedVersions(d, host, ctx, f);
      return;
    case 45: { // psk_key_exchange_modes: PskKeyExchangeMode ke_modes<1..255>;
      const v = vec8In(d, 'ke_modes', LIST);
      const modes = new Array<number>(v.remaining);
      for (let k = 0; !v.atEnd; k++) {
        const at = v.position;
        const m = v.u8('PskKeyExchangeMode');
        modes[k] = m;
        t?.add('PskKeyExchangeMode', m === 0 ? 'psk_ke (0)' : m === 1 ? 'psk_dhe_ke (1)' : `unknown (${m})`, at, 1);
      }
      f.pskKeyExchangeModes = addValues(f.pskKeyExchangeModes, modes);
      return;
    }
    case 51: // key_share
      keyShare(d, host, ctx, f);
      return;
    case 65281: { // renegotiation_info: opaque renegotiated_connection<0..255>;
      const at = d.position;
      const v = d.vec8('renegotiated_connection');
      t?.add('renegotiated_connection', `${v.remaining} bytes`, at, 1 + v.remaining);
      v.skip(v.remaining);
      return;
    }
    default:
      // signed_certificate_timestamp (empty in the ClientHello, a SignedCertificateTimestampList
      // elsewhere), padding (zeros), encrypted_client_hello, GREASE, and types this parser does not open.
      if (d.remaining > 0) opaqueRest(d, ctx, type === 21 ? 'padding' : 'extension_data');
  }
}

/** `values` added to a facts list: the list itself the first time, appended for a repeated extension. */
function addValues(list: number[], values: number[]): number[] {
  return list.length === 0 ? values : list.concat(values);
}

/** Skips what is not opened (`skip`, not `rest`: a view per skipped field was most of a hello's garbage). */
function opaqueRest(d: ByteReader, ctx: ParseContext, name: string): void {
  const at = d.position;
  const n = d.remaining;
  d.skip(d.remaining);
  ctx.t?.add(name, `${n} bytes`, at, n);
}

/**
 * RFC 6066 3:
 *   struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
 *   opaque HostName<1..2^16-1>;
 *   struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 */
function serverNameList(d: ByteReader, ctx: ParseContext, f: ExtensionFacts): void {
  const t = ctx.t;
  if (d.atEnd) return;
  const list = vec16In(d, 'server_name_list', LIST);
  while (!list.atEnd) {
    const at = list.position;
    const nameType = list.u8('name_type');
    const name = vec16In(list, 'HostName', ITEM).rest();
    if (nameType === 0 && f.sni === null) f.sni = decodeText(name);
    t?.open('ServerName', printable(name), at, 3 + name.length);
    t?.add('name_type', nameType === 0 ? 'host_name (0)' : `unknown (${nameType})`, at, 1);
    t?.add('HostName', printable(name), at + 3, name.length);
    t?.close();
  }
}

/**
 * RFC 6066 8:
 *   struct { CertificateStatusType status_type; select (status_type) { case ocsp: OCSPStatusRequest; } request; }
 *   struct { ResponderID responder_id_list<0..2^16-1>; Extensions request_extensions; } OCSPStatusRequest;
 *   opaque ResponderID<1..2^16-1>; opaque Extensions<0..2^16-1>;
 */
function statusRequest(d: ByteReader, ctx: ParseContext): void {
  const t = ctx.t;
  if (d.atEnd) return; // empty in the ServerHello form
  const at = d.position;
  const type = d.u8('status_type');
  t?.add('status_type', type === 1 ? 'ocsp (1)' : `unknown (${type})`, at, 1);
  if (type !== 1) {
    d.skip(d.remaining);
    return;
  }
  const ids = d.vec16('responder_id_list');
  t?.add('responder_id_list', `${ids.remaining} bytes`, ids.position - 2, 2 + ids.remaining);
  ids.skip(ids.remaining);
  const exts = d.vec16('request_extensions');
  t?.add('request_extensions', `${exts.remaining} bytes`, exts.position - 2, 2 + exts.remaining);
  exts.skip(exts.remaining);
}

/**
 * RFC 8446 4.2.1:
 *   struct {
 *       select (Handshake.msg_type) {
 *           case client_hello: ProtocolVersion versions<2..254>;
 *           case server_hello: ProtocolVersion selected_version;   // and HelloRetryRequest
 *       };
 *   } SupportedVersions;
 */
function supportedVersions(d: ByteReader, host: ExtensionHost, ctx: ParseContext, f: ExtensionFacts): void {
  const t = ctx.t;
  if (host === 'client_hello') {
    const v = vec8In(d, 'versions', LIST);
    const versions = new Array<number>(v.remaining >> 1);
    try {
      for (let k = 0; !v.atEnd; k++) {
        const at = v.position;
        const ver = v.u16('ProtocolVersion');
        versions[k] = ver;
        t?.add('ProtocolVersion', versionLabel(ver), at, 2);
      }
    } finally {
      f.supportedVersions = addValues(f.supportedVersions, versions);
    }
    return;
  }
  const at = d.position;
  const ver = d.u16('selected_version');
  f.selectedVersion = ver;
  t?.add('selected_version', versionLabel(ver), at, 2);
}

/**
 * RFC 8446 4.2.8:
 *   struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
 *   struct { KeyShareEntry client_shares<0..2^16-1>; } KeyShareClientHello;
 *   struct { NamedGroup selected_group; } KeyShareHelloRetryRequest;
 *   struct { KeyShareEntry server_share; } KeyShareServerHello;
 */
function keyShare(d: ByteReader, host: ExtensionHost, ctx: ParseContext, f: ExtensionFacts): void {
  const t = ctx.t;
  if (host === 'hello_retry_request') {
    const at = d.position;
    const g = d.u16('selected_group');
    f.keyShareGroup = g;
    t?.add('selected_group', groupLabel(g), at, 2);
    return;
  }
  if (host === 'client_hello') {
    const shares = vec16In(d, 'client_shares', LIST);
    t?.open('client_shares', `${shares.remaining} bytes`, shares.position - 2, 2 + shares.remaining);
    while (!shares.atEnd) keyShareEntry(shares, ctx, f, true);
    t?.close();
    return;
  }
  keyShareEntry(d, ctx, f, false);
}

function keyShareEntry(r: ByteReader, ctx: ParseContext, f: ExtensionFacts, client: boolean): void {
  const t = ctx.t;
  const at = r.position;
  const group = r.u16('KeyShareEntry.group');
  const key = vec16In(r, 'key_exchange', ITEM);
  const n = key.remaining;
  key.skip(key.remaining);
  if (client && f.keyShares === NO_VALUES) f.keyShares = [];
  if (client) f.keyShares.push({ group, groupName: isGrease(group) ? 'grease' : (groupName(group) ?? `unknown_${group}`), keyExchangeLength: n });
  else f.keyShareGroup = group;
  t?.open('KeyShareEntry', `${groupLabel(group)}, ${n} bytes`, at, 4 + n);
  t?.add('group', groupLabel(group), at, 2);
  t?.add('key_exchange', `${n} bytes`, at + 2, 2 + n);
  t?.close();
}

/**
 * RFC 8446 4.2.11:
 *   struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
 *   opaque PskBinderEntry<32..255>;
 *   struct { PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; } OfferedPsks;
 *   struct { select (Handshake.msg_type) {
 *       case client_hello: OfferedPsks;  case server_hello: uint16 selected_identity; }; } PreSharedKeyExtension;
 */
function preSharedKey(d: ByteReader, host: ExtensionHost, ctx: ParseContext, f: ExtensionFacts): void {
  const t = ctx.t;
  if (host !== 'client_hello') {
    const at = d.position;
    const sel = d.u16('selected_identity');
    f.selectedIdentity = sel;
    t?.add('selected_identity', `${sel}`, at, 2);
    return;
  }
  const ids = vec16In(d, 'identities', LIST);
  t?.open('identities', `${ids.remaining} bytes`, ids.position - 2, 2 + ids.remaining);
  let count = 0;
  while (!ids.atEnd) {
    const at = ids.position;
    const id = vec16In(ids, 'identity', ITEM);
    const n = id.remaining;
    id.skip(id.remaining);
    const age = ids.u32('obfuscated_ticket_age');
    count++;
    t?.open('PskIdentity', `${n} bytes`, at, 6 + n);
    t?.add('identity', `${n} bytes`, at, 2 + n);
    t?.add('obfuscated_ticket_age', `${age}`, at + 2 + n, 4);
    t?.close();
  }
  t?.close();
  f.pskIdentities = count;
  const binders = vec16In(d, 'binders', LIST); // the identities are read: LIST is free
  t?.open('binders', `${binders.remaining} bytes`, binders.position - 2, 2 + binders.remaining);
  while (!binders.atEnd) {
    const at = binders.position;
    const b = vec8In(binders, 'PskBinderEntry', ITEM);
    t?.add('PskBinderEntry', `${b.remaining} bytes`, at, 1 + b.remaining);
    b.skip(b.remaining);
  }
  t?.close();
}

function pointFormatLabel(p: number): string {
  const names = ['uncompressed', 'ansiX962_compressed_prime', 'ansiX962_compressed_char2'];
  return `${names[p] ?? 'unknown'} (${p})`;
}

function compressionAlgorithmLabel(a: number): string {
  const names: Record<number, string> = { 1: 'zlib', 2: 'brotli', 3: 'zstd' };
  return `${names[a] ?? 'unknown'} (${hex16(a)})`;
}
