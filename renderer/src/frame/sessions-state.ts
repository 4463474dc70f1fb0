/** The session rows as the renderer holds them: by id, updated by batched `sessionsChanged` events. */
import type { EventPayloads, SessionSummary } from '../../../electron/api/contract';

export type SessionRows = readonly SessionSummary[];

/**
 * Apply one batch: a reset drops every row first; rows are replaced by id,
 * kept in id order. Ids are the sessions' indexes in the engine's list (the
 * contract), so the usual batch is one array copy with rows set in place or
 * appended: O(rows), no map, no sort, even at 20,000 rows and 20 batches a
 * second. Anything else (gaps, a client that joined late) takes the general path.
 */
export function applySessionsChanged(rows: SessionRows, change: EventPayloads['sessionsChanged']): SessionRows {
  const base = change.reset ? [] : rows;
  if (isDense(base)) {
    const next = base.slice();
    let dense = true;
    for (const r of change.sessions) {
      if (r.id < next.length) next[r.id] = r;
      else if (r.id === next.length) next.push(r);
      else {
        dense = false;
        break;
      }
    }
    if (dense) return next;
  }
  const byId = new Map<number, SessionSummary>();
  for (const r of base) byId.set(r.id, r);
  for (const r of change.sessions) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Row i has id i (checked at the ends: rows are always kept in id order without repeats). */
function isDense(rows: SessionRows): boolean {
  return rows.length === 0 || (rows[0]!.id === 0 && rows[rows.length - 1]!.id === rows.length - 1);
}
