/**
 * A TCP connection table's events (TcpListener) as bytes, so that the table
 * can run on one thread and the TLS analysis that listens to it on another
 * (electron/cli/analyze-pipelined.ts). `TcpEventWriter` is the table's
 * listener and fills batches; `TcpEventReader` replays a batch into another
 * listener, in the same order, with the same arguments: reassembled payload
 * handed over as a window of the batch (no copy), connections as one object
 * each from their open to their close, as the table hands them.
 *
 * Each event: type (u8) | connection id (u32) | direction, close reason or
 * (OPEN) IP version (u8) | frame (u32) | time in ns (u64), then by type:
 * OPEN (frame and time the first): SYN seen (u8) | a's address (u32, its
 * number) | a's port (u16) | b's address | b's port; BYTES: length
 * (u32) | bytes; GAP: missing bytes (f64). PACKET (the type alone) marks
 * where a packet began after a connection closed or drained (the listener
 * hands finished sessions over there); COMMENT: frame (i32, -1 for none) |
 * length (u32) | UTF-8 text; ADDRESS, before the first OPEN naming it: its
 * number (u32) | length (u32) | UTF-8 text. Little-endian. Both ends are this file, built
 * into both threads' bundles: the format is private to it.
 */
import type { TcpCloseReason, TcpConnection, TcpDirection, TcpListener } from '../core/net/tcp-connection-table';

const OPEN = 1;
const BYTES = 2;
const GAP = 3;
const DRAINED = 4;
const CLOSE = 5;
const PACKET = 6;
const COMMENT = 7;
const ADDRESS = 8;

const HEAD = 18;
const CLOSE_REASONS: readonly TcpCloseReason[] = ['fin', 'rst', 'end'];

/** The first batch is small (the reader starts sooner), the next ones double up to the largest. */
const FIRST_BATCH_BYTES = 64 << 10;
export const LARGEST_BATCH_BYTES = 1 << 20;

/** Payloads up to this size are copied in a loop rather than through a view. */
const COPY_LOOP_BYTES = 256;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Where a writer's batches are written and where they go. */
export interface TcpEventBatches {
  /** A buffer of at least `bytes` for the next batch (the previous one was sent). */
  next(bytes: number): Uint8Array;
  /** The batch in `buffer[0, length)` is written. */
  send(buffer: Uint8Array, length: number): void;
}

export class TcpEventWriter implements TcpListener {
  private buf: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private view: DataView<ArrayBufferLike> = new DataView(this.buf.buffer);
  private at = 0;
  /** Where this batch ends: its buffer's end, or sooner for the first (small) batches. */
  private limit = 0;
  private size = FIRST_BATCH_BYTES;
  /** A connection closed or drained since the last PACKET mark. */
  private closed = false;
  /** Each address's number: sent once (ADDRESS), then named by it. */
  private readonly addresses = new Map<string, number>();

  constructor(private readonly batches: TcpEventBatches) {}

  onOpen(c: TcpConnection): void {
    const a = this.address(c.a.ip);
    const b = this.address(c.b.ip);
    this.head(OPEN, c, c.ipVersion, c.firstFrame, c.startTimeNs, 13);
    const v = this.view;
    const at = this.at;
    v.setUint8(at, c.synSeen ? 1 : 0);
    v.setUint32(at + 1, a, true);
    v.setUint16(at + 5, c.a.port, true);
    v.setUint32(at + 7, b, true);
    v.setUint16(at + 11, c.b.port, true);
    this.at = at + 13;
  }

  onData(c: TcpConnection, dir: TcpDirection, data: Uint8Array, frame: number, timeNs: bigint): void {
    this.onBytes(c, dir, data, 0, data.length, frame, timeNs);
  }

  onBytes(c: TcpConnection, dir: TcpDirection, bytes: Uint8Array, start: number, end: number, frame: number, timeNs: bigint): void {
    const n = end - start;
    this.head(BYTES, c, dir, frame, timeNs, 4 + n);
    this.view.setUint32(this.at, n, true);
    const buf = this.buf;
    const to = this.at + 4;
    // A packet's payload is small: copied byte by byte, it needs no view of it (one object a packet).
    if (n <= COPY_LOOP_BYTES) for (let i = 0; i < n; i++) buf[to + i] = bytes[start + i]!;
    else buf.set(bytes.subarray(start, end), to);
    this.at = to + n;
  }

  onGap(c: TcpConnection, dir: TcpDirection, missingBytes: number, frame: number, timeNs: bigint): void {
    this.head(GAP, c, dir, frame, timeNs, 8);
    this.view.setFloat64(this.at, missingBytes, true);
    this.at += 8;
  }

  onDrained(c: TcpConnection, frame: number, timeNs: bigint): void {
    this.head(DRAINED, c, 0, frame, timeNs, 0);
    this.closed = true;
  }

  onClose(c: TcpConnection, how: TcpCloseReason, frame: number, timeNs: bigint): void {
    this.head(CLOSE, c, CLOSE_REASONS.indexOf(how), frame, timeNs, 0);
    this.closed = true;
  }

  /** Before each packet's events: marks it when a connection closed since the last mark. */
  beforePacket(): void {
    if (!this.closed) return;
    this.closed = false;
    this.room(1);
    this.view.setUint8(this.at++, PACKET);
  }

  /** A comment of the file (`frame` null for a section's). */
  comment(text: string, frame: number | null): void {
    const bytes = utf8.encode(text);
    this.room(9 + bytes.length);
    const v = this.view;
    v.setUint8(this.at, COMMENT);
    v.setInt32(this.at + 1, frame ?? -1, true);
    v.setUint32(this.at + 5, bytes.length, true);
    this.buf.set(bytes, this.at + 9);
    this.at += 9 + bytes.length;
  }

