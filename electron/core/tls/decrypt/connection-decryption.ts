/**
 * Decryption of one TLS connection, as the TLS connection decoder
 * (../tls-connection-decoder.ts) drives it when it was given a key log
 * (see index.ts for the steps). It owns the transcript, the `SessionKeys`
 * and the 0-RTT queue; the decoder keeps dissecting.
 *
 * Cost: a connection whose ClientHello.random has no secrets in the key log
 * turns itself off at the ClientHello (one map lookup) and never sees a
 * record; a decoder without a key log has no ConnectionDecryption at all.
 * With a live key log (`KeyLog.live`: a live proxy logs each connection's
 * secrets during its handshake, after the ClientHello) every connection keeps
 * its transcript and gets its `SessionKeys` at the ServerHello even without
 * secrets yet; the keys look the secrets up when they first need them, and
 * records no secret has come for stay as they are, without a warning.
 *
 * Failures stay quiet and bounded: at most one warning per connection
 * (wrong keys make every record fail the same way), and a direction whose
 * record fails to decrypt stops decrypting (sequence numbers and CBC chains
 * are lost with it), its records then shown as they are on the wire.
 * Warnings name frames and reasons, never key material.
 */
import { createHash } from 'node:crypto';
import type { TlsMessage } from '../../session/model';
import { cipherSuiteParams } from './cipher-suite-params';
import { HandshakeTranscript } from './handshake-transcript';
import type { KeyLog } from './keylog';
import type { TlsRecordIn } from './record-decryptor';
import type { ResumptionSecrets } from './resumption-secrets';
import { SessionKeys, type SessionRecordResult, type Side } from './session-keys';

const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_SERVER_HELLO = 2;
const HANDSHAKE_NEW_SESSION_TICKET = 4;
const HANDSHAKE_FINISHED = 20;
const HANDSHAKE_MESSAGE_HASH = 254;
const CONTENT_APPLICATION_DATA = 23;
const EXTENSION_ENCRYPT_THEN_MAC = 22;
const EXTENSION_EARLY_DATA = 42;
const EXTENSION_SESSION_TICKET = 35;
const TLS1_3 = 0x0304;
/** 0-RTT records kept until the ServerHello brings the keys: RFC 8446 lets a server cap early data; so do we. */
const MAX_EARLY_RECORDS = 64;
const MAX_EARLY_BYTES = 1 << 20;

/** What the decoder learnt from a cleartext or decrypted handshake message (handshake-message.ts facts). */
export interface HandshakeFactsForDecryption {
  /** `offset` of an extension: of its type field in the message's raw bytes. */
  clientHello?: { random: Uint8Array; sessionId: Uint8Array; extensions: readonly { type: number; offset: number; length: number }[] };
  serverHello?: {
    random: Uint8Array;
    sessionId: Uint8Array;
    version: number;
    selectedVersion: number | null;
    cipherSuite: number;
    helloRetryRequest: boolean;
    extensions: readonly { type: number }[];
  };
}

/** A decrypted record: dissect `plaintext` as `contentType`. */
export interface DecryptedRecord {
  contentType: number;
  plaintext: Uint8Array;
}

type State =
  /** Before the ClientHello. */
  | 'waiting'
  /** The key log has secrets for this ClientHello.random: waiting for the ServerHello. */
  | 'hello'
  /** SessionKeys ready: every record goes through them. */
  | 'keys'
  /** Nothing to decrypt here (no secrets, unsupported suite, ...). */
  | 'off';

export class ConnectionDecryption {
  private state: State = 'waiting';
  private transcript: HandshakeTranscript | null = null;
  private clientRandom: Uint8Array | null = null;
  /** The first ClientHello, until the ServerHello says whether it must become a message_hash (HRR). */
  private firstClientHello: Uint8Array | null = null;
  private clientOfferedEarlyData = false;
  /** TLS <= 1.2 resumption handles the ClientHello offered (copies; empty when none). */
  private offeredSessionId: Uint8Array = new Uint8Array(0);
  private offeredTicket: Uint8Array = new Uint8Array(0);
  private keys: SessionKeys | null = null;
  private readonly lost: Record<Side, boolean> = { client: false, server: false };
  /** A record of this side has decrypted. */
  private readonly opened: Record<Side, boolean> = { client: false, server: false };
  private readonly finishedChecked: Record<Side, boolean> = { client: false, server: false };
  private warned = false;
  /** 0-RTT application data seen before the ServerHello, with the message already emitted for it. */
  private early: { record: TlsRecordIn; message: TlsMessage }[] = [];
  private earlyBytes = 0;
  /** Live key log, TLS <= 1.2: the ServerHello's session ID, remembered with the master secret once it came. */
  private sessionIdToRemember: Uint8Array | null = null;

