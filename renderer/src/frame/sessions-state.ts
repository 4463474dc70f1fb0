/** The session rows as the renderer holds them: by id, updated by batched `sessionsChanged` events. */
import type { EventPayloads, SessionSummary } from '../../../electron/api/contract';

export type SessionRows = readonly SessionSummary[];

/** Apply one batch: a reset drops every row first; rows are replaced by id, kept in id order. */
export function applySessionsChanged(rows: SessionRows, change: EventPayloads['sessionsChanged']): SessionRows {
  const byId = new Map<number, SessionSummary>();
  if (!change.reset) for (const r of rows) byId.set(r.id, r);
  for (const r of change.sessions) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
