/**
 * Names for the object identifiers a certificate summary shows, spelled as
 * OpenSSL prints them (`openssl x509 -text -nameopt RFC2253`), so the two can
 * be compared line by line.
 */

/** AttributeType short names in distinguished names (OpenSSL "sname"). */
export const ATTRIBUTE_SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.5', 'serialNumber'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.9', 'street'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.12', 'title'],
  ['2.5.4.13', 'description'],
  ['2.5.4.15', 'businessCategory'],
  ['2.5.4.17', 'postalCode'],
  ['2.5.4.18', 'postOfficeBox'],
  ['2.5.4.20', 'telephoneNumber'],
  ['2.5.4.41', 'name'],
  ['2.5.4.42', 'GN'],
  ['2.5.4.43', 'initials'],
  ['2.5.4.44', 'generationQualifier'],
  ['2.5.4.45', 'x500UniqueIdentifier'],
  ['2.5.4.46', 'dnQualifier'],
  ['2.5.4.65', 'pseudonym'],
  ['2.5.4.97', 'organizationIdentifier'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
  ['1.2.840.113549.1.9.2', 'unstructuredName'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['1.3.6.1.4.1.311.60.2.1.1', 'jurisdictionL'],
  ['1.3.6.1.4.1.311.60.2.1.2', 'jurisdictionST'],
  ['1.3.6.1.4.1.311.60.2.1.3', 'jurisdictionC'],
]);

/** Signature algorithms, as OpenSSL's "Signature Algorithm:" line names them. */
export const SIGNATURE_ALGORITHM_NAMES: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.2', 'md2WithRSAEncryption'],
  ['1.2.840.113549.1.1.3', 'md4WithRSAEncryption'],
  ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption'],
  ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'],
  ['1.2.840.113549.1.1.10', 'rsassaPss'],
  ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption'],
  ['1.2.840.113549.1.1.12', 'sha384WithRSAEncryption'],
  ['1.2.840.113549.1.1.13', 'sha512WithRSAEncryption'],
  ['1.2.840.113549.1.1.14', 'sha224WithRSAEncryption'],
  ['1.2.840.113549.1.1.15', 'sha512-224WithRSAEncryption'],
  ['1.2.840.113549.1.1.16', 'sha512-256WithRSAEncryption'],
  ['1.3.14.3.2.29', 'sha1WithRSA'],
  ['1.2.840.10045.4.1', 'ecdsa-with-SHA1'],
  ['1.2.840.10045.4.3.1', 'ecdsa-with-SHA224'],
  ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'],
  ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'],
  ['1.2.840.10040.4.3', 'dsaWithSHA1'],
  ['2.16.840.1.101.3.4.3.1', 'dsa_with_SHA224'],
  ['2.16.840.1.101.3.4.3.2', 'dsa_with_SHA256'],
  ['2.16.840.1.101.3.4.3.9', 'ecdsa_with_SHA3-224'],
  ['2.16.840.1.101.3.4.3.10', 'ecdsa_with_SHA3-256'],
  ['2.16.840.1.101.3.4.3.11', 'ecdsa_with_SHA3-384'],
  ['2.16.840.1.101.3.4.3.12', 'ecdsa_with_SHA3-512'],
  ['2.16.840.1.101.3.4.3.13', 'RSA-SHA3-224'],
  ['2.16.840.1.101.3.4.3.14', 'RSA-SHA3-256'],
  ['2.16.840.1.101.3.4.3.15', 'RSA-SHA3-384'],
  ['2.16.840.1.101.3.4.3.16', 'RSA-SHA3-512'],
  ['1.3.101.112', 'ED25519'],
  ['1.3.101.113', 'ED448'],
  ['1.2.156.10197.1.501', 'SM2-with-SM3'],
  ['1.2.643.7.1.1.3.2', 'GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)'],
  ['1.2.643.7.1.1.3.3', 'GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)'],
]);

/** SubjectPublicKeyInfo algorithms. */
export const PUBLIC_KEY_ALGORITHMS = {
  RSA: '1.2.840.113549.1.1.1',
  RSA_PSS: '1.2.840.113549.1.1.10',
  EC: '1.2.840.10045.2.1',
  DSA: '1.2.840.10040.4.1',
  DH: '1.2.840.113549.1.3.1',
  X25519: '1.3.101.110',
  X448: '1.3.101.111',
  ED25519: '1.3.101.112',
  ED448: '1.3.101.113',
} as const;

/** Named curves (RFC 5480 namedCurve), in the NIST spelling where there is one. */
export const CURVE_NAMES: ReadonlyMap<string, string> = new Map([
  ['1.2.840.10045.3.1.1', 'P-192'],
  ['1.3.132.0.33', 'P-224'],
  ['1.2.840.10045.3.1.7', 'P-256'],
  ['1.3.132.0.34', 'P-384'],
  ['1.3.132.0.35', 'P-521'],
  ['1.3.132.0.10', 'secp256k1'],
  ['1.3.36.3.3.2.8.1.1.7', 'brainpoolP256r1'],
  ['1.3.36.3.3.2.8.1.1.11', 'brainpoolP384r1'],
  ['1.3.36.3.3.2.8.1.1.13', 'brainpoolP512r1'],
  ['1.2.156.10197.1.301', 'SM2'],
]);

export const EXTENSION_OIDS = {
  SUBJECT_ALT_NAME: '2.5.29.17',
  BASIC_CONSTRAINTS: '2.5.29.19',
} as const;
