/**
 * The compare and replay part of the API contract (issue 7): which session a
 * compare side is (the open capture, a second file opened for comparison, or
 * a replay made in this run), the replay form's options, and what the
 * commands return. Inputs are zod schemas, validated on the main side like
 * every other command's; outputs are plain data. The diff itself is the
 * `tlswb.diff/1` document of `tlswb diff --json` (docs/diff-json.md).
 */
import { z } from 'zod';
import type { SessionDiff } from '../core/session/diff-model';
import type { ReplayOutcomeReport } from '../services/replay/replay-outcome';
import type { FileDamage, SessionDetail, SessionSummary } from './contract';

export type { AlignedMessage, AlignedMessageSide, ChangeKind, DiffChange, DiffSide, DiffValue, SessionDiff } from '../core/session/diff-model';

/** `current`: the capture that is open; `compare`: the second file; `replay`: a replay of this run. */
export const SessionSourceSchema = z.enum(['current', 'compare', 'replay']);
export type SessionSource = z.infer<typeof SessionSourceSchema>;

export const SessionRefSchema = z
  .object({ source: SessionSourceSchema, id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
  .strict();
export type SessionRef = z.infer<typeof SessionRefSchema>;

/**
 * The options of `tlswb replay` as form fields. Text is parsed on the main
 * side (host:port, proxy URL, cipher suites by number or IANA name), so the
 * form and the CLI accept the same things and the same errors come back.
 */
export const ReplayRequestSchema = z
  .object({
    /** host:port or [v6]:port; default: the recorded server (or CONNECT target). */
    to: z.string().trim().min(1).max(300).optional(),
    /** http://[user:pass@]host:port; '' goes direct even when the recording was proxied. */
    proxy: z.string().trim().max(2048).optional(),
    /** server_name to send; '' removes it. */
    sni: z.string().max(255).optional(),
    /** Cipher suites to leave out: 0xc02f, 49199 or an IANA name. */
    dropCiphers: z.array(z.string().trim().min(1).max(120)).max(512).optional(),
    onlyVersion: z.enum(['1.2', '1.3']).optional(),
    /** ALPN protocols to offer; [] removes ALPN. */
    alpn: z.array(z.string().min(1).max(255)).max(32).optional(),
    /** Limit for the whole replay, seconds (default 10). */
    timeoutSeconds: z.number().min(1).max(120).optional(),
  })
  .strict();
export type ReplayRequest = z.input<typeof ReplayRequestSchema>;

/** The second capture, opened for comparison only (the open capture stays open). */
export interface CompareFileSummary {
  name: string;
  /** Null for an upload (openCompareBytes). */
  path: string | null;
  packets: number;
  damaged: FileDamage | null;
  sessions: SessionSummary[];
}

/**
 * Names of the code points a compare shows, by registry, keyed by the number
 * as text (the renderer has no registries of its own).
 */
export interface CodeNames {
  cipherSuites: Record<string, string>;
  extensions: Record<string, string>;
  groups: Record<string, string>;
  signatureSchemes: Record<string, string>;
  versions: Record<string, string>;
}

export interface CompareSideInfo {
  ref: SessionRef;
  /** File name, or null for a replay (the session exists only in memory). */
  file: string | null;
  detail: SessionDetail;
}

export interface CompareResult {
  diff: SessionDiff;
  a: CompareSideInfo;
  b: CompareSideInfo;
  names: CodeNames;
}

/** `tlswb replay --json` without the session document: the outcome, and the comparison when there was an answer. */
export interface ReplaySessionResult extends ReplayOutcomeReport {
  /** Where the replay leg can be compared again (`{source: 'replay', id}`); null without a session. */
  replay: SessionRef | null;
  /** The recording (A, first flights) against the replay (B); null without a session. */
  comparison: CompareResult | null;
}