  constructor(
    private readonly keyLog: KeyLog,
    private readonly warn: (side: Side, text: string) => void,
    /** Whether decrypted application data keeps its first bytes as the message's `raw`. */
    private readonly keepRaw: boolean,
    /** Master secrets of earlier connections of the same analysis, for TLS <= 1.2 resumption. */
    private readonly resumption: ResumptionSecrets | null = null,
  ) {}

  /** Whether this connection may still decrypt records: the record framers must then keep application data whole. */
  get active(): boolean {
    return this.state === 'hello' || this.state === 'keys';
  }

  /** Whether records now go through the keys (false: dissect them as they are). */
  get decrypting(): boolean {
    return this.state === 'keys';
  }

  /**
   * Each handshake message (4-byte header + body), cleartext or decrypted,
   * both directions, in wire order, with what the dissector parsed of it.
   * `raw` is only read during the call.
   */
  onHandshakeMessage(side: Side, msgType: number, raw: Uint8Array, facts: HandshakeFactsForDecryption, frame: number): void {
    if (this.state === 'off') return;
    if (this.state === 'waiting') {
      if (msgType !== HANDSHAKE_CLIENT_HELLO || side !== 'client' || !facts.clientHello) return;
      const ch = facts.clientHello;
      const random = ch.random;
      const ticket = ch.extensions.find((e) => e.type === EXTENSION_SESSION_TICKET);
      const offeredTicket = ticket && ticket.length > 0 ? raw.subarray(ticket.offset + 4, ticket.offset + 4 + ticket.length) : new Uint8Array(0);
      const resumable = this.resumption !== null
        && (this.resumption.find('id', ch.sessionId) !== undefined || this.resumption.find('ticket', offeredTicket) !== undefined);
      if (!this.keyLog.get(random) && !resumable && !this.keyLog.live) {
        this.state = 'off';
        return;
      }
      this.state = 'hello';
      this.offeredSessionId = ch.sessionId.slice();
      this.offeredTicket = offeredTicket.slice();
      this.clientRandom = random.slice();
      this.firstClientHello = raw.slice();
      this.clientOfferedEarlyData = facts.clientHello.extensions.some((e) => e.type === EXTENSION_EARLY_DATA);
      this.transcript = new HandshakeTranscript();
      this.transcript.add(raw);
      return;
    }
    const transcript = this.transcript!;
    if (msgType === HANDSHAKE_SERVER_HELLO && side === 'server' && facts.serverHello && this.state === 'hello') {
      const sh = facts.serverHello;
      if (sh.helloRetryRequest) {
        this.restartTranscriptAfterHelloRetry(sh.cipherSuite);
        this.transcript!.add(raw);
        return;
      }
      this.firstClientHello = null;
      transcript.add(raw);
      this.startKeys(sh);
      return;
    }
    if (msgType === HANDSHAKE_NEW_SESSION_TICKET && side === 'server' && this.keys && this.keys.version < TLS1_3) {
      this.rememberTicket(raw);
    }
    if (msgType === HANDSHAKE_FINISHED && this.keys && !this.finishedChecked[side]) {
      // Only each side's first Finished ends the handshake the transcript describes
      // (a TLS 1.3 post-handshake authentication Finished hashes something else).
      this.finishedChecked[side] = true;
      const hashName = this.keys.transcriptHash;
      if (hashName && !this.keys.checkFinished(side, raw.subarray(4), transcript.hash(hashName))) {
        this.warnOnce(side, `${side} Finished (frame ${frame}) does not verify: the key log's secrets do not belong to this handshake`);
      }
    }
    transcript.add(raw);
  }

