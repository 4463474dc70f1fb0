/**
 * The parts of the TLS 1.3 key schedule (RFC 8446 section 7) needed once the
 * traffic secrets are known (from a key log): traffic keys and IVs, the
 * per-record nonce, KeyUpdate, and the Finished MAC.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hashLength, type CipherSuiteParams } from './cipher-suite-params';

export type Tls13Hash = 'sha256' | 'sha384';

/** RFC 5869 2.3 HKDF-Expand: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), output the first L bytes. */
export function hkdfExpand(hash: Tls13Hash, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashLen = hashLength(hash);
  if (length > 255 * hashLen) throw new RangeError('HKDF-Expand: length too large');
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  let filled = 0;
  for (let i = 1; filled < length; i++) {
    const block = createHmac(hash, prk).update(previous).update(info).update(Uint8Array.of(i)).digest();
    previous = new Uint8Array(block.buffer, block.byteOffset, block.length);
    const take = Math.min(previous.length, length - filled);
    out.set(previous.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

/**
 * RFC 8446 7.1:
 *   HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length)
 *   struct {
 *       uint16 length = Length;
 *       opaque label<7..255> = "tls13 " + Label;
 *       opaque context<0..255> = Context;
 *   } HkdfLabel;
 */
export function hkdfExpandLabel(hash: Tls13Hash, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const fullLabel = new TextEncoder().encode(`tls13 ${label}`);
  const info = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  info[0] = length >>> 8;
  info[1] = length & 0xff;
  info[2] = fullLabel.length;
  info.set(fullLabel, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return hkdfExpand(hash, secret, info, length);
}

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

/**
 * RFC 8446 7.3:
 *   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
 *   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
 */
export function tls13TrafficKeys(suite: CipherSuiteParams, trafficSecret: Uint8Array): TrafficKeys {
  const empty = new Uint8Array(0);
  return {
    key: hkdfExpandLabel(suite.prfHash, trafficSecret, 'key', empty, suite.keyLength),
    iv: hkdfExpandLabel(suite.prfHash, trafficSecret, 'iv', empty, 12),
  };
}

/**
 * RFC 8446 7.2 (KeyUpdate):
 *   application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
 */
export function tls13NextTrafficSecret(suite: CipherSuiteParams, trafficSecret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(suite.prfHash, trafficSecret, 'traffic upd', new Uint8Array(0), hashLength(suite.prfHash));
}

/**
 * RFC 8446 5.3: the 64-bit record sequence number, big-endian, left-padded
 * to iv_length, XORed with the static IV (also the TLS 1.2 ChaCha20-Poly1305
 * nonce, RFC 7905 2). `sequence` is a number: 2^53 records is beyond any capture.
 */
export function tls13Nonce(iv: Uint8Array, sequence: number): Uint8Array {
  return xorSequenceIntoNonce(new Uint8Array(iv.length), iv, sequence);
}

/** `tls13Nonce` into a caller's buffer (`out.length === iv.length`): no allocation per record. */
export function xorSequenceIntoNonce(out: Uint8Array, iv: Uint8Array, sequence: number): Uint8Array {
  out.set(iv, 0);
  const n = out.length;
  let high = Math.floor(sequence / 0x1_0000_0000);
  let low = sequence >>> 0;
  for (let i = 0; i < 4; i++) {
    out[n - 1 - i]! ^= low & 0xff;
    low >>>= 8;
    out[n - 5 - i]! ^= high & 0xff;
    high >>>= 8;
  }
  return out;
}

/**
 * RFC 8446 4.4.4:
 *   finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)
 *   verify_data  = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*))
 * BaseKey is the sender's handshake traffic secret.
 */
export function tls13FinishedVerifyData(hash: Tls13Hash, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  const finishedKey = hkdfExpandLabel(hash, baseKey, 'finished', new Uint8Array(0), hashLength(hash));
  const mac = createHmac(hash, finishedKey).update(transcriptHash).digest();
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.length);
}

/** True when `verifyData` is the Finished MAC for `transcriptHash` under `baseKey`. */
export function tls13VerifyFinished(hash: Tls13Hash, baseKey: Uint8Array, transcriptHash: Uint8Array, verifyData: Uint8Array): boolean {
  const expected = tls13FinishedVerifyData(hash, baseKey, transcriptHash);
  return expected.length === verifyData.length && timingSafeEqual(expected, verifyData);
}
