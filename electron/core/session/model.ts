/**
 * The session model: what the engine knows about one TCP connection that
 * carried TLS or an HTTP CONNECT. Every consumer (CLI, API, renderer, pcapng
 * writer, diff, replay) reads these; the JSON contract
 * (`../shared/contracts/analysis-json.md`) is a projection of them
 * (see `to-contract-json.ts`).
 */

import type { TunnelLink } from './tunnel-link';
import type { JsonTextBytes } from '../bytes/json-text-bytes';
import type { TicketSign } from './session-facts';
import type { MessageRecords } from './message-records';

export type Side = 'client' | 'server';

export interface Endpoint {
  ip: string;
  port: number;
}

/** IANA HandshakeType names in snake_case, plus the record-level kinds of the contract. */
export type HandshakeTypeName =
  | 'hello_request'
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'hello_verify_request'
  | 'new_session_ticket'
  | 'end_of_early_data'
  | 'encrypted_extensions'
  | 'certificate'
  | 'server_key_exchange'
  | 'certificate_request'
  | 'server_hello_done'
  | 'certificate_verify'
  | 'client_key_exchange'
  | 'finished'
  | 'certificate_url'
  | 'certificate_status'
  | 'supplemental_data'
  | 'key_update'
  | 'compressed_certificate'
  | 'message_hash';

export type MessageType =
  | HandshakeTypeName
  | 'encrypted_handshake'
  | 'change_cipher_spec'
  | 'alert'
  | 'application_data'
  | 'heartbeat'
  | 'connect_request'
  | 'connect_response'
  /** A handshake type number no registry names: `unknown_<n>` in the contract. */
  | `unknown_${number}`;

export interface TlsMessage {
  type: MessageType;
  from: Side;
  /** 1-based frame number of the packet that completed it. */
  frame: number;
  /** Every frame that carried a byte of it, in order (first .. completing). */
  frames: number[];
  /** Timestamp of the completing packet, ns since the epoch. */
  timeNs: bigint;
  /** Body length: the handshake length field; for records, the record length. */
  length: number;
  /**
   * The bytes as on the wire: a handshake message with its 4-byte header; the
   * record fragment for CCS, alert, encrypted records (application data records
   * keep only their first 64 bytes: counted, not stored); the HTTP head for
   * CONNECT. Field offsets are relative to these bytes.
   */
  raw: Uint8Array;
  /** TLSPlaintext.legacy_record_version of the (last) record it came in. */
  recordVersion?: number;
  /** SSLv2-format ClientHello (record header of SSL 2.0). */
  sslv2?: boolean;
  /** Alerts: level and description, null when encrypted. */
  level?: 'fatal' | 'warning' | null;
  description?: string | null;
  /** True once decrypted (decryption issue). */
  decrypted?: boolean;
}

/** One extension as it appeared in a hello, in wire order. */
export interface ExtensionInfo {
  type: number;
  /** IANA name, or `unknown_<n>`; GREASE values are named `grease`. */
  name: string;
  /** Offset of the extension (its type field) within the message's `raw`. */
  offset: number;
  /** Length of extension_data. */
  length: number;
}

export interface KeyShareEntryInfo {
  group: number;
  groupName: string;
  keyExchangeLength: number;
}

export interface ClientHelloInfo {
  /** legacy_version (client_version). */
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: number[];
  compressionMethods: number[];
  extensions: ExtensionInfo[];
  sni: string | null;
  alpn: string[];
  supportedVersions: number[];
  supportedGroups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  keyShares: KeyShareEntryInfo[];
  pskKeyExchangeModes: number[];
  /** pre_shared_key offered (TLS 1.3). */
  pskIdentities: number;
  /** session_ticket extension present and non-empty. */
  sessionTicketLength: number | null;
  /** SSLv2-format ClientHello. */
  sslv2: boolean;
  /** An extension ran past the message: the extensions before it were kept; no fingerprint is taken. */
  extensionsTruncated?: boolean;
}

export interface ServerHelloInfo {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: ExtensionInfo[];
  /** supported_versions selected_version, when present. */
  selectedVersion: number | null;
  alpn: string | null;
  /** pre_shared_key selected_identity (TLS 1.3), when present. */
  selectedIdentity: number | null;
  keyShareGroup: number | null;
  /** A HelloRetryRequest (RFC 8446 4.1.3 special random). */
  helloRetryRequest: boolean;
  /** An extension ran past the message: the extensions before it were kept; no fingerprint is taken. */
  extensionsTruncated?: boolean;
}

