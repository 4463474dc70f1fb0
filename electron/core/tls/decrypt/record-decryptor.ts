/**
 * Decrypts the TLSCiphertext records of one direction of one connection,
 * in order (the sequence number, and TLS 1.0's chained CBC IV, advance with
 * every record). Never throws: a record that does not authenticate, is too
 * short or is badly padded gives `{ok: false, reason}`.
 */
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { hashLength, type CipherSuiteParams } from './cipher-suite-params';
import { TLS1_1 } from './tls12-key-schedule';
import { xorSequenceIntoNonce } from './tls13-key-schedule';
import { concatBytes } from '../../bytes/concat-bytes';

/** One record as on the wire: the header's type and legacy version, and the fragment (after the 5-byte header). */
export interface TlsRecordIn {
  type: number;
  version: number;
  fragment: Uint8Array;
}

export type DecryptFailureReason =
  /** Shorter than the explicit IV/nonce + tag/MAC (+ padding) it must carry. */
  | 'too-short'
  /** The AEAD tag or the HMAC did not verify: wrong keys, or a damaged or out-of-order record. */
  | 'bad-record-mac'
  /** CBC padding bytes not as TLS requires. */
  | 'bad-padding'
  /** TLS 1.3 inner plaintext of zeros only: no content type (RFC 8446 5.4). */
  | 'no-content-type'
  /** No secrets for this connection/direction (key log lacks them). */
  | 'no-keys'
  /** The negotiated suite is not one this layer decrypts. */
  | 'unsupported-cipher-suite'
  /** SSL 3.0 or older, or DTLS. */
  | 'unsupported-version'
  /** TLS <= 1.2 renegotiation: keys of the new handshake are not followed (the encrypted ChangeCipherSpec ends decryption). */
  | 'renegotiated';

export type RecordDecryptResult =
  | { ok: true; contentType: number; plaintext: Uint8Array }
  | { ok: false; reason: DecryptFailureReason };

export interface RecordProtection {
  suite: CipherSuiteParams;
  /** Negotiated version (0x0301..0x0304): picks TLS 1.3 inner plaintext, TLS 1.0 chained IVs, ... */
  version: number;
  key: Uint8Array;
  /** TLS 1.3 write IV; TLS 1.2 AEAD implicit nonce; TLS 1.0 CBC first IV. */
  iv: Uint8Array;
  /** HMAC key of CBC suites (empty for AEAD). */
  macKey: Uint8Array;
  /** RFC 7366 encrypt_then_mac negotiated (CBC suites only). */
  encryptThenMac: boolean;
}

const CBC_BLOCK = 16;

export class RecordDecryptor {
  /** Sequence number of the next record (RFC 5246 6.1, RFC 8446 5.3): starts at 0 with every key change. */
  private sequence = 0;
  /** TLS 1.0 CBC: the IV for the next record is the last ciphertext block of the previous one. */
  private chainedIv: Uint8Array;
  /**
   * Scratch buffers reused for every record (node:crypto copies what it is
   * given before returning): no per-record allocation for nonce and AAD.
   */
  private readonly nonce: Uint8Array;
  private readonly aad13 = new Uint8Array(5);
  private readonly aad12 = new Uint8Array(13);

  constructor(private readonly protection: RecordProtection) {
    this.chainedIv = protection.iv.slice();
    this.nonce = new Uint8Array(protection.suite.tls13 || protection.suite.recordIvLength === 0 ? 12 : protection.iv.length + protection.suite.recordIvLength);
  }

  get nextSequenceNumber(): number {
    return this.sequence;
  }

