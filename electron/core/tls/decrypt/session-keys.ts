/**
 * Which keys protect which record, for one TLS connection: the decoder
 * creates one `SessionKeys` when it has seen the ServerHello and then hands
 * it every later record of each direction, in order; `decryptClient` /
 * `decryptServer` say whether the record was cleartext, decrypt it, or say
 * why they could not. Key changes happen here:
 *
 * - TLS 1.0-1.2: each direction is encrypted from the record after its ChangeCipherSpec.
 * - TLS 1.3: handshake traffic keys from the first record after ServerHello;
 *   application traffic keys after each side's Finished; the next generation
 *   after each KeyUpdate. Outer content types other than application_data
 *   (the compatibility ChangeCipherSpec, cleartext alerts) stay cleartext.
 *   0-RTT: client records that open with the early traffic keys are decrypted
 *   with them until EndOfEarlyData; records no key opens (rejected 0-RTT,
 *   or 0-RTT without its secret) are skipped without disturbing the handshake keys.
 */
import { cipherSuiteParams, type CipherSuiteParams } from './cipher-suite-params';
import { HandshakeFramer } from './handshake-framer';
import { transcriptHashName, type TranscriptHashName } from './handshake-transcript';
import type { ConnectionSecrets, KeyLog, KeyLogLabel } from './keylog';
import { RecordDecryptor, type DecryptFailureReason, type TlsRecordIn } from './record-decryptor';
import { tls12KeyBlock, tls12VerifyFinished, type Tls12DirectionKeys } from './tls12-key-schedule';
import { tls13NextTrafficSecret, tls13TrafficKeys, tls13VerifyFinished } from './tls13-key-schedule';

export type Side = 'client' | 'server';

export const CONTENT_CHANGE_CIPHER_SPEC = 20;
export const CONTENT_ALERT = 21;
export const CONTENT_HANDSHAKE = 22;
export const CONTENT_APPLICATION_DATA = 23;

const HANDSHAKE_END_OF_EARLY_DATA = 5;
const HANDSHAKE_FINISHED = 20;
const HANDSHAKE_KEY_UPDATE = 24;
const TLS1_0 = 0x0301;
const TLS1_3 = 0x0304;

export type SessionRecordResult =
  /** Not encrypted at this point of the connection: dissect the record as it is. */
  | { kind: 'cleartext' }
  /** `contentType` is the real one (TLS 1.3: from the inner plaintext). */
  | { kind: 'decrypted'; contentType: number; plaintext: Uint8Array }
  | { kind: 'undecryptable'; reason: DecryptFailureReason };

export interface SessionKeysInit {
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  /** Negotiated version: ServerHello.version, or its supported_versions (0x0304) for TLS 1.3. */
  version: number;
  cipherSuite: number;
  /** ServerHello carried encrypt_then_mac (RFC 7366) and the suite is CBC. */
  encryptThenMac?: boolean;
  keyLog: KeyLog;
  /**
   * TLS <= 1.2 master secret when the key log has none for this client random:
   * e.g. the one of the earlier connection an abbreviated handshake resumes.
   */
  masterSecret?: Uint8Array;
}

export type SessionKeysStatus = 'ready' | 'no-keys' | 'unsupported-cipher-suite' | 'unsupported-version';

/** TLS 1.3 per-direction state: the current traffic secret and its decryptor. */
interface Tls13Direction {
  framer: HandshakeFramer;
  /** Handshake traffic keys until this side's Finished, application traffic keys (generation 0, 1, ...) after. */
  phase: 'handshake' | 'application';
  /** The current decryptor has opened at least one record. */
  opened: boolean;
  /** Without a handshake secret: the application keys, tried on each record until one opens. */
  applicationTrial: RecordDecryptor | null;
  secret: Uint8Array | null;
  decryptor: RecordDecryptor | null;
  /** Client only: the 0-RTT decryptor, until EndOfEarlyData (or the first record the handshake keys open). */
  early: RecordDecryptor | null;
}

/** TLS <= 1.2 per-direction state. */
interface Tls12Direction {
  /** ChangeCipherSpec seen: records from here on are encrypted. */
  encrypting: boolean;
  decryptor: RecordDecryptor | null;
  /** A second ChangeCipherSpec under encryption (renegotiation) would need keys of a new handshake: not followed. */
  lost: boolean;
}

