/**
 * Splits an IANA cipher suite name into its parts, by the naming convention
 * the registry follows:
 *   TLS_<KeyExchange>_<Authentication>_WITH_<Cipher>_<MAC>   (TLS <= 1.2)
 *   TLS_<AEAD>_<HKDF hash>                                    (TLS 1.3, RFC 8446 B.4)
 * For AEAD ciphers (GCM, CCM, ChaCha20-Poly1305, MGM) the trailing hash is the
 * PRF's, so the MAC is "AEAD", as OpenSSL reports it.
 */
import { cipherSuiteName } from './registry-names';

export interface CipherSuiteInfo {
  name: string;
  /** 'ECDHE','DHE','RSA','PSK','ECDHE_PSK','DHE_PSK','RSA_PSK','DH','ECDH','SRP','NULL','KRB5','TLS13' (or the IANA token for rarities such as ECCPWD, GOSTR341112_256). */
  keyExchange: string;
  /** 'RSA','ECDSA','DSS','PSK','anon','KRB5','SRP','NULL','TLS13', ... */
  authentication: string;
  /** 'AES_128_GCM', 'CHACHA20_POLY1305', '3DES_EDE_CBC', 'NULL', ... */
  cipher: string;
  /** 'SHA', 'SHA256', 'SHA384', 'MD5', 'AEAD', ... */
  mac: string;
}

/** "<KeyExchange>_<Authentication>" prefixes of the TLS <= 1.2 names. */
const KEY_EXCHANGE_AUTH: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['NULL', ['NULL', 'NULL']],
  ['RSA', ['RSA', 'RSA']],
  ['RSA_EXPORT', ['RSA', 'RSA']],
  ['DH_DSS', ['DH', 'DSS']],
  ['DH_DSS_EXPORT', ['DH', 'DSS']],
  ['DH_RSA', ['DH', 'RSA']],
  ['DH_RSA_EXPORT', ['DH', 'RSA']],
  ['DHE_DSS', ['DHE', 'DSS']],
  ['DHE_DSS_EXPORT', ['DHE', 'DSS']],
  ['DHE_RSA', ['DHE', 'RSA']],
  ['DHE_RSA_EXPORT', ['DHE', 'RSA']],
  ['DH_anon', ['DH', 'anon']],
  ['DH_anon_EXPORT', ['DH', 'anon']],
  ['KRB5', ['KRB5', 'KRB5']],
  ['KRB5_EXPORT', ['KRB5', 'KRB5']],
  ['PSK', ['PSK', 'PSK']],
  ['DHE_PSK', ['DHE_PSK', 'PSK']],
  ['PSK_DHE', ['DHE_PSK', 'PSK']],
  ['RSA_PSK', ['RSA_PSK', 'RSA']],
  ['ECDHE_PSK', ['ECDHE_PSK', 'PSK']],
  ['ECDH_ECDSA', ['ECDH', 'ECDSA']],
  ['ECDHE_ECDSA', ['ECDHE', 'ECDSA']],
  ['ECDH_RSA', ['ECDH', 'RSA']],
  ['ECDHE_RSA', ['ECDHE', 'RSA']],
  ['ECDH_anon', ['ECDH', 'anon']],
  ['SRP_SHA', ['SRP', 'SRP']],
  ['SRP_SHA_RSA', ['SRP', 'RSA']],
  ['SRP_SHA_DSS', ['SRP', 'DSS']],
]);

const MAC_SUFFIX = /_(SHA|SHA256|SHA384|SHA512|MD5|SM3|OMAC|IMIT|NULL)$/;
const AEAD = /(GCM|CCM|CCM_8|POLY1305|MGM_[LS]|AEGIS_\w+)$/;

function splitCipherMac(rest: string): [string, string] {
  const m = MAC_SUFFIX.exec(rest);
  const cipher = m ? rest.slice(0, m.index) : rest;
  if (AEAD.test(cipher) || AEAD.test(rest)) return [cipher, 'AEAD'];
  return [cipher, m ? m[1]! : 'NULL'];
}

function derive(name: string): CipherSuiteInfo | null {
  if (name.endsWith('_SCSV')) return null; // signalling values, not suites
  const body = name.startsWith('TLS_') ? name.slice(4) : name;
  const w = body.indexOf('_WITH_');
  if (w < 0) {
    // TLS 1.3 suites name only the AEAD and the HKDF hash; RFC 9150 adds
    // integrity-only TLS_SHA256_SHA256 (NULL cipher, HMAC).
    const [cipher, mac] = /^SHA\d+_SHA\d+$/.test(body) ? ['NULL', body.slice(body.indexOf('_') + 1)] : splitCipherMac(body);
    return { name, keyExchange: 'TLS13', authentication: 'TLS13', cipher, mac };
  }
  const kxAuth = body.slice(0, w);
  const [cipher, mac] = splitCipherMac(body.slice(w + 6));
  const known = KEY_EXCHANGE_AUTH.get(kxAuth);
  const [keyExchange, authentication] = known ?? [kxAuth, kxAuth];
  return { name, keyExchange, authentication, cipher, mac };
}

const cache = new Map<number, CipherSuiteInfo | null>();

/** Key exchange, authentication, cipher and MAC of an assigned suite; null if unassigned or an SCSV. */
export function cipherSuiteInfo(id: number): CipherSuiteInfo | null {
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  const name = cipherSuiteName(id);
  const info = name === null ? null : derive(name);
  if (name !== null) cache.set(id, info); // bounded: at most the registry's size
  return info;
}
