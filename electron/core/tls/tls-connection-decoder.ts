import { ByteReader, ParseError } from '../bytes/byte-reader';
import type {
  ClientHelloInfo,
  MessageType,
  ServerHelloInfo,
  ServerKeyExchangeInfo,
  Side,
  TlsMessage,
} from '../session/model';
import { alertDescriptionName, cipherSuiteInfo, handshakeTypeName } from './registries';
import { ContentType } from './record-layer';
import { RecordFramer, SSLV2_CLIENT_HELLO } from './record-framer';
import type { FramedRecord, RecordFramerEvents } from './record-framer';
import { HandshakeReassembler } from './handshake-reassembler';
import { handshakeMessageType, parseHandshakeMessageInto } from './handshake-message';
import type { HandshakeFacts } from './handshake-message';
import { isTls13, newParseContext } from './parse-context';
import { parseSslv2ClientHello } from './sslv2-client-hello';
import { ConnectionDecryption, type DecryptedRecord } from './decrypt/connection-decryption';
import type { KeyLog } from './decrypt/keylog';
import type { ResumptionSecrets } from './decrypt/resumption-secrets';
import { APPLICATION_DATA_HEAD } from './record-layer';
import { clientHelloFingerprints, ja3s, type ClientHelloFingerprints, type Fingerprint } from './fingerprints';
import { knownClientHello, rememberClientHello } from './known-client-hellos';
import { knownServerHello, rememberServerHello } from './known-server-hellos';

export { looksLikeTls } from './record-layer';

export interface DecodedMessage {
  /** `from` is the side that sent it. */
  message: TlsMessage;
  clientHello?: ClientHelloInfo;
  serverHello?: ServerHelloInfo;
  serverKeyExchange?: ServerKeyExchangeInfo;
  /** DER of each certificate in a Certificate message: views, valid during `onMessage` (copy what you keep). */
  certificates?: Uint8Array[];
  /**
   * With `helloDetails` false: the ClientHello's JA3/JA4, when the decoder
   * knew them (a hello of a shape met before, or one it had to parse whole);
   * unset otherwise (compute them from `clientHello`).
   */
  clientHelloFingerprints?: ClientHelloFingerprints;
  /** The same for a ServerHello's JA3S. */
  ja3s?: Fingerprint;
}

export interface TlsConnectionEvents {
  onMessage(d: DecodedMessage): void;
  /** Malformed record/message, gap, ...: never throws. */
  onWarning(side: Side, text: string): void;
}

export interface TlsConnectionDecoderOptions {
  /**
   * Whether each message's `raw` is a copy it keeps (default). When false,
   * `raw` is a view of the input valid only during `onMessage`: for consumers
   * that keep no raw bytes (the CLI's analysis), it saves a copy of every record.
   */
  copyRaw?: boolean;
  /**
   * Whether messages made of a whole record (ChangeCipherSpec, alert,
   * application data, encrypted handshake, heartbeat) carry its bytes as
   * `raw` (default). When false (and no `keyLog`), their `raw` is empty: a
   * consumer that reads no raw bytes (the CLI's analysis) then costs no view
   * of the input per record. Handshake messages keep theirs either way.
   */
  keepRecordBytes?: boolean;
  /**
   * Secrets to decrypt with (decryption): a connection whose ClientHello.random
   * has secrets in it shows its encrypted handshake messages, alerts and
   * application data decrypted (`decrypted: true`). Read, never changed; it
   * may grow while decoding (a pcapng DSB).
   */
  keyLog?: KeyLog;
  /** With `keyLog`: master secrets shared by the connections of one analysis (TLS <= 1.2 resumption). */
  resumption?: ResumptionSecrets;
  /**
   * Whether each message may be one object, and its event one object,
   * reused for the next (default false): for a consumer that reads each
   * message and event during `onMessage` only and keeps neither (the CLI's
   * JSON, written as messages come; what the event carries, hellos and
   * certificates, may be kept). Messages then cost no allocation but for
   * their parsing. Ignored with a key log (decryption marks held 0-RTT
   * messages after they came). SSLv2 hellos are new objects still.
   */
  reuseMessages?: boolean;
  /**
   * Whether hellos come with their details (default true). When false (and
   * no `keyLog`), a ClientHello or ServerHello may come slim (slim-hellos.ts:
   * no lists, no random), with its fingerprints in the event: hellos of a
   * shape met before are recognised instead of parsed (known-client-hellos.ts).
   * For a consumer that reads only the session's facts (the CLI's analysis).
   */
  helloDetails?: boolean;
}

