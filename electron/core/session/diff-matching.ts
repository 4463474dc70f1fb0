/**
 * "Before and after a TLS configuration change": two captures, no session ids.
 * Sessions are paired by server (ip:port) and SNI, the k-th of a kind in A
 * with the k-th in B; what is left is paired by SNI alone (the server moved);
 * the rest is only in A or only in B.
 */
import { DIFF_FORMAT, type FileDiff } from './diff-model';
import type { Session } from './model';
import { describeSide, diffSessions } from './session-diff';

export interface SessionPair {
  a: Session;
  b: Session;
  matchedBy: 'server+sni' | 'sni';
}

export interface SessionMatch {
  pairs: SessionPair[];
  onlyInA: Session[];
  onlyInB: Session[];
}

function pairBy(a: Session[], b: Session[], key: (s: Session) => string | null, matchedBy: SessionPair['matchedBy'], pairs: SessionPair[]): [Session[], Session[]] {
  const waiting = new Map<string, Session[]>();
  for (const s of b) {
    const k = key(s);
    if (k === null) continue;
    const list = waiting.get(k);
    if (list) list.push(s);
    else waiting.set(k, [s]);
  }
  const used = new Set<Session>();
  const restA: Session[] = [];
  for (const s of a) {
    const k = key(s);
    const other = k === null ? undefined : waiting.get(k)?.shift();
    if (other) {
      pairs.push({ a: s, b: other, matchedBy });
      used.add(other);
    } else restA.push(s);
  }
  return [restA, b.filter((s) => !used.has(s))];
}

export function matchSessions(a: readonly Session[], b: readonly Session[]): SessionMatch {
  const pairs: SessionPair[] = [];
  const byServer = (s: Session): string => `${s.server.ip}|${s.server.port}|${s.sni ?? ''}`;
  const bySni = (s: Session): string | null => s.sni;
  const [restA, restB] = pairBy([...a], [...b], byServer, 'server+sni', pairs);
  const [onlyInA, onlyInB] = pairBy(restA, restB, bySni, 'sni', pairs);
  pairs.sort((x, y) => x.a.id - y.a.id);
  return { pairs, onlyInA, onlyInB };
}

export function diffFiles(aFile: string, a: readonly Session[], bFile: string, b: readonly Session[]): FileDiff {
  const match = matchSessions(a, b);
  return {
    format: DIFF_FORMAT,
    a: { file: aFile, sessions: a.length },
    b: { file: bFile, sessions: b.length },
    pairs: match.pairs.map((p) => {
      const d = diffSessions(p.a, p.b, { aFile, bFile });
      return { a: d.a, b: d.b, scope: d.scope, changes: d.changes, messages: d.messages, matchedBy: p.matchedBy };
    }),
    onlyInA: match.onlyInA.map((s) => describeSide(s, aFile)),
    onlyInB: match.onlyInB.map((s) => describeSide(s, bFile)),
  };
}
