/**
 * What a cipher suite means for record protection: which bulk cipher, how
 * long its keys and IVs are, which MAC, and which hash drives the PRF / HKDF.
 *
 * The registry (electron/core/tls/registries) names suites; this table holds
 * only the ones this layer can decrypt with node:crypto, keyed by IANA id
 * (RFC 8446 B.4, RFC 5246 A.5, RFC 5288, RFC 5289, RFC 7905, RFC 6655).
 * A suite missing here is reported as `unsupported-cipher-suite`, never guessed.
 */
export type BulkCipher =
  | 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'
  | 'aes-128-ccm' | 'aes-256-ccm'
  | 'aes-128-cbc' | 'aes-256-cbc';

export type HashName = 'sha1' | 'sha256' | 'sha384';

export interface CipherSuiteParams {
  id: number;
  name: string;
  /** TLS 1.3 suites use HKDF and only AEAD; the rest are TLS 1.0-1.2 suites. */
  tls13: boolean;
  cipher: BulkCipher;
  /** 'aead' (GCM, CCM, ChaCha20-Poly1305) or 'cbc' (block cipher + HMAC). */
  mode: 'aead' | 'cbc';
  keyLength: number;
  /**
   * TLS 1.2 AEAD: the implicit part of the nonce from the key block
   * (4 for GCM/CCM, 12 for ChaCha20-Poly1305). TLS 1.3: the IV length (12).
   * CBC: the block size (TLS 1.0 takes its first IV from the key block).
   */
  fixedIvLength: number;
  /** Bytes of explicit nonce carried in each TLS 1.2 record (8 for GCM/CCM, 0 for ChaCha20). */
  recordIvLength: number;
  /** AEAD tag length (16; 8 for the CCM_8 suites). 0 for CBC suites. */
  tagLength: number;
  /** HMAC hash for CBC suites; null for AEAD. */
  macHash: HashName | null;
  /** Hash of the TLS 1.2 PRF / the TLS 1.3 HKDF and transcript. */
  prfHash: 'sha256' | 'sha384';
}

const HASH_LENGTH: Record<HashName, number> = { sha1: 20, sha256: 32, sha384: 48 };

export function hashLength(hash: HashName): number {
  return HASH_LENGTH[hash];
}

type Row = [id: number, name: string, cipher: BulkCipher, mac: HashName | null, prf: 'sha256' | 'sha384', tagLength?: number];

// TLS 1.3 (RFC 8446 B.4).
const TLS13: Row[] = [
  [0x1301, 'TLS_AES_128_GCM_SHA256', 'aes-128-gcm', null, 'sha256'],
  [0x1302, 'TLS_AES_256_GCM_SHA384', 'aes-256-gcm', null, 'sha384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', null, 'sha256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256', 'aes-128-ccm', null, 'sha256'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256', 'aes-128-ccm', null, 'sha256', 8],
];

// TLS 1.0-1.2. The PRF hash is SHA-256 unless the suite names SHA-384 (RFC 5246 5, RFC 5289 3.2);
// TLS 1.0/1.1 ignore it and use the MD5+SHA-1 PRF.
const TLS12: Row[] = [
  // RSA key exchange
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'aes-128-cbc', 'sha1', 'sha256'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 'aes-256-cbc', 'sha1', 'sha256'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 'aes-256-cbc', 'sha256', 'sha256'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'aes-128-gcm', null, 'sha256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'aes-256-gcm', null, 'sha384'],
  [0xc09c, 'TLS_RSA_WITH_AES_128_CCM', 'aes-128-ccm', null, 'sha256'],
  [0xc09d, 'TLS_RSA_WITH_AES_256_CCM', 'aes-256-ccm', null, 'sha256'],
  [0xc0a0, 'TLS_RSA_WITH_AES_128_CCM_8', 'aes-128-ccm', null, 'sha256', 8],
  [0xc0a1, 'TLS_RSA_WITH_AES_256_CCM_8', 'aes-256-ccm', null, 'sha256', 8],
  // DHE
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'aes-128-cbc', 'sha1', 'sha256'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'aes-256-cbc', 'sha1', 'sha256'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'aes-256-cbc', 'sha256', 'sha256'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'aes-128-gcm', null, 'sha256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'aes-256-gcm', null, 'sha384'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', null, 'sha256'],
  [0xc09e, 'TLS_DHE_RSA_WITH_AES_128_CCM', 'aes-128-ccm', null, 'sha256'],
  [0xc09f, 'TLS_DHE_RSA_WITH_AES_256_CCM', 'aes-256-ccm', null, 'sha256'],
  // ECDHE
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'aes-128-cbc', 'sha1', 'sha256'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'aes-256-cbc', 'sha1', 'sha256'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'aes-128-cbc', 'sha1', 'sha256'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'aes-256-cbc', 'sha1', 'sha256'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'aes-128-cbc', 'sha256', 'sha256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'aes-128-cbc', 'sha256', 'sha256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'aes-128-gcm', null, 'sha256'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'aes-256-gcm', null, 'sha384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'aes-128-gcm', null, 'sha256'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'aes-256-gcm', null, 'sha384'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', null, 'sha256'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', null, 'sha256'],
  [0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 'aes-128-ccm', null, 'sha256'],
  [0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM', 'aes-256-ccm', null, 'sha256'],
  [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'aes-128-ccm', null, 'sha256', 8],
  [0xc0af, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8', 'aes-256-ccm', null, 'sha256', 8],
];

function build(row: Row, tls13: boolean): CipherSuiteParams {
  const [id, name, cipher, macHash, prfHash, tag] = row;
  const cbc = cipher.endsWith('-cbc');
  const keyLength = cipher.startsWith('aes-128') ? 16 : 32;
  const chacha = cipher === 'chacha20-poly1305';
  return {
    id, name, tls13, cipher,
    mode: cbc ? 'cbc' : 'aead',
    keyLength,
    fixedIvLength: tls13 || chacha ? 12 : cbc ? 16 : 4,
    recordIvLength: tls13 || chacha || cbc ? 0 : 8,
    tagLength: cbc ? 0 : (tag ?? 16),
    macHash,
    prfHash,
  };
}

const TABLE = new Map<number, CipherSuiteParams>();
for (const row of TLS13) TABLE.set(row[0], build(row, true));
for (const row of TLS12) TABLE.set(row[0], build(row, false));

/** Decryption parameters of cipher suite `id`, or null when this layer cannot decrypt it. */
export function cipherSuiteParams(id: number): CipherSuiteParams | null {
  return TABLE.get(id) ?? null;
}

/** Every suite this layer decrypts (for docs and tests). */
export function supportedCipherSuites(): readonly CipherSuiteParams[] {
  return [...TABLE.values()];
}
