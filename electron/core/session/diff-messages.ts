/**
 * Aligning two sessions' messages for a side-by-side view: the longest common
 * subsequence of (sender, type), so the messages both have line up and the
 * ones only one has stand alone. A run of application_data records from one
 * side is one step (its count differs from run to run; its presence is what
 * matters), so a long session aligns in a few rows.
 */
import type { AlignedMessage, AlignedMessageSide, DiffScope } from './diff-model';
import type { MessageType, Session, Side, TlsMessage } from './model';

interface Step {
  type: MessageType;
  from: Side;
  side: AlignedMessageSide;
}

/** Above this many cells the quadratic alignment gives way to a linear one. */
const MAX_LCS_CELLS = 4_000_000;

/** Server messages that end the server's first flight. */
const FLIGHT_ENDS: ReadonlySet<MessageType> = new Set<MessageType>(['server_hello_done', 'alert', 'hello_retry_request', 'hello_verify_request']);

/**
 * The messages a replay can compare with: any CONNECT exchange, the client's
 * first flight (from its ClientHello) and the server's answer to it, up to the
 * flight's end (ServerHelloDone, an alert, a HelloRetryRequest), an encrypted
 * Finished after ChangeCipherSpec (abbreviated handshake), or the client's next message.
 */
export function firstFlights(messages: readonly TlsMessage[]): TlsMessage[] {
  const out: TlsMessage[] = [];
  let helloSeen = false;
  let serverAnswered = false;
  let serverCcs = false;
  for (const m of messages) {
    if (!helloSeen) {
      out.push(m);
      if (m.type === 'client_hello' && m.from === 'client') helloSeen = true;
      continue;
    }
    if (m.from === 'client') {
      if (serverAnswered) break;
      out.push(m);
      continue;
    }
    serverAnswered = true;
    out.push(m);
    if (FLIGHT_ENDS.has(m.type)) break;
    if (m.type === 'change_cipher_spec') serverCcs = true;
    else if (serverCcs && m.type === 'encrypted_handshake') break;
  }
  return out;
}

export function messagesInScope(s: Session, scope: DiffScope): TlsMessage[] {
  return scope === 'all' ? s.messages : firstFlights(s.messages);
}

function stepsOf(s: Session, messages: readonly TlsMessage[]): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const last = steps[steps.length - 1];
    if (m.type === 'application_data' && last && last.type === 'application_data' && last.from === m.from) {
      last.side.count++;
      continue;
    }
    const ms = Number(m.timeNs - s.startTimeNs) / 1e6;
    steps.push({ type: m.type, from: m.from, side: { index: i, frame: m.frame, ms: Math.round(ms * 1000) / 1000, length: m.length, count: 1 } });
  }
  return steps;
}

const same = (x: Step, y: Step): boolean => x.type === y.type && x.from === y.from;

export function alignMessages(a: Session, aMessages: readonly TlsMessage[], b: Session, bMessages: readonly TlsMessage[]): AlignedMessage[] {
  const sa = stepsOf(a, aMessages);
  const sb = stepsOf(b, bMessages);
  const n = sa.length;
  const m = sb.length;
  const rows: AlignedMessage[] = [];
  const onlyA = (x: Step): void => void rows.push({ type: x.type, from: x.from, a: x.side, b: null });
  const onlyB = (y: Step): void => void rows.push({ type: y.type, from: y.from, a: null, b: y.side });
  // lcs[i][j]: length of the LCS of sa[i..] and sb[j..], one flat table. Too
  // large a table: null, the linear fallback (pair equal steps in order, the
  // rest stand alone).
  const w = m + 1;
  const lcs = (n + 1) * (m + 1) > MAX_LCS_CELLS ? null : new Uint32Array((n + 1) * w);
  if (lcs) {
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = same(sa[i]!, sb[j]!) ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (same(sa[i]!, sb[j]!)) {
      rows.push({ type: sa[i]!.type, from: sa[i]!.from, a: sa[i]!.side, b: sb[j]!.side });
      i++;
      j++;
    } else if (lcs === null || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) onlyA(sa[i++]!);
    else onlyB(sb[j++]!);
  }
  while (i < n) onlyA(sa[i++]!);
  while (j < m) onlyB(sb[j++]!);
  return rows;
}
