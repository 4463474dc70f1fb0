/** Whether a certificate is within its validity at a moment, from the contract's ISO dates. */
export type ValidityState = 'valid' | 'expired' | 'not-yet-valid' | 'unknown';

export function validityAt(notBefore: string, notAfter: string, at: Date): ValidityState {
  const from = Date.parse(notBefore);
  const to = Date.parse(notAfter);
  if (Number.isNaN(from) || Number.isNaN(to)) return 'unknown';
  const now = at.getTime();
  if (now > to) return 'expired';
  if (now < from) return 'not-yet-valid';
  return 'valid';
}

/** "ab:cd:ef" from "abcdef": fingerprints as people compare them. */
export function colonHex(hex: string): string {
  return (hex.toUpperCase().match(/.{1,2}/g) ?? []).join(':');
}
