/**
 * Compare any two sessions (same file, two files, a replay against its
 * recording): messages aligned by type and order, and every fact that differs,
 * named with the analysis contract's keys. Pure: sessions in, `tlswb.diff/1`
 * out (diff-model.ts, docs/diff-json.md).
 *
 * What is compared: the hellos (versions, cipher suites, extensions and their
 * values, GREASE normalised), fingerprints, the server key exchange, the
 * certificate chains, alerts, the CONNECT exchange, resumption, and which
 * messages only one side has. Randoms, session ids, key shares' key bytes,
 * lengths and times always differ from run to run: the aligned messages carry
 * lengths and times for the reader, but they are not changes.
 */
import { isGreasePskKeyExchangeMode } from '../tls/registries';
import { diffCertificateChains } from './diff-certificates';
import { diffNumberList, diffScalar, diffStringList } from './diff-lists';
import { alignMessages, messagesInScope } from './diff-messages';
import { DIFF_FORMAT, type AlignedMessage, type DiffChange, type DiffScope, type DiffSide, type SessionDiff } from './diff-model';
import type { ClientHelloInfo, ServerHelloInfo, ServerKeyExchangeInfo, Session, TlsMessage } from './model';

export interface DiffOptions {
  /** File names for the `a`/`b` descriptions (null: in memory). */
  aFile?: string | null;
  bFile?: string | null;
  /** Default `all`; a replay compares `first-flights`. */
  scope?: DiffScope;
}

export function describeSide(s: Session, file: string | null): DiffSide {
  return { file, session: s.id, client: { ...s.client }, server: { ...s.server }, sni: s.sni };
}

export function diffSessions(a: Session, b: Session, options: DiffOptions = {}): SessionDiff {
  const scope = options.scope ?? 'all';
  const am = messagesInScope(a, scope);
  const bm = messagesInScope(b, scope);
  const messages = alignMessages(a, am, b, bm);
  const changes: DiffChange[] = [];
  const push = (c: DiffChange | null): void => {
    if (c) changes.push(c);
  };

  // The CONNECT exchange, when either side went through a proxy.
  push(diffScalar('proxy.target', 'connect_request', a.proxy?.target ?? null, b.proxy?.target ?? null));
  push(diffScalar('proxy.status', 'connect_response', a.proxy?.status ?? null, b.proxy?.status ?? null));

  // What the client offered.
  push(diffScalar('sni', 'client_hello', a.sni, b.sni));
  if (a.clientHello && b.clientHello) diffClientHellos(a.clientHello, b.clientHello, push);
  push(diffScalar('ja3', 'client_hello', a.ja3, b.ja3));
  push(diffScalar('ja3Hash', 'client_hello', a.ja3Hash, b.ja3Hash));
  push(diffScalar('ja4', 'client_hello', a.ja4, b.ja4));

  // What the server chose.
  push(diffScalar('version', 'server_hello', a.version, b.version));
  push(diffScalar('cipherSuite', 'server_hello', a.cipherSuite, b.cipherSuite));
  push(diffScalar('alpn', 'server_hello', a.alpn, b.alpn));
  if (a.serverHello && b.serverHello) diffServerHellos(a.serverHello, b.serverHello, push);
  push(diffScalar('ja3s', 'server_hello', a.ja3s, b.ja3s));
  push(diffScalar('ja3sHash', 'server_hello', a.ja3sHash, b.ja3sHash));
  push(diffScalar('resumed', null, a.resumed, b.resumed));
  diffKeyExchanges(a.serverKeyExchange, b.serverKeyExchange, push);

  changes.push(...diffCertificateChains('certificates', a.certificates, b.certificates));
  // Client certificates come after the first flights: only a whole-session compare sees them.
  if (scope === 'all') changes.push(...diffCertificateChains('clientCertificates', a.clientCertificates, b.clientCertificates));

  diffMessagePresence(messages, am, bm, push);

  return {
    format: DIFF_FORMAT,
    a: describeSide(a, options.aFile ?? null),
    b: describeSide(b, options.bFile ?? null),
    scope,
    changes,
    messages,
  };
}

