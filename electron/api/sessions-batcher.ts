/**
 * Coalesces session changes into `sessionsChanged` events: a file of 20,000
 * handshakes changes sessions hundreds of thousands of times, the UI wants at
 * most ~20 updates a second, each carrying every row that changed since the
 * last one (by id, last state wins).
 *
 * Cheap per change (a Map.set of the session, no closure, no summary): the
 * analyzer calls `changed` for every message. Summaries are built at flush
 * time, and a row whose summary is what the clients already have is not sent
 * again (the end of a file touches every session; most did not change).
 */
import type { EventPayloads, SessionSummary } from './contract';

export const FLUSH_INTERVAL_MS = 50;

export class SessionsBatcher<S extends { id: number }> {
  private pending = new Map<number, S>();
  /** What the clients hold, by id, to skip rows that did not change. */
  private sent = new Map<number, SessionSummary>();
  private reset = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = 0;

  constructor(
    private readonly send: (payload: EventPayloads['sessionsChanged']) => void,
    private readonly total: () => number,
    private readonly summarize: (session: S) => SessionSummary,
    private readonly intervalMs = FLUSH_INTERVAL_MS,
  ) {}

  /** A session changed; it is summarized once, at flush time. */
  changed(session: S): void {
    this.pending.set(session.id, session);
    if (this.timer === null) this.schedule();
  }

  /** The list was replaced (a new file): the next flush tells clients to drop their rows. */
  markReset(): void {
    this.pending.clear();
    this.sent.clear();
    this.reset = true;
    this.schedule();
  }

  /** Send whatever is pending now (end of a file). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.size === 0 && !this.reset) return;
    const sessions: SessionSummary[] = [];
    for (const session of this.pending.values()) {
      const summary = this.summarize(session);
      const before = this.sent.get(summary.id);
      if (before !== undefined && sameSummary(before, summary)) continue;
      this.sent.set(summary.id, summary);
      sessions.push(summary);
    }
    sessions.sort((a, b) => a.id - b.id);
    const reset = this.reset;
    this.pending = new Map();
    this.reset = false;
    this.lastFlush = Date.now();
    if (sessions.length === 0 && !reset) return;
    this.send({ reset, sessions, total: this.total() });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    this.sent.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }
}

/** The summary's flat fields; the endpoints are compared apart. */
const FLAT_KEYS = [
  'id', 'sni', 'version', 'cipherSuiteName', 'alpn', 'ja4', 'ja3Hash', 'messageCount',
  'startTime', 'duration', 'status', 'hasAlert', 'proxyTarget',
] as const satisfies readonly (keyof SessionSummary)[];

// A field added to SessionSummary must be compared too: this fails to compile until it is listed.
type Uncompared = Exclude<keyof SessionSummary, (typeof FLAT_KEYS)[number] | 'client' | 'server'>;
const EVERY_FIELD_COMPARED: [Uncompared] extends [never] ? true : Uncompared = true;
void EVERY_FIELD_COMPARED;

export function sameSummary(a: SessionSummary, b: SessionSummary): boolean {
  for (const key of FLAT_KEYS) if (a[key] !== b[key]) return false;
  return a.client.ip === b.client.ip && a.client.port === b.client.port && a.server.ip === b.server.ip && a.server.port === b.server.port;
}
