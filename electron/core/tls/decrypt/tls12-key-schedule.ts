/**
 * TLS 1.0-1.2 key derivation from a master secret (which the key log's
 * CLIENT_RANDOM line gives directly, whatever the key exchange, with or
 * without extended master secret): the PRF, the key block and its split,
 * and the Finished verify_data.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { hashLength, type CipherSuiteParams } from './cipher-suite-params';
import { concatBytes } from '../../bytes/concat-bytes';

export const TLS1_0 = 0x0301;
export const TLS1_1 = 0x0302;
export const TLS1_2 = 0x0303;

const encoder = new TextEncoder();

/**
 * RFC 5246 5:
 *   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) + HMAC_hash(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
 */
function pHash(hash: 'md5' | 'sha1' | 'sha256' | 'sha384', secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let a: Uint8Array = seed;
  let filled = 0;
  while (filled < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

/**
 * The PRF of `version`:
 * - TLS 1.2 (RFC 5246 5): PRF(secret, label, seed) = P_<hash>(secret, label + seed), hash from the suite.
 * - TLS 1.0/1.1 (RFC 2246 5): split the secret into halves S1, S2 (sharing the middle byte when odd);
 *   PRF = P_MD5(S1, label + seed) XOR P_SHA-1(S2, label + seed).
 */
export function tlsPrf(version: number, prfHash: 'sha256' | 'sha384', secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelSeed = concatBytes(encoder.encode(label), seed);
  if (version >= TLS1_2) return pHash(prfHash, secret, labelSeed, length);
  const half = Math.ceil(secret.length / 2);
  const md5 = pHash('md5', secret.subarray(0, half), labelSeed, length);
  const sha1 = pHash('sha1', secret.subarray(secret.length - half), labelSeed, length);
  for (let i = 0; i < length; i++) md5[i]! ^= sha1[i]!;
  return md5;
}

/** One direction's record protection keys. */
export interface Tls12DirectionKeys {
  macKey: Uint8Array;
  key: Uint8Array;
  /** AEAD: the implicit nonce part (salt). CBC: TLS 1.0's first IV (later ones chain). */
  iv: Uint8Array;
}

export interface Tls12KeyBlock {
  client: Tls12DirectionKeys;
  server: Tls12DirectionKeys;
}

/**
 * RFC 5246 6.3:
 *   key_block = PRF(SecurityParameters.master_secret, "key expansion",
 *                   SecurityParameters.server_random + SecurityParameters.client_random);
 *   client_write_MAC_key[mac_key_length] server_write_MAC_key[mac_key_length]
 *   client_write_key[enc_key_length]     server_write_key[enc_key_length]
 *   client_write_IV[fixed_iv_length]     server_write_IV[fixed_iv_length]
 */
export function tls12KeyBlock(version: number, suite: CipherSuiteParams, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Tls12KeyBlock {
  const macLength = suite.macHash ? hashLength(suite.macHash) : 0;
  const ivLength = suite.fixedIvLength;
  const total = 2 * (macLength + suite.keyLength + ivLength);
  const block = tlsPrf(version, suite.prfHash, masterSecret, 'key expansion', concatBytes(serverRandom, clientRandom), total);
  let at = 0;
  const take = (n: number): Uint8Array => {
    const part = block.slice(at, at + n);
    at += n;
    return part;
  };
  const clientMac = take(macLength);
  const serverMac = take(macLength);
  const clientKey = take(suite.keyLength);
  const serverKey = take(suite.keyLength);
  const clientIv = take(ivLength);
  const serverIv = take(ivLength);
  return {
    client: { macKey: clientMac, key: clientKey, iv: clientIv },
    server: { macKey: serverMac, key: serverKey, iv: serverIv },
  };
}

/**
 * RFC 5246 8.1 / RFC 7627 4 (for completeness: the key log usually gives the master secret itself):
 *   master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]
 *   extended:       PRF(pre_master_secret, "extended master secret", session_hash)[0..47]
 */
export function tls12MasterSecret(version: number, prfHash: 'sha256' | 'sha384', preMasterSecret: Uint8Array,
  clientRandom: Uint8Array, serverRandom: Uint8Array, sessionHash?: Uint8Array): Uint8Array {
  return sessionHash
    ? tlsPrf(version, prfHash, preMasterSecret, 'extended master secret', sessionHash, 48)
    : tlsPrf(version, prfHash, preMasterSecret, 'master secret', concatBytes(clientRandom, serverRandom), 48);
}

/**
 * RFC 5246 7.4.9:
 *   verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..verify_data_length-1]
 *   finished_label: "client finished" | "server finished"; verify_data_length 12.
 * `handshakeHash` is Hash(handshake_messages): SHA-256/384 (the PRF hash) in TLS 1.2,
 * MD5(handshake_messages) + SHA-1(handshake_messages) (36 bytes) in TLS 1.0/1.1.
 */
export function tls12FinishedVerifyData(version: number, prfHash: 'sha256' | 'sha384', masterSecret: Uint8Array,
  side: 'client' | 'server', handshakeHash: Uint8Array): Uint8Array {
  return tlsPrf(version, prfHash, masterSecret, `${side} finished`, handshakeHash, 12);
}

export function tls12VerifyFinished(version: number, prfHash: 'sha256' | 'sha384', masterSecret: Uint8Array,
  side: 'client' | 'server', handshakeHash: Uint8Array, verifyData: Uint8Array): boolean {
  const expected = tls12FinishedVerifyData(version, prfHash, masterSecret, side, handshakeHash);
  return verifyData.length === expected.length && timingSafeEqual(expected, verifyData);
}
