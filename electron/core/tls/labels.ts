import {
  cipherSuiteName,
  extensionName,
  groupName,
  isGrease,
  signatureSchemeName,
  versionName,
} from './registries';

/**
 * Field-tree value strings ("TLS_AES_128_GCM_SHA256 (0x1301)"), only built for
 * the UI's field tree, never on the hot path.
 */
export function hex16(v: number): string {
  return `0x${v.toString(16).padStart(4, '0')}`;
}

export function versionLabel(v: number): string {
  return isGrease(v) ? `GREASE (${hex16(v)})` : `${versionName(v)} (${hex16(v)})`;
}

export function cipherSuiteLabel(id: number): string {
  if (isGrease(id)) return `GREASE (${hex16(id)})`;
  return `${cipherSuiteName(id) ?? 'Unknown'} (${hex16(id)})`;
}

export function extensionLabel(id: number): string {
  return `${extensionName(id)} (${id})`;
}

export function groupLabel(id: number): string {
  if (isGrease(id)) return `GREASE (${hex16(id)})`;
  return `${groupName(id) ?? 'Unknown'} (${hex16(id)})`;
}

export function signatureSchemeLabel(id: number): string {
  if (isGrease(id)) return `GREASE (${hex16(id)})`;
  return `${signatureSchemeName(id) ?? 'Unknown'} (${hex16(id)})`;
}

/** Printable ASCII as is, other bytes as \xNN (names and ALPN ids are hostile bytes). */
export function printable(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return s;
}