  /** Send what is written (if anything). */
  flush(): void {
    if (this.at === 0) return;
    const length = this.at;
    this.at = 0;
    this.limit = 0;
    this.batches.send(this.buf, length);
  }

  /** Writes an event's head, with room for `more` bytes after it. */
  private head(type: number, c: TcpConnection, dirOrHow: number, frame: number, timeNs: bigint, more: number): void {
    this.room(HEAD + more);
    const v = this.view;
    const at = this.at;
    v.setUint8(at, type);
    v.setUint32(at + 1, c.id, true);
    v.setUint8(at + 5, dirOrHow);
    v.setUint32(at + 6, frame, true);
    v.setBigUint64(at + 10, timeNs, true);
    this.at = at + HEAD;
  }

  /** The number of address `ip`, sent first if new. */
  private address(ip: string): number {
    let n = this.addresses.get(ip);
    if (n !== undefined) return n;
    n = this.addresses.size;
    this.addresses.set(ip, n);
    const bytes = utf8.encode(ip);
    this.room(9 + bytes.length);
    const v = this.view;
    v.setUint8(this.at, ADDRESS);
    v.setUint32(this.at + 1, n, true);
    v.setUint32(this.at + 5, bytes.length, true);
    this.buf.set(bytes, this.at + 9);
    this.at += 9 + bytes.length;
    return n;
  }

  private room(n: number): void {
    if (this.at + n <= this.limit) return;
    this.flush();
    const buf = this.batches.next(Math.max(n, this.size));
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.limit = Math.max(n, Math.min(this.size, buf.length));
    this.size = Math.min(this.size * 2, LARGEST_BATCH_BYTES);
  }
}

/** Where replayed events go. */
export interface TcpEventSink {
  events: TcpListener;
  /** Where a packet began after a connection closed or drained. */
  beforePacket(): void;
  comment(text: string, frame: number | null): void;
}

export class TcpEventReader {
  /** The connections open, at their id, as the writer's table handed them. */
  private readonly conns: (TcpConnection | undefined)[] = [];
  /** The addresses, at their number. */
  private readonly addresses: string[] = [];
  /** The last event's time, as read and as its two halves (most events share their packet's). */
  private time = 0n;
  private timeLow = -1;
  private timeHigh = -1;

  constructor(private readonly sink: TcpEventSink) {}

  /** Replays every event of `batch` (which must stay unchanged afterwards: payload is handed over as windows of it). */
  read(batch: Uint8Array): void {
    const v = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    const l = this.sink.events;
    let at = 0;
    while (at < batch.length) {
      const type = v.getUint8(at);
      if (type === PACKET) {
        this.sink.beforePacket();
        at += 1;
        continue;
      }
      if (type === ADDRESS) {
        const n = v.getUint32(at + 5, true);
        this.addresses[v.getUint32(at + 1, true)] = fromUtf8.decode(batch.subarray(at + 9, at + 9 + n));
        at += 9 + n;
        continue;
      }
      if (type === COMMENT) {
        const frame = v.getInt32(at + 1, true);
        const n = v.getUint32(at + 5, true);
        this.sink.comment(fromUtf8.decode(batch.subarray(at + 9, at + 9 + n)), frame < 0 ? null : frame);
        at += 9 + n;
        continue;
      }
      const id = v.getUint32(at + 1, true);
      const dirOrHow = v.getUint8(at + 5);
      const frame = v.getUint32(at + 6, true);
      const timeNs = this.timeAt(v, at + 10);
      at += HEAD;
      switch (type) {
        case OPEN: {
          const c: TcpConnection = {
            id,
            a: { ip: this.addresses[v.getUint32(at + 1, true)]!, port: v.getUint16(at + 5, true) },
            b: { ip: this.addresses[v.getUint32(at + 7, true)]!, port: v.getUint16(at + 11, true) },
            synSeen: v.getUint8(at) === 1,
            ipVersion: dirOrHow === 6 ? 6 : 4,
            firstFrame: frame,
            startTimeNs: timeNs,
          };
          this.conns[id] = c;
          at += 13;
          l.onOpen(c);
          break;
        }
        case BYTES: {
          const n = v.getUint32(at, true);
          const c = this.conns[id]!;
          if (l.onBytes !== undefined) l.onBytes(c, dirOrHow as TcpDirection, batch, at + 4, at + 4 + n, frame, timeNs);
          else l.onData(c, dirOrHow as TcpDirection, batch.subarray(at + 4, at + 4 + n), frame, timeNs);
          at += 4 + n;
          break;
        }
        case GAP:
          l.onGap(this.conns[id]!, dirOrHow as TcpDirection, v.getFloat64(at, true), frame, timeNs);
          at += 8;
          break;
        case DRAINED:
          l.onDrained?.(this.conns[id]!, frame, timeNs);
          break;
        case CLOSE: {
          const c = this.conns[id]!;
          this.conns[id] = undefined;
          l.onClose(c, CLOSE_REASONS[dirOrHow]!, frame, timeNs);
          break;
        }
        default:
          throw new Error(`TCP event batch: unknown event ${type} at ${at - HEAD}`);
      }
    }
  }

  private timeAt(v: DataView, at: number): bigint {
    const low = v.getUint32(at, true);
    const high = v.getUint32(at + 4, true);
    if (low !== this.timeLow || high !== this.timeHigh) {
      this.time = v.getBigUint64(at, true);
      this.timeLow = low;
      this.timeHigh = high;
    }
    return this.time;
  }
}
