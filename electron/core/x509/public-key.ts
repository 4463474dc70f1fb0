/**
 * A one-line summary of SubjectPublicKeyInfo: "RSA 2048", "EC P-256",
 * "Ed25519", "DSA 1024", "RSA-PSS 2048".
 *
 *   SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
 *   AlgorithmIdentifier  ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
 *   RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }     (RFC 8017 A.1.1)
 *   ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER, ... }             (RFC 5480 2.1.1)
 *   Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER }                (RFC 3279 2.3.2)
 */
import { DerReader, TAG, decodeOid } from './der-reader';
import { CURVE_NAMES, PUBLIC_KEY_ALGORITHMS as ALG } from './oid-names';

/** Bit length of an unsigned big-endian integer (DER INTEGER contents, sign octet allowed). */
export function integerBitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

function rsaBits(bitString: Uint8Array): number {
  // BIT STRING contents: one "unused bits" octet, then the DER of RSAPublicKey.
  const key = DerReader.of(bitString.subarray(1)).expect(TAG.SEQUENCE, 'RSAPublicKey').contents;
  return integerBitLength(key.expect(TAG.INTEGER, 'modulus').contents.bytes());
}

function firstIntegerBits(params: DerReader | null, what: string): number | null {
  if (params === null) return null;
  const seq = params.expect(TAG.SEQUENCE, what).contents;
  return integerBitLength(seq.expect(TAG.INTEGER, 'p').contents.bytes());
}

/** Reads the contents of a SubjectPublicKeyInfo SEQUENCE. */
export function describePublicKey(spki: DerReader): string {
  const alg = spki.expect(TAG.SEQUENCE, 'AlgorithmIdentifier').contents;
  const oid = decodeOid(alg.expect(TAG.OID, 'algorithm').contents.bytes());
  const params = alg.atEnd ? null : alg;
  const key = spki.expect(TAG.BIT_STRING, 'subjectPublicKey').contents.bytes();
  switch (oid) {
    case ALG.RSA:
      return `RSA ${rsaBits(key)}`;
    case ALG.RSA_PSS:
      return `RSA-PSS ${rsaBits(key)}`;
    case ALG.EC: {
      const p = params?.peekTag();
      if (p?.tag === TAG.OID && p.cls === 0) {
        const curve = decodeOid(params!.next('namedCurve').contents.bytes());
        return `EC ${CURVE_NAMES.get(curve) ?? curve}`;
      }
      return 'EC explicit';
    }
    case ALG.ED25519:
      return 'Ed25519';
    case ALG.ED448:
      return 'Ed448';
    case ALG.X25519:
      return 'X25519';
    case ALG.X448:
      return 'X448';
    case ALG.DSA: {
      const bits = firstIntegerBits(params, 'Dss-Parms');
      return bits === null ? 'DSA' : `DSA ${bits}`;
    }
    case ALG.DH: {
      const bits = firstIntegerBits(params, 'DHParameter');
      return bits === null ? 'DH' : `DH ${bits}`;
    }
    default:
      return oid;
  }
}