/**
 * Per direction: its record framer, handshake reassembly and whether its
 * records are now encrypted. It is also what the framer reports to (one
 * object per direction, not a second one for the framer's events: a
 * connection's decoder lives as long as its handshake, and 20,000 handshakes
 * keep 20,000 of them alive at times).
 */
class Direction implements RecordFramerEvents {
  readonly framer: RecordFramer;
  readonly handshake: HandshakeReassembler;
  /** ChangeCipherSpec seen (TLS <= 1.2): handshake records are encrypted from here on. */
  encrypted = false;
  /**
   * After a ChangeCipherSpec to a NULL-cipher suite (TLS_RSA_WITH_NULL_SHA...): records
   * stay plaintext, each followed by a MAC of this many bytes. 0 otherwise.
   */
  nullCipherMac = 0;

  constructor(
    private readonly decoder: TlsConnectionDecoder,
    readonly side: Side,
    copyRaw: boolean,
  ) {
    this.handshake = new HandshakeReassembler(copyRaw ? COPY_RAW : VIEW_RAW);
    this.framer = new RecordFramer(this, side === 'client');
  }

  /** As new, for another connection (`TlsConnectionDecoder.renew`): the framer reset, nothing pending. */
  renew(): void {
    this.framer.reset();
    this.handshake.reset();
    this.encrypted = false;
    this.nullCipherMac = 0;
  }

  record(r: FramedRecord): void {
    this.decoder.onRecord(this, r);
  }

  warning(text: string): void {
    this.decoder.warn(this.side, text);
  }

  lostSync(): void {
    this.decoder.dropPartialHandshake(this, 'record boundary lost');
  }
}

/** The `raw` of a record's message when record bytes are not kept (`keepRecordBytes` false). */
const NO_RECORD_BYTES = new Uint8Array(0);

/**
 * The record message and its event that every decoder reuses with
 * `reuseMessages` (decoders never run inside one another's `onMessage`).
 * Every field is always there (level and description null but for alerts).
 */
const reusedRecordMessage: TlsMessage = {
  type: 'application_data', from: 'client', frame: 0, frames: [], timeNs: 0n, length: 0, raw: NO_RECORD_BYTES, recordVersion: 0, level: null, description: null,
};
/** An event with every field there, made by one literal: record and handshake events share one object shape (consumers read them alike). */
function blankEvent(message: TlsMessage): DecodedMessage {
  return {
    message,
    clientHello: undefined,
    serverHello: undefined,
    serverKeyExchange: undefined,
    certificates: undefined,
    clientHelloFingerprints: undefined,
    ja3s: undefined,
  };
}
const reusedRecordEvent = blankEvent(reusedRecordMessage);

/** The same for handshake messages: their event also carries what was parsed of them (cleared for each). */
const reusedHandshakeMessage: TlsMessage = { ...reusedRecordMessage };
const reusedHandshakeEvent = blankEvent(reusedHandshakeMessage);

/** The reassemblers' options, shared. */
const COPY_RAW = { copyRaw: true };
const VIEW_RAW = { copyRaw: false };

/**
 * The context handshake parsers get, shared by every decoder and refreshed per
 * message: parsers read it during the call only, and never decode another
 * connection meanwhile.
 */
