/**
 * Human names for ProtocolVersion values as they appear in records, hellos
 * and supported_versions.
 */
const VERSIONS: ReadonlyMap<number, string> = new Map([
  [0x0002, 'SSL 2.0'],
  [0x0300, 'SSL 3.0'],
  [0x0301, 'TLS 1.0'],
  [0x0302, 'TLS 1.1'],
  [0x0303, 'TLS 1.2'],
  [0x0304, 'TLS 1.3'],
  [0xfeff, 'DTLS 1.0'],
  [0xfefd, 'DTLS 1.2'],
  [0xfefc, 'DTLS 1.3'],
]);

/** "TLS 1.2"; 0x7fNN (TLS 1.3 drafts, RFC 8446 draft-NN) as "TLS 1.3 draft NN"; else "0x....". */
export function versionName(v: number): string {
  const known = VERSIONS.get(v);
  if (known !== undefined) return known;
  if (v >> 8 === 0x7f) return `TLS 1.3 draft ${v & 0xff}`;
  return `0x${(v & 0xffff).toString(16).padStart(4, '0')}`;
}
