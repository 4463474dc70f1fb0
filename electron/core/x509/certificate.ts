/**
 * X.509 certificate summary (RFC 5280 4.1) for the session view.
 *
 *   Certificate ::= SEQUENCE { tbsCertificate TBSCertificate,
 *                              signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE {
 *     version [0] EXPLICIT Version DEFAULT v1, serialNumber CertificateSerialNumber,
 *     signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
 *     subjectPublicKeyInfo SubjectPublicKeyInfo,
 *     issuerUniqueID [1] IMPLICIT UniqueIdentifier OPTIONAL,
 *     subjectUniqueID [2] IMPLICIT UniqueIdentifier OPTIONAL,
 *     extensions [3] EXPLICIT Extensions OPTIONAL }
 *   Validity ::= SEQUENCE { notBefore Time, notAfter Time }
 *   Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 *   BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
 *
 * Never throws: a malformed certificate yields what was read before the damage
 * plus `error`; the hashes always cover the bytes given. The same certificate
 * arrives in thousands of sessions, so results are kept, by their DER, in a
 * small bounded map.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { ParseError } from '../bytes/byte-reader';
import type { CertificateInfo } from '../session/model';
import { DerReader, TAG, elementBytes, readOid, toHex } from './der-reader';
import { formatDerTime } from './der-time';
import { formatName } from './distinguished-name';
import { formatGeneralNames } from './general-names';
import { EXTENSION_OIDS, SIGNATURE_ALGORITHM_NAMES } from './oid-names';
import { describePublicKey } from './public-key';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function signatureAlgorithmName(algorithmIdentifier: DerReader): string {
  const oid = readOid(algorithmIdentifier.expect(TAG.SEQUENCE, 'AlgorithmIdentifier').contents, 'algorithm');
  return SIGNATURE_ALGORITHM_NAMES.get(oid) ?? oid;
}

function readTime(d: DerReader, what: string): string {
  const e = d.next(what);
  return formatDerTime(e.tag, e.contents.bytes());
}

function readExtensions(exts: DerReader, info: CertificateInfo): void {
  const list = exts.expect(TAG.SEQUENCE, 'Extensions').contents;
  while (!list.atEnd) {
    const ext = list.expect(TAG.SEQUENCE, 'Extension').contents;
    const oid = readOid(ext, 'extnID');
    if (ext.peekTag()?.tag === TAG.BOOLEAN) ext.next('critical');
    const value = DerReader.of(ext.expect(TAG.OCTET_STRING, 'extnValue').contents.bytes());
    if (oid === EXTENSION_OIDS.SUBJECT_ALT_NAME) {
      info.san = formatGeneralNames(value.expect(TAG.SEQUENCE, 'GeneralNames').contents);
    } else if (oid === EXTENSION_OIDS.BASIC_CONSTRAINTS) {
      const bc = value.expect(TAG.SEQUENCE, 'BasicConstraints').contents;
      if (bc.peekTag()?.tag === TAG.BOOLEAN) {
        const b = bc.next('cA').contents.bytes();
        info.isCa = b.length === 1 && b[0] !== 0;
      }
    }
  }
}

function parseInto(der: Uint8Array, info: CertificateInfo): void {
  const cert = DerReader.of(der).expect(TAG.SEQUENCE, 'Certificate').contents;
  const tbs = cert.expect(TAG.SEQUENCE, 'TBSCertificate').contents;
  const version = tbs.optionalContext(0, 'version');
  if (version !== null) version.contents.expect(TAG.INTEGER, 'Version');
  info.serial = toHex(tbs.expect(TAG.INTEGER, 'serialNumber').contents.bytes());
  // The outer signatureAlgorithm is the one OpenSSL prints; the inner copy must match it.
  tbs.expect(TAG.SEQUENCE, 'signature');
  const issuer = tbs.expect(TAG.SEQUENCE, 'issuer');
  info.issuer = formatName(issuer.contents);
  const validity = tbs.expect(TAG.SEQUENCE, 'validity').contents;
  info.notBefore = readTime(validity, 'notBefore');
  info.notAfter = readTime(validity, 'notAfter');
  const subject = tbs.expect(TAG.SEQUENCE, 'subject');
  info.subject = formatName(subject.contents);
  info.selfIssued = sameBytes(elementBytes(issuer), elementBytes(subject));
  const spki = tbs.expect(TAG.SEQUENCE, 'subjectPublicKeyInfo');
  try {
    info.publicKey = describePublicKey(spki.contents);
  } catch (e) {
    // A damaged key inside a sound SEQUENCE: say so, keep reading the extensions.
    if (!(e instanceof ParseError)) throw e;
    info.publicKey = 'malformed';
    info.error = `subjectPublicKeyInfo: ${e.message}`;
  }
  tbs.optionalContext(1, 'issuerUniqueID');
  tbs.optionalContext(2, 'subjectUniqueID');
  const extensions = tbs.optionalContext(3, 'extensions');
  if (extensions !== null) readExtensions(extensions.contents, info);
  info.signatureAlgorithm = signatureAlgorithmName(cert);
}

/** Parses without the cache; never throws. */
export function parseCertificateUncached(input: Uint8Array): CertificateInfo {
  return parseWithHash(input, createHash('sha256').update(input).digest('hex'));
}

