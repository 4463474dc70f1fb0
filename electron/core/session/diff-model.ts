/**
 * The `tlswb.diff/1` document (docs/diff-json.md, docs/diff.schema.json): what
 * changed between two TLS sessions. `field` uses the analysis contract's key
 * names (`version`, `cipherSuite`, `certificates[0].sha256`, ...) and, for the
 * facts the contract leaves inside a hello, the model's (`cipherSuites`,
 * `extensions`, `supportedGroups`, ...). Versioned like the analysis contract:
 * adding a key is fine, renaming or changing one needs a new `format`.
 */
import type { Endpoint, MessageType, Side } from './model';

export const DIFF_FORMAT = 'tlswb.diff/1';

/** Plain JSON values only: a diff is printed, stored and compared as JSON. */
export type DiffValue = string | number | boolean | null | DiffValue[] | { [key: string]: DiffValue };

/** Which session a side of the diff is. */
export interface DiffSide {
  /** The capture file as given; null for a session that lives only in memory (a replay). */
  file: string | null;
  /** The session's id in its file (the analysis contract's `id`). */
  session: number;
  client: Endpoint;
  server: Endpoint;
  sni: string | null;
}

export type ChangeKind = 'changed' | 'added' | 'removed';

export interface DiffChange {
  field: string;
  /** The message type the field lives in, or null for a session-level fact. */
  message: MessageType | null;
  a: DiffValue;
  b: DiffValue;
  /** `added`: only in B; `removed`: only in A; `changed`: in both, different. */
  change: ChangeKind;
  /** Lists: values only in B / only in A (GREASE normalised), and whether the common ones changed order. */
  added?: DiffValue[];
  removed?: DiffValue[];
  reordered?: boolean;
}

/** One message of either session, aligned with its counterpart. */
export interface AlignedMessageSide {
  /** Index in the session's `messages`. */
  index: number;
  frame: number;
  /** Milliseconds since the session's first message. */
  ms: number;
  length: number;
  /** How many records a collapsed run of application_data holds (1 otherwise). */
  count: number;
}

export interface AlignedMessage {
  type: MessageType;
  from: Side;
  a: AlignedMessageSide | null;
  b: AlignedMessageSide | null;
}

export interface SessionDiff {
  format: typeof DIFF_FORMAT;
  a: DiffSide;
  b: DiffSide;
  /** What compare covered: every message, or only the first flights (a replay's view). */
  scope: DiffScope;
  changes: DiffChange[];
  messages: AlignedMessage[];
}

/**
 * `all`: every message. `first-flights`: the client's first flight and the
 * server's answer to it (what a replay receives), so a replay is compared with
 * the same part of the recording.
 */
export type DiffScope = 'all' | 'first-flights';

/** Two files compared without session ids: sessions matched by server and SNI. */
export interface FileDiff {
  format: typeof DIFF_FORMAT;
  a: { file: string; sessions: number };
  b: { file: string; sessions: number };
  /** How each pair was matched: same server and SNI, or (servers differ) same SNI. */
  pairs: (Omit<SessionDiff, 'format'> & { matchedBy: 'server+sni' | 'sni' })[];
  onlyInA: DiffSide[];
  onlyInB: DiffSide[];
}