  /**
   * A record of `side`, whole (header type and version, fragment). Returns
   * the decrypted record, or null to dissect it as it is (cleartext at this
   * point, no keys, or decryption failed).
   */
  decrypt(side: Side, record: TlsRecordIn, frame: number): DecryptedRecord | null {
    if (this.state !== 'keys' || this.lost[side]) return null;
    const keys = this.keys!;
    return this.outcome(side, side === 'client' ? keys.decryptClient(record) : keys.decryptServer(record), frame);
  }

  /**
   * A client application_data record before the ServerHello (TLS 1.3 0-RTT):
   * its keys come with the ServerHello's cipher suite. The decoder emitted
   * `message` for it already (wire order); it is marked decrypted later.
   * Returns whether it was kept.
   */
  holdEarlyRecord(record: TlsRecordIn, message: TlsMessage): boolean {
    if (this.state !== 'hello' || !this.clientOfferedEarlyData || record.type !== CONTENT_APPLICATION_DATA) return false;
    if (this.early.length >= MAX_EARLY_RECORDS || this.earlyBytes + record.fragment.length > MAX_EARLY_BYTES) return false;
    this.early.push({ record: { type: record.type, version: record.version, fragment: record.fragment.slice() }, message });
    this.earlyBytes += record.fragment.length;
    return true;
  }

  /**
   * Bytes of `side` were lost. Once records are being decrypted, its sequence
   * numbers are unknown from here on; before that (cleartext hellos) only the
   * transcript suffers, which the Finished check will tell.
   */
  gap(side: Side): void {
    if (this.state === 'keys') this.lost[side] = true;
  }

