/**
 * What the certificate verifier concludes about a chain as the server sent it.
 * Plain data (no node:crypto objects) so it can cross the API to the renderer.
 */

/** The verdict, most serious problem first (see `VERDICT_PRIORITY`). */
export type ChainVerdictKind =
  | 'valid'
  | 'self-signed'
  | 'missing-intermediate'
  | 'unknown-issuer'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'name-mismatch'
  | 'wrong-order'
  | 'no-certificate';

/** One step of the chain as built from the leaf up. */
export type ChainLink =
  | { source: 'sent'; index: number; subject: string }
  | { source: 'anchor'; subject: string; sha256: string };

export interface ChainProblem {
  kind: Exclude<ChainVerdictKind, 'valid'>;
  /** For people, in English; names the certificate and the fact that failed. */
  reason: string;
  /** Index into the sent list of the certificate concerned, when there is one. */
  index?: number;
}

export interface ChainVerification {
  verdict: ChainVerdictKind;
  /** The reason of the verdict (the first problem's), or why it is valid. */
  reason: string;
  /** Every problem found, most serious first; the verdict is the first. */
  problems: ChainProblem[];
  /** Leaf first, up to a trust anchor when one was reached. */
  chain: ChainLink[];
  /** True when the chain ends at a trust anchor with every signature verified. */
  trusted: boolean;
  /** Sent certificates the chain does not use (extra or unrelated). */
  unused: number[];
  /** The time the validity was judged at, ISO 8601. */
  checkedAt: string;
  /** The name checked against the leaf (SNI), or null when none was known. */
  serverName: string | null;
}

/** Most serious first: trust failures, then time, then name, then the order of what was sent. */
export const VERDICT_PRIORITY: readonly Exclude<ChainVerdictKind, 'valid'>[] = [
  'no-certificate',
  'self-signed',
  'bad-signature',
  'missing-intermediate',
  'unknown-issuer',
  'expired',
  'not-yet-valid',
  'name-mismatch',
  'wrong-order',
];