function parseWithHash(input: Uint8Array, sha256: string): CertificateInfo {
  const der = input.slice(); // the caller's buffer may be reused (Packet data)
  const info: CertificateInfo = {
    sha256,
    sha1: createHash('sha1').update(der).digest('hex'),
    subject: '',
    issuer: '',
    serial: '',
    notBefore: '',
    notAfter: '',
    san: [],
    publicKey: '',
    signatureAlgorithm: '',
    isCa: false,
    selfIssued: false,
    der,
  };
  try {
    parseInto(der, info);
  } catch (e) {
    info.error = e instanceof Error ? e.message : String(e);
  }
  return info;
}

const CACHE_LIMIT = 512;
/** By `quickKey`: the entries whose DER gave it (a list: different DER may share a key). */
const cache = new Map<number, CertificateInfo[]>();
let cached = 0;

/**
 * A cheap key for a DER certificate: its length and a hash of its first and
 * last bytes (the serial number is near the start, the signature fills the
 * end, so distinct certificates differ there). Only a key: a hit is then
 * compared byte for byte. SHA-256 per certificate as the key cost more than
 * parsing did once the results were cached (a chain in every session).
 */
function quickKey(der: Uint8Array): number {
  const n = der.length;
  let h = n | 0;
  const head = n < 64 ? n : 64;
  for (let i = 0; i < head; i++) h = Math.imul(h ^ der[i]!, 0x01000193);
  for (let i = n > 32 ? n - 32 : 0; i < n; i++) h = Math.imul(h ^ der[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * The summary of a DER certificate. Results are shared by DER (treat them as
 * read-only); past CACHE_LIMIT entries the least recently used key is dropped.
 */
export function parseCertificate(der: Uint8Array): CertificateInfo {
  const key = quickKey(der);
  const list = cache.get(key);
  if (list !== undefined) {
    for (const hit of list) {
      if (sameDer(hit.der, der)) {
        // Least recently used goes first: a hit moves its key to the end.
        cache.delete(key);
        cache.set(key, list);
        return hit;
      }
    }
  }
  const info = parseCertificateUncached(der);
  if (list !== undefined) list.push(info);
  else cache.set(key, [info]);
  if (++cached > CACHE_LIMIT) {
    const oldest = cache.keys().next().value!;
    cached -= cache.get(oldest)!.length;
    cache.delete(oldest);
  }
  return info;
}

/** Byte-for-byte equality by memcmp (a JS loop over a 1 KB certificate costs several times more). */
function sameDer(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Forget cached results (tests). */
export function clearCertificateCache(): void {
  cache.clear();
  cached = 0;
}

