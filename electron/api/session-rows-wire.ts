/**
 * The WebSocket's wire form of session rows: a `sessionsChanged` batch (and
 * the rows of a `listSessions` result, sent as a batch). The contract's
 * payload (rows as `SessionSummary` objects) is what both sides see; only the
 * bytes in between differ. As JSON objects, 20,000 rows cost ~440 bytes each,
 * and a file's first read sends ~1.6 rows per session (a row again when its
 * duration grows): ~14 MB that the server stringifies, Chromium's network
 * process forwards and the page parses, while the engine needs the same two
 * cores. As positional rows whose repeated strings (addresses, SNI, suite,
 * fingerprints, status) are indexes into the batch's own string table they
 * are ~80 bytes each. Each batch carries its own table, so decoding one needs
 * nothing from the batches before it.
 *
 * Electron IPC does not use it: structured clone carries the objects without
 * text, and the contract's shape is what it sends.
 */
import type { EventPayloads, SessionStatus, SessionSummary } from './contract';

type SessionsChanged = EventPayloads['sessionsChanged'];

/**
 * One row, positional:
 *   [id, client ip, client port, server ip, server port, sni, version, cipher suite name, alpn,
 *    ja4, ja3 hash, message count, start time, duration, status, has alert (0/1), proxy target]
 * Strings are indexes into `strings`; a null string stays null.
 */
export type WireRow = (number | null)[];

export interface WireSessionsChanged {
  reset: boolean;
  total: number;
  strings: string[];
  rows: WireRow[];
}

/** The envelope marker that says a WebSocket event's payload is a `WireSessionsChanged`. */
export const SESSION_ROWS_ENCODING = 'session-rows';

const ROW_LENGTH = 17;

export function encodeSessionsChanged(change: SessionsChanged): WireSessionsChanged {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string | null): number | null => {
    if (s === null) return null;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const rows: WireRow[] = new Array<WireRow>(change.sessions.length);
  for (let i = 0; i < change.sessions.length; i++) {
    const s = change.sessions[i]!;
    rows[i] = [
      s.id, ref(s.client.ip), s.client.port, ref(s.server.ip), s.server.port, ref(s.sni), s.version, ref(s.cipherSuiteName), ref(s.alpn),
      ref(s.ja4), ref(s.ja3Hash), s.messageCount, s.startTime, s.duration, ref(s.status), s.hasAlert ? 1 : 0, ref(s.proxyTarget),
    ];
  }
  return { reset: change.reset, total: change.total, strings, rows };
}

const STATUSES: ReadonlySet<string> = new Set<SessionStatus>(['complete', 'alert', 'incomplete', 'resumed']);

/**
 * Back to the contract's payload. The server is trusted as much as its JSON
 * was before (same token, same socket), but a row of the wrong shape is
 * dropped rather than shown half-filled.
 */
export function decodeSessionsChanged(wire: WireSessionsChanged): SessionsChanged {
  const strings = Array.isArray(wire.strings) ? wire.strings : [];
  const str = (v: number | null | undefined): string | null => (typeof v === 'number' ? (strings[v] ?? null) : null);
  const num = (v: number | null | undefined): number => (typeof v === 'number' ? v : 0);
  const sessions: SessionSummary[] = [];
  for (const r of Array.isArray(wire.rows) ? wire.rows : []) {
    if (!Array.isArray(r) || r.length !== ROW_LENGTH || typeof r[0] !== 'number') continue;
    const status = str(r[14]);
    sessions.push({
      id: r[0],
      client: { ip: str(r[1]) ?? '', port: num(r[2]) },
      server: { ip: str(r[3]) ?? '', port: num(r[4]) },
      sni: str(r[5]),
      version: typeof r[6] === 'number' ? r[6] : null,
      cipherSuiteName: str(r[7]),
      alpn: str(r[8]),
      ja4: str(r[9]),
      ja3Hash: str(r[10]),
      messageCount: num(r[11]),
      startTime: num(r[12]),
      duration: num(r[13]),
      status: status !== null && STATUSES.has(status) ? (status as SessionStatus) : 'incomplete',
      hasAlert: r[15] === 1,
      proxyTarget: str(r[16]),
    });
  }
  return { reset: wire.reset === true, sessions, total: num(wire.total) };
}