  /** Key material stays out of logs: printing, JSON and Node's inspector show only this. */
  toString(): string {
    return `RecordDecryptor(${this.protection.suite.name}, next sequence ${this.sequence})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /**
   * Like `decrypt`, but a record that does not open leaves the state as it was
   * (for trial decryption: a 0-RTT record the handshake keys cannot open).
   */
  tryDecrypt(record: TlsRecordIn): RecordDecryptResult {
    const sequence = this.sequence;
    const chainedIv = this.chainedIv;
    const result = this.decrypt(record);
    if (!result.ok) {
      this.sequence = sequence;
      this.chainedIv = chainedIv;
    }
    return result;
  }

  /** Decrypts the next record of this direction; the sequence number advances whatever the outcome. */
  decrypt(record: TlsRecordIn): RecordDecryptResult {
    const sequence = this.sequence++;
    try {
      const { suite } = this.protection;
      if (suite.tls13) return this.decryptTls13(record, sequence);
      if (suite.mode === 'aead') return this.decryptTls12Aead(record, sequence);
      return this.decryptCbc(record, sequence);
    } catch {
      // node:crypto throws on a failed tag check (and on anything else it dislikes): all of it is a bad record.
      return { ok: false, reason: 'bad-record-mac' };
    }
  }

  /**
   * RFC 8446 5.2:
   *   struct { ContentType opaque_type = application_data; ProtocolVersion legacy_record_version = 0x0303;
   *            uint16 length; opaque encrypted_record[TLSCiphertext.length]; } TLSCiphertext;
   *   additional_data = TLSCiphertext.opaque_type || TLSCiphertext.legacy_record_version || TLSCiphertext.length
   *   struct { opaque content[TLSPlaintext.length]; ContentType type; uint8 zeros[length_of_padding]; } TLSInnerPlaintext;
   */
  private decryptTls13(record: TlsRecordIn, sequence: number): RecordDecryptResult {
    const { suite, key, iv } = this.protection;
    const fragment = record.fragment;
    if (fragment.length < suite.tagLength + 1) return { ok: false, reason: 'too-short' };
    const aad = this.aad13;
    aad[0] = record.type;
    aad[1] = record.version >>> 8;
    aad[2] = record.version & 0xff;
    aad[3] = fragment.length >>> 8;
    aad[4] = fragment.length & 0xff;
    const inner = aeadOpen(suite, key, xorSequenceIntoNonce(this.nonce, iv, sequence), aad, fragment);
    if (!inner) return { ok: false, reason: 'bad-record-mac' };
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) return { ok: false, reason: 'no-content-type' };
    return { ok: true, contentType: inner[end]!, plaintext: inner.subarray(0, end) };
  }

  /**
   * TLS 1.2 AEAD (RFC 5246 6.2.3.3, RFC 5288 3, RFC 6655 3, RFC 7905 2):
   *   struct { opaque nonce_explicit[record_iv_length]; aead-ciphered struct { opaque content[TLSCompressed.length]; }; } GenericAEADCipher;
   *   additional_data = seq_num + TLSCompressed.type + TLSCompressed.version + TLSCompressed.length;
   * GCM/CCM nonce = salt(4, from the key block) || nonce_explicit(8);
   * ChaCha20-Poly1305 has no explicit part: nonce = IV(12) XOR padded seq_num, as TLS 1.3.
   */
  private decryptTls12Aead(record: TlsRecordIn, sequence: number): RecordDecryptResult {
    const { suite, key, iv } = this.protection;
    const fragment = record.fragment;
    const explicit = suite.recordIvLength;
    const plaintextLength = fragment.length - explicit - suite.tagLength;
    if (plaintextLength < 0) return { ok: false, reason: 'too-short' };
    const nonce = this.nonce;
    if (explicit > 0) {
      nonce.set(iv, 0);
      nonce.set(fragment.subarray(0, explicit), iv.length);
    } else {
      xorSequenceIntoNonce(nonce, iv, sequence);
    }
    const aad = macHeader(this.aad12, sequence, record.type, record.version, plaintextLength);
    const plaintext = aeadOpen(suite, key, nonce, aad, fragment.subarray(explicit));
    if (!plaintext) return { ok: false, reason: 'bad-record-mac' };
    return { ok: true, contentType: record.type, plaintext };
  }

  /**
   * CBC block ciphers (RFC 5246 6.2.3.2; TLS 1.0 RFC 2246 6.2.3.2 has no explicit IV):
   *   struct { opaque IV[SecurityParameters.record_iv_length];
   *            block-ciphered struct { opaque content[TLSCompressed.length]; opaque MAC[mac_length];
   *                                    uint8 padding[GenericBlockCipher.padding_length]; uint8 padding_length; }; } GenericBlockCipher;
   *   MAC(MAC_write_key, seq_num + TLSCompressed.type + TLSCompressed.version + TLSCompressed.length + TLSCompressed.fragment)
   * Encrypt-then-MAC (RFC 7366 3): the MAC follows the ciphertext and covers IV + ciphertext,
   *   with the length field being the length of IV + ciphertext.
   */
  private decryptCbc(record: TlsRecordIn, sequence: number): RecordDecryptResult {
    const { suite, version, key, macKey, encryptThenMac } = this.protection;
    const macHash = suite.macHash ?? 'sha1';
    const macLength = hashLength(macHash);
    const fragment = record.fragment;
    const explicitIv = version >= TLS1_1;
    const ivLength = explicitIv ? CBC_BLOCK : 0;

    let encrypted = fragment;
    if (encryptThenMac) {
      const covered = fragment.length - macLength;
      if (covered < ivLength + CBC_BLOCK || (covered - ivLength) % CBC_BLOCK !== 0) return { ok: false, reason: 'too-short' };
      encrypted = fragment.subarray(0, covered);
      const expected = hmac(macHash, macKey, macHeader(this.aad12, sequence, record.type, record.version, covered), encrypted);
      if (!timingSafeEqual(expected, fragment.subarray(covered))) return { ok: false, reason: 'bad-record-mac' };
    } else if (encrypted.length < ivLength + CBC_BLOCK || (encrypted.length - ivLength) % CBC_BLOCK !== 0) {
      return { ok: false, reason: 'too-short' };
    }

    const iv = explicitIv ? encrypted.subarray(0, CBC_BLOCK) : this.chainedIv;
    const ciphertext = encrypted.subarray(ivLength);
    if (!explicitIv) this.chainedIv = ciphertext.slice(ciphertext.length - CBC_BLOCK);
    const decipher = createDecipheriv(suite.cipher, key, iv);
    decipher.setAutoPadding(false);
    const padded = concatBytes(decipher.update(ciphertext), decipher.final());

    // padding_length, then that many bytes each equal to it (RFC 5246 6.2.3.2).
    const paddingLength = padded[padded.length - 1]!;
    const contentAndMac = padded.length - 1 - paddingLength;
    const minimum = encryptThenMac ? 0 : macLength;
    if (contentAndMac < minimum) return { ok: false, reason: 'bad-padding' };
    for (let i = contentAndMac; i < padded.length - 1; i++) {
      if (padded[i] !== paddingLength) return { ok: false, reason: 'bad-padding' };
    }
    if (encryptThenMac) return { ok: true, contentType: record.type, plaintext: padded.subarray(0, contentAndMac) };

    const contentLength = contentAndMac - macLength;
    const content = padded.subarray(0, contentLength);
    const expected = hmac(macHash, macKey, macHeader(this.aad12, sequence, record.type, record.version, contentLength), content);
    if (!timingSafeEqual(expected, padded.subarray(contentLength, contentAndMac))) return { ok: false, reason: 'bad-record-mac' };
    return { ok: true, contentType: record.type, plaintext: content };
  }
}

/** seq_num(8) + type(1) + version(2) + length(2): the TLS 1.0-1.2 MAC / AEAD additional data header. */
function macHeader(out: Uint8Array, sequence: number, type: number, version: number, length: number): Uint8Array {
  const high = Math.floor(sequence / 0x1_0000_0000);
  const low = sequence >>> 0;
  out[0] = high >>> 24; out[1] = (high >>> 16) & 0xff; out[2] = (high >>> 8) & 0xff; out[3] = high & 0xff;
  out[4] = low >>> 24; out[5] = (low >>> 16) & 0xff; out[6] = (low >>> 8) & 0xff; out[7] = low & 0xff;
  out[8] = type;
  out[9] = version >>> 8; out[10] = version & 0xff;
  out[11] = length >>> 8; out[12] = length & 0xff;
  return out;
}

function hmac(hash: string, key: Uint8Array, header: Uint8Array, data: Uint8Array): Uint8Array {
  return createHmac(hash, key).update(header).update(data).digest();
}

const AEAD_OPTIONS: Record<number, { authTagLength: number }> = { 8: { authTagLength: 8 }, 16: { authTagLength: 16 } };

/** AEAD decryption of `sealed` = ciphertext || tag; null when the tag does not verify. */
function aeadOpen(suite: CipherSuiteParams, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  const ciphertext = sealed.subarray(0, sealed.length - suite.tagLength);
  const tag = sealed.subarray(sealed.length - suite.tagLength);
  const options = AEAD_OPTIONS[suite.tagLength] ?? { authTagLength: suite.tagLength };
  if (suite.cipher === 'aes-128-ccm' || suite.cipher === 'aes-256-ccm') {
    // CCM needs the tag and the plaintext length before the data, and takes the data in one update.
    const decipher = createDecipheriv(suite.cipher, key, nonce, options);
    decipher.setAuthTag(tag);
    decipher.setAAD(aad, { plaintextLength: ciphertext.length });
    const out = decipher.update(ciphertext);
    decipher.final();
    return out;
  }
  if (suite.cipher === 'aes-128-gcm' || suite.cipher === 'aes-256-gcm') {
    const decipher = createDecipheriv(suite.cipher, key, nonce, options);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return concatBytes(decipher.update(ciphertext), decipher.final());
  }
  if (suite.cipher === 'chacha20-poly1305') {
    const decipher = createDecipheriv(suite.cipher, key, nonce, options);
    decipher.setAAD(aad, { plaintextLength: ciphertext.length });
    decipher.setAuthTag(tag);
    return concatBytes(decipher.update(ciphertext), decipher.final());
  }
  return null;
}