export interface ServerKeyExchangeInfo {
  kind: 'ecdhe' | 'dhe' | 'unknown';
  /** ECDHE: named curve. */
  group: number | null;
  groupName: string | null;
  /** DHE: prime length in bits. */
  dhPrimeBits: number | null;
  publicKeyLength: number;
  /** TLS 1.2 SignatureScheme, null for TLS <= 1.1 (implicit). */
  signatureScheme: number | null;
  signatureLength: number;
}

export interface CertificateInfo {
  /** SHA-256 of the DER, lowercase hex. */
  sha256: string;
  sha1: string;
  /** RFC 4514 order (most specific first): "CN=shop.example, O=Example Ltd, C=CN". */
  subject: string;
  issuer: string;
  /** Lowercase hex, no separators, no leading zero octet beyond DER's. */
  serial: string;
  notBefore: string;
  notAfter: string;
  san: string[];
  /** "RSA 2048", "EC P-256", "Ed25519", ... */
  publicKey: string;
  signatureAlgorithm: string;
  /** basicConstraints cA. */
  isCa: boolean;
  selfIssued: boolean;
  der: Uint8Array;
  /** When the DER could not be fully parsed, why (the hash is still right). */
  error?: string;
}

export interface ProxyInfo {
  /** The CONNECT request-target, "host:port". */
  target: string;
  /** The answer's status code, null until answered. */
  status: number | null;
  reason: string | null;
  requestHeaders: [string, string][];
  responseHeaders: [string, string][];
}

export type SessionState = 'open' | 'closed-fin' | 'closed-rst';

export interface Session {
  id: number;
  client: Endpoint;
  server: Endpoint;
  /** How the client side was decided: SYN seen, ClientHello/CONNECT sender, or the port rule. */
  clientBy: 'syn' | 'hello' | 'port';
  startTimeNs: bigint;
  /** The connection's last packet once it closed or the input ended; until then the last message's. */
  lastTimeNs: bigint;
  firstFrame: number;
  proxy: ProxyInfo | null;
  sni: string | null;
  alpnOffered: string[];
  alpn: string | null;
  version: number | null;
  cipherSuite: number | null;
  cipherSuiteName: string | null;
  resumed: boolean;
  ja3: string | null;
  ja3Hash: string | null;
  ja3s: string | null;
  ja3sHash: string | null;
  ja4: string | null;
  clientHello: ClientHelloInfo | null;
  serverHello: ServerHelloInfo | null;
  serverKeyExchange: ServerKeyExchangeInfo | null;
  messages: TlsMessage[];
  certificates: CertificateInfo[];
  clientCertificates: CertificateInfo[];
  warnings: string[];
  state: SessionState;
  /** One leg of a tlswb proxy tunnel (from the proxy's packet comment; see tunnel-link.ts); absent otherwise. */
  tunnel?: TunnelLink;
  /** TCP payload bytes seen, per side. */
  bytes: { client: number; server: number };
  /**
   * Only when the analyzer writes messages as contract JSON as they come instead
   * of keeping them (`AnalyzerOptions.messageJson`: the CLI's JSON): their text,
   * and `messages` stays empty.
   */
  messageJson?: SessionMessageJson;
}

/** A session's messages as contract JSON text (see `Session.messageJson`). */
export interface SessionMessageJson {
  /** Each message's JSON object, comma-separated, as UTF-8. */
  readonly text: JsonTextBytes;
  /** Messages written. */
  count: number;
  /** What the server's messages so far say of ticket resumption (session-facts.ts `nextTicketSign`). */
  ticketSign: TicketSign;
  /**
   * No more messages go into the text: the rest are kept in `messages` (a
   * session whose decoder decrypts, found after its first messages were
   * written: decryption marks held 0-RTT messages later).
   */
  closed: boolean;
  /**
   * The messages as numbers instead of `text` (the one-thread CLI's JSON:
   * message-records.ts), or null/absent when they are written as text.
   */
  records?: MessageRecords | null;
}