export class SessionKeys {
  readonly suite: CipherSuiteParams | null;
  readonly version: number;
  /** The key log's secrets for this connection (a live key log: re-read when it changed, see `refreshSecrets`). */
  private secrets: ConnectionSecrets;
  private master: Uint8Array | null;
  private keyBlock: { client: Tls12DirectionKeys; server: Tls12DirectionKeys } | null;
  /** The key log is live (secrets may come after this object was made); false: read once, here. */
  private readonly live: boolean;
  /** `keyLog.generation` when `secrets` was read. */
  private readGeneration: number;
  private readonly tls13: Record<Side, Tls13Direction> | null;
  private readonly tls12: Record<Side, Tls12Direction> | null;

  constructor(private readonly init: SessionKeysInit) {
    this.version = init.version;
    this.suite = cipherSuiteParams(init.cipherSuite);
    this.live = init.keyLog.live;
    this.readGeneration = init.keyLog.generation;
    this.secrets = init.keyLog.get(init.clientRandom) ?? {};
    this.master = this.secrets.CLIENT_RANDOM ?? init.masterSecret ?? null;
    const suite = this.suite;
    if (init.version >= TLS1_3) {
      this.tls12 = null;
      this.keyBlock = null;
      this.tls13 = {
        client: this.tls13Direction(suite, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_EARLY_TRAFFIC_SECRET'),
        server: this.tls13Direction(suite, 'SERVER_HANDSHAKE_TRAFFIC_SECRET', null),
      };
    } else {
      this.tls13 = null;
      this.keyBlock = this.tls12KeyBlockOrNull();
      this.tls12 = {
        client: { encrypting: false, decryptor: null, lost: false },
        server: { encrypting: false, decryptor: null, lost: false },
      };
    }
  }

  /** Whether the key log (or `masterSecret`) had what this connection needs, and the suite is supported. */
  get status(): SessionKeysStatus {
    // SSL 3.0 (its own MAC and PRF), SSL 2.0 and DTLS versions are not decrypted.
    if (this.version < TLS1_0 || this.version > TLS1_3) return 'unsupported-version';
    if (!this.suite || this.suite.tls13 !== this.version >= TLS1_3) return 'unsupported-cipher-suite';
    if (this.version >= TLS1_3) {
      const s = this.secrets;
      return s.CLIENT_HANDSHAKE_TRAFFIC_SECRET || s.SERVER_HANDSHAKE_TRAFFIC_SECRET || s.CLIENT_TRAFFIC_SECRET_0 || s.SERVER_TRAFFIC_SECRET_0
        ? 'ready' : 'no-keys';
    }
    return this.master ? 'ready' : 'no-keys';
  }

  /** The TLS <= 1.2 master secret in use (to remember for sessions that resume this one). */
  get masterSecret(): Uint8Array | null {
    return this.master;
  }

  /** Key material stays out of logs: printing, JSON and Node's inspector show only this. */
  toString(): string {
    return `SessionKeys(version 0x${this.version.toString(16)}, ${this.suite?.name ?? 'unsupported suite'}, ${this.status})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Which hash `checkFinished` expects the transcript to be hashed with; null for an unsupported suite. */
  get transcriptHash(): TranscriptHashName | null {
    return this.suite ? transcriptHashName(this.version, this.suite) : null;
  }

  decryptClient(record: TlsRecordIn): SessionRecordResult {
    return this.decrypt('client', record);
  }

  decryptServer(record: TlsRecordIn): SessionRecordResult {
    return this.decrypt('server', record);
  }

  /**
   * Checks a Finished message's verify_data against `transcriptHash`: the hash
   * (`this.transcriptHash`) of every handshake message before this Finished,
   * both directions, in order (TLS 1.3: from ClientHello on; RFC 8446 4.4.4,
   * RFC 5246 7.4.9). False when it does not match or the secrets are missing.
   */
  checkFinished(side: Side, verifyData: Uint8Array, transcriptHash: Uint8Array): boolean {
    const suite = this.suite;
    if (!suite) return false;
    if (this.version >= TLS1_3) {
      const base = side === 'client' ? this.secrets.CLIENT_HANDSHAKE_TRAFFIC_SECRET : this.secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET;
      return !!base && tls13VerifyFinished(suite.prfHash, base, transcriptHash, verifyData);
    }
    return !!this.master && tls12VerifyFinished(this.version, suite.prfHash, this.master, side, transcriptHash, verifyData);
  }

  private decrypt(side: Side, record: TlsRecordIn): SessionRecordResult {
    if (this.live) this.refreshSecrets();
    if (this.tls13) return this.decryptTls13(side, this.tls13[side], record);
    return this.decryptTls12(side, this.tls12![side], record);
  }

  private decryptTls12(side: Side, direction: Tls12Direction, record: TlsRecordIn): SessionRecordResult {
    if (!direction.encrypting) {
      if (record.type === CONTENT_CHANGE_CIPHER_SPEC) {
        direction.encrypting = true;
        direction.decryptor = this.tls12Decryptor(side);
      }
      return { kind: 'cleartext' };
    }
    if (direction.lost) return { kind: 'undecryptable', reason: 'renegotiated' };
    if (!direction.decryptor) return { kind: 'undecryptable', reason: this.failureWithoutKeys() };
    const result = direction.decryptor.decrypt(record);
    if (!result.ok) return { kind: 'undecryptable', reason: result.reason };
    if (result.contentType === CONTENT_CHANGE_CIPHER_SPEC) direction.lost = true;
    return { kind: 'decrypted', contentType: result.contentType, plaintext: result.plaintext };
  }

  private decryptTls13(side: Side, direction: Tls13Direction, record: TlsRecordIn): SessionRecordResult {
    if (record.type !== CONTENT_APPLICATION_DATA) return { kind: 'cleartext' };
    if (direction.early) {
      const early = direction.early.tryDecrypt(record);
      if (early.ok) return this.afterTls13Record(side, direction, early.contentType, early.plaintext);
    }
    if (!direction.decryptor) {
      if (direction.phase === 'handshake') return this.tryApplicationKeysWithoutHandshakeKeys(side, direction, record);
      return { kind: 'undecryptable', reason: this.failureWithoutKeys() };
    }
    // Until the client's handshake keys have opened a record, a record they cannot open may be
    // 0-RTT data sent with a secret we lack: skip it without advancing the handshake sequence.
    const trial = side === 'client' && direction.phase === 'handshake' && !direction.opened;
    const result = trial ? direction.decryptor.tryDecrypt(record) : direction.decryptor.decrypt(record);
    if (!result.ok) return { kind: 'undecryptable', reason: result.reason };
    direction.opened = true;
    direction.early = null;
    return this.afterTls13Record(side, direction, result.contentType, result.plaintext);
  }

  /**
   * A key log with the application traffic secrets but not the handshake ones
   * (cut short, or written by a tool that logs only those): the handshake
   * stays unreadable, so its Finished cannot announce the key change; each
   * record is tried with the application keys instead, and the first that
   * opens switches this direction to them.
   */
  private tryApplicationKeysWithoutHandshakeKeys(side: Side, direction: Tls13Direction, record: TlsRecordIn): SessionRecordResult {
    const secret = side === 'client' ? this.secrets.CLIENT_TRAFFIC_SECRET_0 : this.secrets.SERVER_TRAFFIC_SECRET_0;
    if (secret && !direction.applicationTrial) direction.applicationTrial = this.tls13Decryptor(secret);
    const result = direction.applicationTrial?.tryDecrypt(record);
    if (!result?.ok) return { kind: 'undecryptable', reason: this.failureWithoutKeys() };
    const decryptor = direction.applicationTrial!;
    this.switchTls13Secret(direction, secret);
    direction.decryptor = decryptor;
    direction.opened = true;
    return this.afterTls13Record(side, direction, result.contentType, result.plaintext);
  }

  /** Follows the handshake messages of a decrypted TLS 1.3 record; key changes apply from the next record. */
  private afterTls13Record(side: Side, direction: Tls13Direction, contentType: number, plaintext: Uint8Array): SessionRecordResult {
    if (contentType === CONTENT_HANDSHAKE) {
      for (const type of direction.framer.push(plaintext)) {
        if (type === HANDSHAKE_END_OF_EARLY_DATA) {
          direction.early = null;
        } else if (type === HANDSHAKE_FINISHED && direction.phase === 'handshake') {
          // Post-handshake authentication sends a Finished under application keys: no change then.
          this.switchTls13Secret(direction, side === 'client' ? this.secrets.CLIENT_TRAFFIC_SECRET_0 : this.secrets.SERVER_TRAFFIC_SECRET_0);
        } else if (type === HANDSHAKE_KEY_UPDATE && direction.phase === 'application' && direction.secret && this.suite) {
          this.switchTls13Secret(direction, tls13NextTrafficSecret(this.suite, direction.secret));
        }
      }
    }
    return { kind: 'decrypted', contentType, plaintext };
  }

  private switchTls13Secret(direction: Tls13Direction, secret: Uint8Array | undefined): void {
    direction.phase = 'application';
    direction.secret = secret ?? null;
    direction.decryptor = secret ? this.tls13Decryptor(secret) : null;
    direction.opened = false;
    direction.early = null;
    direction.applicationTrial = null;
  }

  /**
   * A live key log changed since the secrets were read: reads them again and
   * fills in the keys that were missing. Keys already in use stay (their
   * sequence numbers and chains run on); TLS 1.2 keys are taken at each
   * direction's ChangeCipherSpec, TLS 1.3 handshake keys at the direction's
   * first encrypted record, application keys at its Finished (or here, if the
   * Finished came first).
   */
  private refreshSecrets(): void {
    const keyLog = this.init.keyLog;
    if (keyLog.generation === this.readGeneration) return;
    this.readGeneration = keyLog.generation;
    const secrets = keyLog.get(this.init.clientRandom);
    if (!secrets) return;
    this.secrets = secrets;
    if (this.tls13) {
      this.fillTls13Keys(this.tls13.client, secrets.CLIENT_HANDSHAKE_TRAFFIC_SECRET, secrets.CLIENT_TRAFFIC_SECRET_0);
      this.fillTls13Keys(this.tls13.server, secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET, secrets.SERVER_TRAFFIC_SECRET_0);
    } else if (!this.keyBlock) {
      this.master = secrets.CLIENT_RANDOM ?? this.master;
      this.keyBlock = this.tls12KeyBlockOrNull();
    }
  }

  private fillTls13Keys(direction: Tls13Direction, handshake: Uint8Array | undefined, application: Uint8Array | undefined): void {
    if (direction.decryptor || direction.opened) return;
    if (direction.phase === 'handshake' && handshake) {
      direction.secret = handshake;
      direction.decryptor = this.tls13Decryptor(handshake);
    } else if (direction.phase === 'application' && !direction.secret && application) {
      this.switchTls13Secret(direction, application);
    }
  }

  private tls12KeyBlockOrNull(): { client: Tls12DirectionKeys; server: Tls12DirectionKeys } | null {
    const { suite, master, init } = this;
    return suite && !suite.tls13 && master && init.version >= TLS1_0
      ? tls12KeyBlock(init.version, suite, master, init.clientRandom, init.serverRandom)
      : null;
  }

  private tls13Direction(suite: CipherSuiteParams | null, handshake: KeyLogLabel, early: KeyLogLabel | null): Tls13Direction {
    const secret = this.secrets[handshake] ?? null;
    const earlySecret = early ? this.secrets[early] : undefined;
    return {
      framer: new HandshakeFramer(),
      phase: 'handshake',
      opened: false,
      applicationTrial: null,
      secret,
      decryptor: secret && suite?.tls13 ? this.tls13Decryptor(secret) : null,
      early: earlySecret && suite?.tls13 ? this.tls13Decryptor(earlySecret) : null,
    };
  }

  private tls13Decryptor(secret: Uint8Array): RecordDecryptor | null {
    const suite = this.suite;
    if (!suite?.tls13) return null;
    const { key, iv } = tls13TrafficKeys(suite, secret);
    return new RecordDecryptor({ suite, version: this.version, key, iv, macKey: new Uint8Array(0), encryptThenMac: false });
  }

  private tls12Decryptor(side: Side): RecordDecryptor | null {
    const suite = this.suite;
    if (!suite || suite.tls13 || !this.keyBlock) return null;
    const keys = this.keyBlock[side];
    return new RecordDecryptor({
      suite,
      version: this.version,
      key: keys.key,
      iv: keys.iv,
      macKey: keys.macKey,
      encryptThenMac: suite.mode === 'cbc' && !!this.init.encryptThenMac,
    });
  }

  private failureWithoutKeys(): DecryptFailureReason {
    const status = this.status;
    return status === 'unsupported-cipher-suite' || status === 'unsupported-version' ? status : 'no-keys';
  }
}
