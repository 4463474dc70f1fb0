/**
 * Names for the numbers on the wire, looked up in the tables generated from
 * the IANA "TLS Parameters" and "TLS ExtensionType Values" registries
 * (scripts/generate-registries.mjs). Names are spelled as the registry spells
 * them, with IANA's "_RESERVED" (no longer used in TLS 1.3) suffix dropped.
 */
import { ALERT_DESCRIPTIONS } from './generated/alert-descriptions';
import { CIPHER_SUITES } from './generated/cipher-suites';
import { CONTENT_TYPES } from './generated/content-types';
import { EC_POINT_FORMATS } from './generated/ec-point-formats';
import { EXTENSION_TYPES } from './generated/extension-types';
import { HANDSHAKE_TYPES } from './generated/handshake-types';
import { SIGNATURE_SCHEMES } from './generated/signature-schemes';
import { SUPPORTED_GROUPS } from './generated/supported-groups';
import { isGrease } from './grease';

/** IANA cipher suite name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), or null if unassigned. */
export function cipherSuiteName(id: number): string | null {
  return CIPHER_SUITES.get(id) ?? null;
}

/** IANA extension name, `grease` for RFC 8701 values, else `unknown_<n>`. */
export function extensionName(id: number): string {
  const name = EXTENSION_TYPES.get(id);
  if (name !== undefined) return name;
  return isGrease(id) ? 'grease' : `unknown_${id}`;
}

/** Supported group (named curve / FFDHE / hybrid) name, e.g. "x25519", "secp256r1". */
export function groupName(id: number): string | null {
  return SUPPORTED_GROUPS.get(id) ?? null;
}

/** SignatureScheme name, e.g. "rsa_pss_rsae_sha256". */
export function signatureSchemeName(id: number): string | null {
  return SIGNATURE_SCHEMES.get(id) ?? null;
}

/** AlertDescription in snake_case, e.g. "handshake_failure". */
export function alertDescriptionName(id: number): string | null {
  return ALERT_DESCRIPTIONS.get(id) ?? null;
}

/** HandshakeType in snake_case, e.g. "client_hello", "certificate_status". */
export function handshakeTypeName(id: number): string | null {
  return HANDSHAKE_TYPES.get(id) ?? null;
}

/** TLS record ContentType, e.g. "handshake", "application_data". */
export function contentTypeName(id: number): string | null {
  return CONTENT_TYPES.get(id) ?? null;
}

/** ECPointFormat, e.g. "uncompressed". */
export function ecPointFormatName(id: number): string | null {
  return EC_POINT_FORMATS.get(id) ?? null;
}
