/**
 * Turns a session's messages into the rows of the sequence diagram: one arrow
 * per message in wire order, runs of application data from one side folded
 * into one arrow, messages grouped into flights (consecutive messages of one
 * side), the wait before each flight, and the close. Pure, so the diagram's
 * content can be tested without a DOM and computed once per session.
 */
import type { ContractMessage, ContractSession } from '../../../../electron/api/contract';

export type Lane = 'client' | 'proxy' | 'server';

/** What the timeline needs of a session: the contract's session plus how it ended, when known. */
export type TimelineSession = Pick<ContractSession, 'startTime' | 'messages' | 'proxy'> & {
  /** How the TCP connection ended (the engine's Session.state). */
  state?: 'open' | 'closed-fin' | 'closed-rst';
  /** Epoch seconds of the last packet (the close, when closed). */
  endTime?: number;
};

export interface ArrowRow {
  kind: 'arrow';
  /** Index of the first message this arrow stands for. */
  first: number;
  /** Index of the last (equal to `first` unless collapsed). */
  last: number;
  type: ContractMessage['type'];
  fromLane: Lane;
  toLane: Lane;
  /** Number of messages folded into the arrow (application data runs). */
  count: number;
  /** Sum of their lengths. */
  bytes: number;
  /** Milliseconds from the session's first packet to the (first) message. */
  atMs: number;
  /** Milliseconds the run lasted (collapsed rows), else 0. */
  spanMs: number;
  frame: number;
  alert: boolean;
  /** Alert level/description when in the clear. */
  level?: 'fatal' | 'warning' | null;
  description?: string | null;
  /** For connect_response: the proxy's status code. */
  status?: number | null;
}

export interface FlightRow {
  kind: 'flight';
  /** Which side sends the flight that starts here. */
  side: 'client' | 'server';
  /** Lane the flight comes from (the proxy answers CONNECT). */
  lane: Lane;
  /** Milliseconds since the previous flight's last message (for the first flight: since the first packet, the TCP handshake). */
  waitMs: number;
  /** The first flight of the session. */
  first: boolean;
}

export interface CloseRow {
  kind: 'close';
  how: 'fin' | 'rst';
  atMs: number | null;
}

export type TimelineRow = ArrowRow | FlightRow | CloseRow;

export interface TimelineModel {
  rows: TimelineRow[];
  lanes: Lane[];
  /** Client->server->client turns before the first application data (or the end of the handshake). */
  handshakeRoundTrips: number;
  /** Milliseconds from the first packet to the last message (or the close). */
  durationMs: number;
  messageCount: number;
}

function lanesOf(m: ContractMessage): [Lane, Lane] {
  if (m.type === 'connect_request') return ['client', 'proxy'];
  if (m.type === 'connect_response') return ['proxy', 'client'];
  // Through a proxy the TLS arrows still run client <-> server: the proxy only relays them.
  return m.from === 'client' ? ['client', 'server'] : ['server', 'client'];
}

const HANDSHAKE_END = new Set(['application_data', 'alert']);

export function buildTimelineRows(session: TimelineSession): TimelineModel {
  const proxied = session.proxy !== null;
  const lanes: Lane[] = proxied ? ['client', 'proxy', 'server'] : ['client', 'server'];
  const rows: TimelineRow[] = [];
  const msgs = session.messages;
  const t0 = session.startTime;
  let prevFrom: string | null = null;
  let prevEndMs = 0;
  let turns = 0;
  let handshakeOver = false;
  let lastMs = 0;

  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    const atMs = (m.time - t0) * 1000;
    // A run of application data from one side, uninterrupted by the other side, is one arrow.
    let last = i;
    let bytes = m.length;
    if (m.type === 'application_data') {
      while (last + 1 < msgs.length && msgs[last + 1].type === 'application_data' && msgs[last + 1].from === m.from) {
        last++;
        bytes += msgs[last].length;
      }
    }
    const endMs = (msgs[last].time - t0) * 1000;
    const [fromLane, toLane] = lanesOf(m);
    const flightKey = fromLane;
    if (flightKey !== prevFrom) {
      if (!handshakeOver && m.from === 'server' && prevFrom !== null) turns++;
      rows.push({ kind: 'flight', side: m.from, lane: fromLane, waitMs: atMs - prevEndMs, first: prevFrom === null });
      prevFrom = flightKey;
    }
    if (HANDSHAKE_END.has(m.type)) handshakeOver = true;
    const row: ArrowRow = {
      kind: 'arrow', first: i, last, type: m.type, fromLane, toLane, count: last - i + 1, bytes, atMs,
      spanMs: endMs - atMs, frame: m.frame, alert: m.type === 'alert',
    };
    if (m.type === 'alert') {
      row.level = m.level ?? null;
      row.description = m.description ?? null;
    }
    if (m.type === 'connect_response') row.status = session.proxy?.status ?? null;
    rows.push(row);
    prevEndMs = endMs;
    lastMs = endMs;
    i = last;
  }

  let durationMs = lastMs;
  if (session.state === 'closed-fin' || session.state === 'closed-rst') {
    const atMs = session.endTime !== undefined ? (session.endTime - t0) * 1000 : null;
    rows.push({ kind: 'close', how: session.state === 'closed-fin' ? 'fin' : 'rst', atMs });
    if (atMs !== null) durationMs = Math.max(durationMs, atMs);
  } else if (session.endTime !== undefined) {
    durationMs = Math.max(durationMs, (session.endTime - t0) * 1000);
  }
  return { rows, lanes, handshakeRoundTrips: turns, durationMs, messageCount: msgs.length };
}