type Push = (c: DiffChange | null) => void;

function diffClientHellos(a: ClientHelloInfo, b: ClientHelloInfo, push: Push): void {
  const m = 'client_hello';
  push(diffScalar('version', m, a.version, b.version));
  push(diffStringList('alpnOffered', m, a.alpn, b.alpn));
  push(diffNumberList('cipherSuites', m, a.cipherSuites, b.cipherSuites));
  push(diffNumberList('compressionMethods', m, a.compressionMethods, b.compressionMethods, false));
  push(diffNumberList('extensions', m, a.extensions.map((e) => e.type), b.extensions.map((e) => e.type)));
  push(diffNumberList('supportedVersions', m, a.supportedVersions, b.supportedVersions));
  push(diffNumberList('supportedGroups', m, a.supportedGroups, b.supportedGroups));
  push(diffNumberList('signatureAlgorithms', m, a.signatureAlgorithms, b.signatureAlgorithms));
  push(diffNumberList('keyShares', m, a.keyShares.map((k) => k.group), b.keyShares.map((k) => k.group)));
  push(diffNumberList('ecPointFormats', m, a.ecPointFormats, b.ecPointFormats, false));
  // psk_key_exchange_modes has its own one-byte GREASE values (RFC 8701 2).
  const modes = (v: readonly number[]): number[] => v.map((x) => (isGreasePskKeyExchangeMode(x) ? 0x0b : x));
  push(diffNumberList('pskKeyExchangeModes', m, modes(a.pskKeyExchangeModes), modes(b.pskKeyExchangeModes), false));
  push(diffScalar('pskIdentities', m, a.pskIdentities, b.pskIdentities));
  push(diffScalar('sessionTicketLength', m, a.sessionTicketLength, b.sessionTicketLength));
}

function diffServerHellos(a: ServerHelloInfo, b: ServerHelloInfo, push: Push): void {
  const m = 'server_hello';
  push(diffScalar('compressionMethod', m, a.compressionMethod, b.compressionMethod));
  push(diffNumberList('extensions', m, a.extensions.map((e) => e.type), b.extensions.map((e) => e.type)));
  push(diffScalar('keyShareGroup', m, a.keyShareGroup, b.keyShareGroup));
}

function diffKeyExchanges(a: ServerKeyExchangeInfo | null, b: ServerKeyExchangeInfo | null, push: Push): void {
  const m = 'server_key_exchange';
  // Present in one only: the message row says so; the kind says what it was.
  push(diffScalar('serverKeyExchange.kind', m, a?.kind ?? null, b?.kind ?? null));
  if (!a || !b) return;
  push(diffScalar('serverKeyExchange.group', m, a.group, b.group));
  push(diffScalar('serverKeyExchange.dhPrimeBits', m, a.dhPrimeBits, b.dhPrimeBits));
  push(diffScalar('serverKeyExchange.signatureScheme', m, a.signatureScheme, b.signatureScheme));
}

/** Messages only one side has, and alerts that say something different. */
function diffMessagePresence(rows: readonly AlignedMessage[], am: readonly TlsMessage[], bm: readonly TlsMessage[], push: Push): void {
  for (const row of rows) {
    if (!row.a || !row.b) {
      push({ field: 'messages', message: row.type, a: row.a ? row.from : null, b: row.b ? row.from : null, change: row.a ? 'removed' : 'added' });
      continue;
    }
    if (row.type !== 'alert') continue;
    const x = am[row.a.index]!;
    const y = bm[row.b.index]!;
    push(diffScalar('level', 'alert', x.level ?? null, y.level ?? null));
    push(diffScalar('description', 'alert', x.description ?? null, y.description ?? null));
  }
}