const sharedParseContext = newParseContext(null);

/**
 * Decodes the TLS of one TCP connection, both directions, incrementally:
 * in-order payload bytes in, `TlsMessage`s out (record layer, handshake
 * reassembly, hello/certificate/key-exchange parsing).
 *
 * Keeps the little per-connection state the wire forms depend on: the
 * negotiated version (TLS 1.3 changes the meaning of ChangeCipherSpec and of
 * the Certificate form) and cipher suite (the ServerKeyExchange form).
 */
export class TlsConnectionDecoder {
  private readonly client: Direction;
  private readonly server: Direction;
  private version: number | null = null;
  private cipherSuite: number | null = null;
  /** Without hello details: the session ID of the client's (first) ClientHello, which a known ServerHello echoing it shares. */
  private clientSessionId: Uint8Array | null = null;

  private readonly copyRaw: boolean;
  /** See `TlsConnectionDecoderOptions.reuseMessages` (never when decrypting). */
  private readonly reuseMessages: boolean;
  /** See `TlsConnectionDecoderOptions.keepRecordBytes` (always true when decrypting). */
  private readonly keepRecordBytes: boolean;
  /** See `TlsConnectionDecoderOptions.helloDetails` (always true when decrypting). */
  private readonly helloDetails: boolean;
  /** Null without a key log: the decoding path is then the same as before decryption existed. */
  private readonly decryption: ConnectionDecryption | null;
  /** The record being dissected was decrypted: its messages are marked so. */
  private inDecrypted = false;
  /** Frame attribution of a decrypted record: all of it completes with the record's last frame (made on first need). */
  private decryptedFrames: number[] | null = null;
  private decryptedEnds: number[] | null = null;

  constructor(
    private events: TlsConnectionEvents,
    options: TlsConnectionDecoderOptions = {},
  ) {
    this.copyRaw = options.copyRaw ?? true;
    this.keepRecordBytes = (options.keepRecordBytes ?? true) || options.keyLog !== undefined;
    this.reuseMessages = options.reuseMessages === true && options.keyLog === undefined;
    this.helloDetails = options.helloDetails !== false || options.keyLog !== undefined;
    this.client = this.direction('client');
    this.server = this.direction('server');
    this.decryption = options.keyLog
      ? new ConnectionDecryption(options.keyLog, (side, text) => this.warn(side, text), this.copyRaw, options.resumption ?? null)
      : null;
  }

  /**
   * This decoder as new, for another connection reporting to `events`, with
   * the same options: a consumer that decodes many connections one after
   * another keeps the decoders of finished ones for the next (a decoder is a
   * dozen objects, some 800 bytes). False (and unchanged) for a decoder with a
   * key log, whose decryption state is the connection's own.
   */
  renew(events: TlsConnectionEvents): boolean {
    if (this.decryption !== null) return false;
    this.events = events;
    this.version = null;
    this.cipherSuite = null;
    this.clientSessionId = null;
    this.inDecrypted = false;
    this.client.renew();
    this.server.renew();
    return true;
  }

  /** In-order TCP payload of one side. `data` is only read during the call. */
  push(side: Side, data: Uint8Array, frame: number, timeNs: bigint): void {
    this.pushBytes(side, data, 0, data.length, frame, timeNs);
  }