  /** Key material never reaches a log line through this object. */
  toString(): string {
    return `ConnectionDecryption(${this.state})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  private startKeys(sh: NonNullable<HandshakeFactsForDecryption['serverHello']>): void {
    const version = sh.selectedVersion ?? sh.version;
    const resumedMaster = version < TLS1_3 ? this.resumedMasterSecret(sh.sessionId) : undefined;
    const keys = new SessionKeys({
      clientRandom: this.clientRandom!,
      serverRandom: sh.random,
      version,
      cipherSuite: sh.cipherSuite,
      encryptThenMac: sh.extensions.some((e) => e.type === EXTENSION_ENCRYPT_THEN_MAC),
      keyLog: this.keyLog,
      ...(resumedMaster ? { masterSecret: resumedMaster } : {}),
    });
    const status = keys.status;
    const secrets = this.keyLog.get(this.clientRandom!);
    if (status === 'ready' && version >= TLS1_3 && !secrets?.CLIENT_HANDSHAKE_TRAFFIC_SECRET && !secrets?.SERVER_HANDSHAKE_TRAFFIC_SECRET) {
      // Without the handshake secrets the point where the application keys start is only a guess;
      // Wireshark decrypts nothing then, and neither do we (the view must agree with it).
      this.state = 'off';
      this.early = [];
      this.warnOnce('server', 'the key log has only application traffic secrets for this connection (no handshake secrets): not decrypted');
      return;
    }
    // A live key log may still bring this connection's secrets: the keys read them when they need them.
    const awaitingSecrets = status === 'no-keys' && this.keyLog.live;
    if (status !== 'ready' && !awaitingSecrets) {
      this.state = 'off';
      this.early = [];
      if (status !== 'no-keys' && (secrets || !this.keyLog.live)) {
        const what = status === 'unsupported-version' ? `version 0x${version.toString(16).padStart(4, '0')}` : `cipher suite 0x${sh.cipherSuite.toString(16).padStart(4, '0')}`;
        this.warnOnce('server', `the key log has secrets for this connection, but its ${what} is not decrypted`);
      }
      return;
    }
    this.keys = keys;
    this.state = 'keys';
    const master = keys.masterSecret;
    if (version < TLS1_3 && master && this.resumption) this.resumption.remember('id', sh.sessionId, master);
    else if (version < TLS1_3 && awaitingSecrets) this.sessionIdToRemember = sh.sessionId.slice();
    const early = this.early;
    this.early = [];
    if (version >= TLS1_3) this.openEarlyRecords(early);
  }

  /**
   * The master secret an abbreviated TLS <= 1.2 handshake resumes, when the
   * key log has none for this client random: by the session ID the server
   * echoed, else by the ticket the client offered (RFC 5077 3.4).
   */
  private resumedMasterSecret(serverSessionId: Uint8Array): Uint8Array | undefined {
    const r = this.resumption;
    if (!r || this.keyLog.get(this.clientRandom!)?.CLIENT_RANDOM) return undefined;
    const echoed = serverSessionId.length > 0 && equalBytes(serverSessionId, this.offeredSessionId);
    return (echoed ? r.find('id', serverSessionId) : undefined) ?? r.find('ticket', this.offeredTicket);
  }

  /**
   * RFC 5077 3.3:  struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket;
   * A later connection offering this ticket resumes this master secret.
   */
  private rememberTicket(raw: Uint8Array): void {
    const master = this.keys?.masterSecret;
    if (!master || !this.resumption || raw.length < 10) return;
    const length = (raw[8]! << 8) | raw[9]!;
    if (10 + length > raw.length) return;
    this.resumption.remember('ticket', raw.subarray(10, 10 + length), master);
  }

  /** Hands the held 0-RTT records to the keys, in order, and marks their messages. */
  private openEarlyRecords(early: { record: TlsRecordIn; message: TlsMessage }[]): void {
    for (const { record, message } of early) {
      const result = this.decrypt('client', record, message.frame);
      if (result && result.contentType === CONTENT_APPLICATION_DATA) {
        message.decrypted = true;
        if (this.keepRaw) message.raw = result.plaintext.slice(0, 64);
      }
    }
  }

  /**
   * RFC 8446 4.4.1: after a HelloRetryRequest the transcript starts with
   *   message_hash(254) 00 00 Hash.length  Hash(ClientHello1)
   * in place of ClientHello1, hashed with the suite the HRR names.
   */
  private restartTranscriptAfterHelloRetry(cipherSuite: number): void {
    const suite = cipherSuiteParams(cipherSuite);
    const first = this.firstClientHello;
    this.transcript = new HandshakeTranscript();
    if (!suite || !first) return;
    const digest = createHash(suite.prfHash).update(first).digest();
    const synthetic = new Uint8Array(4 + digest.length);
    synthetic[0] = HANDSHAKE_MESSAGE_HASH;
    synthetic[3] = digest.length;
    synthetic.set(digest, 4);
    this.transcript.add(synthetic);
    this.firstClientHello = null;
  }

  private outcome(side: Side, result: SessionRecordResult, frame: number): DecryptedRecord | null {
    if (result.kind === 'decrypted') {
      this.opened[side] = true;
      if (this.sessionIdToRemember) this.rememberLateMasterSecret(this.sessionIdToRemember);
      return { contentType: result.contentType, plaintext: result.plaintext };
    }
    // A TLS 1.3 client record before any opened may be 0-RTT data the server rejected
    // (or sent under a secret the log lacks): SessionKeys skips it and keeps going.
    if (result.kind === 'undecryptable' && side === 'client' && !this.opened.client && this.keys!.version >= TLS1_3) return null;
    // TLS 1.3 with only some secrets (application but not handshake ones, one side only): SessionKeys
    // keeps trying what it has on each record; nothing is wrong with the keys it used.
    if (result.kind === 'undecryptable' && result.reason === 'no-keys' && this.keys!.version >= TLS1_3) return null;
    // A live key log without this connection's secrets (yet): shown as it is, as a file without them shows it.
    if (result.kind === 'undecryptable' && result.reason === 'no-keys' && this.keyLog.live) return null;
    if (result.kind === 'undecryptable') {
      this.lost[side] = true;
      this.warnOnce(side, `${side} record (frame ${frame}) could not be decrypted (${result.reason}): the rest of the ${side} side is shown encrypted`);
    }
    return null;
  }

  /** Live key log: the TLS <= 1.2 master secret came after the ServerHello; later connections may resume it by session ID. */
  private rememberLateMasterSecret(sessionId: Uint8Array): void {
    this.sessionIdToRemember = null;
    const master = this.keys?.masterSecret;
    if (master && this.resumption) this.resumption.remember('id', sessionId, master);
  }

  private warnOnce(side: Side, text: string): void {
    if (this.warned) return;
    this.warned = true;
    this.warn(side, `decryption: ${text}`);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
