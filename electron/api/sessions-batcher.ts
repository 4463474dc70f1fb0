/**
 * Coalesces session changes into `sessionsChanged` events: a file of 20,000
 * handshakes changes sessions hundreds of thousands of times, the UI wants at
 * most ~20 updates a second, each carrying every row that changed since the
 * last one (by id, last state wins).
 */
import type { EventPayloads, SessionSummary } from './contract';

export const FLUSH_INTERVAL_MS = 50;

export class SessionsBatcher {
  private pending = new Map<number, () => SessionSummary>();
  private reset = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = 0;

  constructor(
    private readonly send: (payload: EventPayloads['sessionsChanged']) => void,
    private readonly total: () => number,
    private readonly intervalMs = FLUSH_INTERVAL_MS,
  ) {}

  /** A session changed; `summarize` is called once, at flush time (summaries are not built per packet). */
  changed(id: number, summarize: () => SessionSummary): void {
    this.pending.set(id, summarize);
    this.schedule();
  }

  /** The list was replaced (a new file): the next flush tells clients to drop their rows. */
  markReset(): void {
    this.pending.clear();
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
    for (const summarize of this.pending.values()) sessions.push(summarize());
    sessions.sort((a, b) => a.id - b.id);
    const reset = this.reset;
    this.pending = new Map();
    this.reset = false;
    this.lastFlush = Date.now();
    this.send({ reset, sessions, total: this.total() });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
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
