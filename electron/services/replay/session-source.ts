/**
 * Where `tlswb diff` and `tlswb replay` get their sessions: a capture file,
 * optionally narrowed to one session with `FILE#ID` (the analysis contract's
 * `id`, the session's index in the file).
 */
import { analyzeFile } from '../analyze-file';
import type { Session } from '../../core/session/model';

export interface SessionRef {
  path: string;
  /** null: every session of the file. */
  id: number | null;
}

/** "capture.pcapng#3" → {path, id: 3}; a '#' not followed by digits only is part of the name. */
export function parseSessionRef(text: string): SessionRef {
  const m = /^(.*)#(\d{1,9})$/.exec(text);
  if (m && m[1]) return { path: m[1], id: Number(m[2]) };
  return { path: text, id: null };
}

export class SessionNotFoundError extends Error {
  override readonly name = 'SessionNotFoundError';
}

/**
 * Every session of a capture, with raw bytes kept (the diff and replay read
 * the hellos), numbered as the analysis contract numbers them. Throws
 * CaptureFileError when nothing could be read.
 */
export async function loadSessions(path: string): Promise<Session[]> {
  const result = await analyzeFile(path, { keepRawBytes: true });
  const sessions = result.sessions;
  sessions.forEach((s, i) => {
    s.id = i;
  });
  return sessions;
}

export async function loadSession(path: string, id: number): Promise<Session> {
  const sessions = await loadSessions(path);
  const s = sessions[id];
  if (!s) {
    throw new SessionNotFoundError(sessions.length === 0
      ? `${path} has no TLS sessions`
      : `${path} has no session ${id} (it has ${sessions.length}: 0 to ${sessions.length - 1})`);
  }
  return s;
}