  /** In-order TCP payload of one side, `bytes[start, end)` (read during the call only: no view of it is made). */
  pushBytes(side: Side, bytes: Uint8Array, start: number, end: number, frame: number, timeNs: bigint): void {
    if (end <= start) return;
    try {
      (side === 'client' ? this.client : this.server).framer.pushBytes(bytes, start, end, frame, timeNs);
    } catch (e) {
      // A bug must not take the engine down: report it on the session.
      this.warn(side, `internal error while decoding: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** `missingBytes` of `side`'s stream were lost; decoding resynchronises. */
  gap(side: Side, missingBytes: number): void {
    try {
      this.decryption?.gap(side);
      (side === 'client' ? this.client : this.server).framer.gap(missingBytes);
    } catch (e) {
      this.warn(side, `internal error while decoding: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private direction(side: Side): Direction {
    return new Direction(this, side, this.copyRaw);
  }

  /** A record's bytes as a message keeps them: a copy, or (copyRaw false) the view itself. */
  private rawOf(fragment: Uint8Array): Uint8Array {
    return this.copyRaw ? fragment.slice() : fragment;
  }

  /** A cleartext record's bytes as its message keeps them (`keepRecordBytes`), without a view when none are kept. */
  private recordRaw(r: FramedRecord): Uint8Array {
    return this.keepRecordBytes ? this.rawOf(r.fragment) : NO_RECORD_BYTES;
  }

  /** @internal For `Direction`. */
  warn(side: Side, text: string): void {
    this.events.onWarning(side, text);
  }

  /** @internal For `Direction`. */
  dropPartialHandshake(d: Direction, why: string): void {
    if (d.handshake.pending > 0) this.warn(d.side, `incomplete handshake message (${d.handshake.pending} bytes) dropped: ${why}`);
    d.handshake.reset();
  }

  /** @internal For `Direction`. */
  onRecord(d: Direction, r: FramedRecord): void {
    if (this.decryption !== null && this.decryption.decrypting) {
      const plain = this.decryption.decrypt(d.side, r, r.frame);
      if (plain !== null) {
        this.onDecryptedRecord(d, r, plain);
        return;
      }
    }
    switch (r.type) {
      case ContentType.HANDSHAKE:
        this.onHandshakeRecord(d, r);
        return;
      case ContentType.CHANGE_CIPHER_SPEC:
        this.emitRecord(d, r, 'change_cipher_spec', this.recordRaw(r));
        if (this.cipherSpecChangeEncrypts()) {
          this.dropPartialHandshake(d, 'change_cipher_spec');
          d.nullCipherMac = this.cipherSuite === null ? 0 : nullCipherMacLength(this.cipherSuite);
          d.encrypted = d.nullCipherMac === 0;
        }
        return;
      case ContentType.ALERT:
        this.onAlert(d, r);
        return;
      case ContentType.APPLICATION_DATA: {
        const message = this.emitRecord(d, r, 'application_data', this.recordRaw(r));
        // TLS 1.3 0-RTT data, ahead of the ServerHello that brings its keys.
        if (this.decryption !== null && d.side === 'client' && this.decryption.active && !this.decryption.decrypting) {
          this.decryption.holdEarlyRecord(r, message);
        }
        return;
      }
      case ContentType.HEARTBEAT:
        this.emitRecord(d, r, 'heartbeat', this.recordRaw(r));
        return;
      case SSLV2_CLIENT_HELLO:
        this.onSslv2ClientHello(d, r);
        return;
      default:
        return;
    }
  }

  /**
   * In TLS 1.3 the CCS is only for middlebox compatibility (RFC 8446 D.4): it
   * changes nothing. Before the version is known (a one-sided capture, a
   * client CCS ahead of the ServerHello) it is taken as TLS <= 1.2's, as tshark
   * does; a ServerHello that then says TLS 1.3 undoes that.
   */
  private cipherSpecChangeEncrypts(): boolean {
    return this.version === null || !isTls13(this.version);
  }

  private baseMessage(d: Direction, r: FramedRecord, type: MessageType, raw: Uint8Array, length: number, frames: number[]): TlsMessage {
    const message: TlsMessage = { type, from: d.side, frame: r.frame, frames, timeNs: r.timeNs, length, raw, recordVersion: r.version };
    if (this.inDecrypted) message.decrypted = true;
    return message;
  }

  /**
   * A record the key log opened: its real content type and plaintext are
   * dissected as a cleartext record would be; handshake messages are
   * attributed to the record's last frame (where it could be decrypted, as
   * tshark does); application data keeps its first bytes.
   */
  private onDecryptedRecord(d: Direction, r: FramedRecord, plain: DecryptedRecord): void {
    const p = plain.plaintext;
    this.inDecrypted = true;
    try {
      switch (plain.contentType) {
        case ContentType.HANDSHAKE:
          this.decryptedFrames ??= [0];
          this.decryptedEnds ??= [0];
          this.decryptedFrames[0] = r.frame;
          this.decryptedEnds[0] = p.length;
          this.reassembleHandshake(d, r, p, 0, p.length, this.decryptedFrames, this.decryptedEnds, 1);
          return;
        case ContentType.ALERT:
          this.onAlert(d, r, p, true);
          return;
        case ContentType.APPLICATION_DATA:
          this.emitRecord(d, r, 'application_data', this.rawOf(p.subarray(0, APPLICATION_DATA_HEAD)));
          return;
        case ContentType.CHANGE_CIPHER_SPEC:
          this.emitRecord(d, r, 'change_cipher_spec', this.rawOf(p));
          return;
        case ContentType.HEARTBEAT:
          this.emitRecord(d, r, 'heartbeat', this.rawOf(p));
          return;
        default:
          this.warn(d.side, `decrypted record (frame ${r.frame}) has content type ${plain.contentType}: not dissected`);
      }
    } finally {
      this.inDecrypted = false;
    }
  }

  private emitRecord(d: Direction, r: FramedRecord, type: MessageType, raw: Uint8Array): TlsMessage {
    if (this.reuseMessages) return this.emitReused(d, r, type, raw, null, null);
    const message = this.baseMessage(d, r, type, raw, r.length, framesOf(r));
    this.events.onMessage({ message });
    return message;
  }

  /**
   * RFC 8446 6:  struct { AlertLevel level; AlertDescription description; } Alert;
   * enum { warning(1), fatal(2), (255) } AlertLevel;
   * One message per record; encrypted (after CCS, or not 2 bytes long): level/description null.
   * `f`: the fragment, or the plaintext of a decrypted record (`readable`).
   */
  private onAlert(d: Direction, r: FramedRecord, plain: Uint8Array | null = null, readable = !d.encrypted): void {
    // The record's own bytes are only looked at when they are read or kept (no view otherwise).
    const f = plain ?? (this.keepRecordBytes || (readable && r.fragmentLength === 2) ? r.fragment : NO_RECORD_BYTES);
    let level: TlsMessage['level'] = null;
    let description: string | null = null;
    if (readable && f.length === 2) {
      level = f[0] === 1 ? 'warning' : f[0] === 2 ? 'fatal' : null;
      description = alertDescriptionName(f[1]!) ?? `unknown_${f[1]}`;
      if (level === null) this.warn(d.side, `alert (frame ${r.frame}): unknown level ${f[0]}`);
    }
    if (this.reuseMessages) {
      this.emitReused(d, r, 'alert', plain !== null || this.keepRecordBytes ? this.rawOf(f) : NO_RECORD_BYTES, level, description);
      return;
    }
    // Every field in one literal: level and description added afterwards cost a second, out-of-object store.
    const message: TlsMessage = {
      type: 'alert', from: d.side, frame: r.frame, frames: framesOf(r), timeNs: r.timeNs, length: r.length, raw: plain !== null || this.keepRecordBytes ? this.rawOf(f) : NO_RECORD_BYTES, recordVersion: r.version, level, description,
    };
    if (this.inDecrypted) message.decrypted = true;
    this.events.onMessage({ message });
  }

  /** A record's message in the reused object (`reuseMessages`: never decrypted, so never marked so). */
  private emitReused(
    d: Direction,
    r: FramedRecord,
    type: MessageType,
    raw: Uint8Array,
    level: TlsMessage['level'],
    description: string | null,
  ): TlsMessage {
    const m = refill(reusedRecordMessage, d, r, type, raw, r.length, framesOf(r));
    m.level = level;
    m.description = description;
    this.events.onMessage(reusedRecordEvent);
    return m;
  }

  private onSslv2ClientHello(d: Direction, r: FramedRecord): void {
    const raw = this.rawOf(r.fragment);
    const message = this.baseMessage(d, r, 'client_hello', raw, r.length, framesOf(r));
    message.sslv2 = true;
    const ctx = newParseContext(null);
    let clientHello: ClientHelloInfo | undefined;
    try {
      clientHello = parseSslv2ClientHello(new ByteReader(raw), ctx);
    } catch (e) {
      this.warn(d.side, `client_hello (SSLv2, frame ${r.frame}) malformed: ${errorText(e)}`);
    }
    this.events.onMessage(clientHello ? { message, clientHello } : { message });
  }

  private onHandshakeRecord(d: Direction, r: FramedRecord): void {
    // After this side's ChangeCipherSpec (TLS <= 1.2) a handshake record is
    // encrypted: one message per record. Like tshark, a record that starts
    // with a byte that is no handshake type is taken for an encrypted one too
    // (a CCS lost, a NULL-less renegotiation, garbage).
    // An empty handshake record (RFC 8446 5.1 forbids them) is shown as tshark shows it.
    const unknownFirst = d.handshake.pending === 0 && (r.fragmentLength === 0 || !isTlsHandshakeType(r.source[r.fragmentStart]!));
    // After a CCS, a record that is exactly a chain of whole handshake messages of known types
    // is still read as plaintext (a TLS 1.3 client's second ClientHello when the HelloRetryRequest
    // was not seen; tshark judges by the bytes too). An encrypted record looks like that by chance
    // with a probability below 2^-20.
    if ((d.encrypted && !(d.handshake.pending === 0 && isWholeHandshakeMessages(r.source, r.fragmentStart, r.fragmentEnd))) || unknownFirst) {
      this.emitRecord(d, r, 'encrypted_handshake', this.recordRaw(r));
      return;
    }
    if (d.nullCipherMac > 0) {
      // NULL cipher: the plaintext, then its MAC (RFC 5246 6.2.3.1 GenericStreamCipher).
      if (r.fragmentLength < d.nullCipherMac) {
        this.emitRecord(d, r, 'encrypted_handshake', this.recordRaw(r));
        return;
      }
      this.reassembleHandshake(d, r, r.source, r.fragmentStart, r.fragmentEnd - d.nullCipherMac, r.frames, r.fragmentEnds, r.frameCount);
    } else this.reassembleHandshake(d, r, r.source, r.fragmentStart, r.fragmentEnd, r.frames, r.fragmentEnds, r.frameCount);
  }

  /**
   * Appends the handshake bytes `source[from, to)` (a record's fragment, cleartext or decrypted, read in
   * place: no view of it made) and dissects each message they complete.
   */
  private reassembleHandshake(d: Direction, r: FramedRecord, source: Uint8Array, from: number, to: number, frames: number[], ends: number[], frameCount: number): void {
    d.handshake.appendBytes(source, from, to, frames, ends, frameCount);
    for (;;) {
      const next = d.handshake.peekType();
      if (next !== undefined && !isTlsHandshakeType(next)) {
        // No message starts with this byte: what follows in the record is not a handshake
        // message (tshark stops dissecting the record here too).
        this.warn(d.side, `handshake record (frame ${r.frame}): ${d.handshake.pending} bytes that are no handshake message (type ${next}) skipped`);
        d.handshake.reset();
        return;
      }
      let done;
      try {
        done = d.handshake.next();
      } catch (e) {
        this.warn(d.side, `handshake message refused: ${errorText(e)}`);
        d.handshake.reset();
        return;
      }
      if (done === null) return;
      this.onHandshakeMessage(d, r, done.msgType, done.raw, done.length, done.frames);
    }
  }

  private onHandshakeMessage(d: Direction, r: FramedRecord, msgType: number, raw: Uint8Array, length: number, frames: number[]): void {
    const type = handshakeMessageType(msgType, raw);
    const message = this.reuseMessages ? reusedHandshake(d, r, type, raw, length, frames) : this.baseMessage(d, r, type, raw, length, frames);
    // One context for all, refreshed per message (parsers read it during the call only).
    const ctx = sharedParseContext;
    ctx.version = this.version;
    ctx.cipherSuite = this.cipherSuite;
    if (ctx.problems.length !== 0) ctx.problems = [];
    // The event carries the facts itself: no facts object copied into it.
    const decoded: DecodedMessage = this.reuseMessages ? reusedHandshakeEvent : { message };
    const facts: HandshakeFacts = decoded;
    if (this.helloDetails || !this.knownHello(d.side, msgType, type, raw, decoded)) {
      let parsed = true;
      try {
        parseHandshakeMessageInto(raw, ctx, facts);
      } catch (e) {
        parsed = false;
        this.warn(d.side, `${type} (frame ${r.frame}) malformed: ${errorText(e)}`);
      }
      for (const p of ctx.problems) this.warn(d.side, `${type} (frame ${r.frame}): ${p}`);
      if (parsed && !this.helloDetails && ctx.problems.length === 0) rememberHello(decoded, raw);
    }
    const sh = facts.serverHello;
    if (sh && d.side === 'server') {
      this.version = sh.selectedVersion ?? sh.version;
      this.cipherSuite = sh.cipherSuite;
      if (isTls13(this.version)) {
        // TLS 1.3 protects records as application_data: a handshake record is plaintext.
        this.client.encrypted = false;
        this.server.encrypted = false;
      }
    }
    if (this.decryption !== null) this.followHandshakeForDecryption(d, msgType, raw, facts, r.frame);
    this.events.onMessage(decoded);
  }

  /**
   * Without hello details: a ClientHello or ServerHello of a shape met before
   * set on `decoded` slim, with its fingerprints; false for any other message
   * (parse it).
   */
  private knownHello(side: Side, msgType: number, type: MessageType, raw: Uint8Array, decoded: DecodedMessage): boolean {
    if (msgType === 1) {
      const k = knownClientHello(raw);
      if (k === null) return false;
      decoded.clientHello = k.hello;
      decoded.clientHelloFingerprints = k.fingerprints;
      if (side === 'client') this.clientSessionId ??= k.hello.sessionId;
      return true;
    }
    if (type === 'server_hello') {
      const k = knownServerHello(raw, this.clientSessionId);
      if (k === null) return false;
      decoded.serverHello = k.hello;
      decoded.ja3s = k.ja3s;
      return true;
    }
    return false;
  }

  /** Feeds the transcript and key setup; once the key log knows this connection, application data is kept whole. */
  private followHandshakeForDecryption(d: Direction, msgType: number, raw: Uint8Array, facts: HandshakeFacts, frame: number): void {
    const decryption = this.decryption!;
    decryption.onHandshakeMessage(d.side, msgType, raw, facts, frame);
    const whole = decryption.active;
    this.client.framer.keepWholeApplicationData = whole;
    this.server.framer.keepWholeApplicationData = whole;
  }
}

/** `reusedHandshakeMessage` and its event set for the next message (`reuseMessages`; never decrypted). */
function reusedHandshake(d: Direction, r: FramedRecord, type: MessageType, raw: Uint8Array, length: number, frames: number[]): TlsMessage {
  const m = refill(reusedHandshakeMessage, d, r, type, raw, length, frames);
  const e = reusedHandshakeEvent;
  e.clientHello = undefined;
  e.serverHello = undefined;
  e.serverKeyExchange = undefined;
  e.certificates = undefined;
  e.clientHelloFingerprints = undefined;
  e.ja3s = undefined;
  return m;
}

/** A reused message's common fields set for the next message (`reuseMessages`). */
function refill(m: TlsMessage, d: Direction, r: FramedRecord, type: MessageType, raw: Uint8Array, length: number, frames: number[]): TlsMessage {
  m.type = type;
  m.from = d.side;
  m.frame = r.frame;
  m.frames = frames;
  m.timeNs = r.timeNs;
  m.length = length;
  m.raw = raw;
  m.recordVersion = r.version;
  return m;
}

/**
 * Without hello details, after a hello was parsed whole with no problem: its
 * fingerprints set on the event, and its shape remembered with them (see
 * `knownHello`). A hello with an extension running past its end has none.
 */
function rememberHello(decoded: DecodedMessage, raw: Uint8Array): void {
  const ch = decoded.clientHello;
  if (ch !== undefined && ch.extensionsTruncated !== true) {
    const f = clientHelloFingerprints(ch, raw);
    decoded.clientHelloFingerprints = f;
    rememberClientHello(ch, f);
    return;
  }
  const sh = decoded.serverHello;
  if (sh !== undefined && sh.extensionsTruncated !== true) {
    const j = ja3s(sh);
    decoded.ja3s = j;
    rememberServerHello(sh, j);
  }
}

function errorText(e: unknown): string {
  if (e instanceof ParseError || e instanceof Error) return e.message;
  return String(e);
}

/**
 * The frames of a record. Records that came whole in one packet (nearly all of
 * them) share one `[frame]` per packet: a TLS 1.3 flight or a burst of
 * application data is many records in one frame, and every message keeps its
 * frames list (read-only) for as long as its session lives.
 */
let sharedFrameList: number[] = [0];

function framesOf(r: FramedRecord): number[] {
  if (r.frameCount !== 1) return r.frames.slice(0, r.frameCount);
  const frame = r.frames[0]!;
  if (sharedFrameList[0] !== frame) sharedFrameList = [frame];
  return sharedFrameList;
}

/** Whether `bytes[start, end)` (a record's fragment) is one or more complete handshake messages of known types, nothing more. */
function isWholeHandshakeMessages(bytes: Uint8Array, start: number, end: number): boolean {
  let at = start;
  while (at + 4 <= end) {
    if (!isTlsHandshakeType(bytes[at]!)) return false;
    at += 4 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return at === end && end > start;
}

/**
 * Handshake types only DTLS uses (RFC 9147 4: request_connection_id, new_connection_id;
 * RFC 8870: ekt_key). Over TCP a record starting with one is no plaintext handshake
 * message: like tshark, it is taken for an encrypted one.
 */
const DTLS_ONLY_HANDSHAKE_TYPES = new Set([9, 10, 26]);

/** Whether a handshake message of TLS over TCP can start with this type byte (asked per record and per message). */
function isTlsHandshakeType(t: number): boolean {
  return TLS_HANDSHAKE_TYPE[t] === 1;
}

/** Per type byte: 1 when a handshake message of TLS over TCP can start with it. */
const TLS_HANDSHAKE_TYPE = Uint8Array.from({ length: 256 }, (_, t) => (handshakeTypeName(t) !== null && !DTLS_ONLY_HANDSHAKE_TYPES.has(t) ? 1 : 0));

/** HMAC length by the MAC token of a suite name (RFC 5246 6.2.3.1: SecurityParameters.mac_length). */
const MAC_LENGTHS: Readonly<Record<string, number>> = { MD5: 16, SHA: 20, SHA256: 32, SHA384: 48 };

/** For a TLS <= 1.2 suite with no encryption (cipher NULL), its MAC length; 0 for any other suite. */
function nullCipherMacLength(cipherSuite: number): number {
  const info = cipherSuiteInfo(cipherSuite);
  if (!info || info.cipher !== 'NULL' || info.keyExchange === 'TLS13' || info.keyExchange === 'NULL') return 0;
  return MAC_LENGTHS[info.mac] ?? 0;
}
