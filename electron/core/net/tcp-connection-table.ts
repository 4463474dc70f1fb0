/**
 * TCP connections as tshark's tcp.stream numbers them, each direction
 * reassembled into an in-order byte stream.
 *
 * A connection is identified by its two endpoints. Its side `a` is the first
 * packet's sender, or the SYN's sender when a SYN (without ACK) comes first, or
 * the SYN-ACK's receiver when that comes first. A SYN whose sequence number is
 * not the one the tuple already has in that direction starts a new connection
 * (port reuse, as Wireshark's packet-tcp.c does); the old one ends.
 *
 * Memory is bounded: each direction holds at most its reassembly limits, all
 * directions together at most `maxTotalBufferedBytes`, and the table at most
 * `maxConnections` (past which the closed, then the longest idle, go first).
 * A closed connection (after its linger) keeps only a tombstone of some 200
 * bytes: its reassembly state is released when `onClose` returns.
 */
import { DecodedTcpSegment, TcpFlag, type TcpSegment } from './tcp-segment';
import {
  DEFAULT_REASSEMBLY_LIMITS,
  TcpStreamReassembly,
  type BufferAccount,
  type TcpReassemblyLimits,
  type TcpStreamSink,
} from './tcp-reassembly';

export interface TcpEndpoint {
  ip: string;
  port: number;
}

export interface TcpConnection {
  /** 0, 1, 2, ... in order of first packet: tshark's tcp.stream (unless the table had to evict). */
  id: number;
  /** The side that opened the connection when known, else the first packet's sender. */
  a: TcpEndpoint;
  b: TcpEndpoint;
  /** `a` was seen opening the connection: its SYN, or the peer's SYN-ACK, came first. */
  synSeen: boolean;
  ipVersion: 4 | 6;
  firstFrame: number;
  startTimeNs: bigint;
}

/**
 * How a connection ended: both FINs, a RST (either followed by a linger, see
 * `closeLingerNs`), or `end`: the capture ended, the table evicted it, or a new
 * connection reused its ports, without either. Holes left are reported as gaps
 * before `onClose`.
 */
export type TcpCloseReason = 'fin' | 'rst' | 'end';

/** Direction of travel: 0 from `a` to `b`, 1 from `b` to `a`. */
export type TcpDirection = 0 | 1;

export interface TcpListener {
  onOpen(c: TcpConnection): void;
  /** Every segment (before its data is delivered), for statistics. */
  onSegment?(c: TcpConnection, dir: TcpDirection, seg: TcpSegment, frame: number, timeNs: bigint): void;
  /** In-order payload bytes; a view valid only during the call. */
  onData(c: TcpConnection, dir: TcpDirection, data: Uint8Array, frame: number, timeNs: bigint): void;
  /**
   * When given, called instead of `onData` with the bytes as `bytes[start, end)`
   * (read during the call only): no view is made per segment.
   */
  onBytes?(c: TcpConnection, dir: TcpDirection, bytes: Uint8Array, start: number, end: number, frame: number, timeNs: bigint): void;
  /** Bytes that never came (capture loss): the stream continues after them. */
  onGap(c: TcpConnection, dir: TcpDirection, missingBytes: number, frame: number, timeNs: bigint): void;
  /** Called once per connection. */
  onClose(c: TcpConnection, how: TcpCloseReason, frame: number, timeNs: bigint): void;
  /**
   * Both directions sent a FIN and every byte before each FIN was delivered,
   * nothing held: a well-behaved peer sends nothing more (`onClose` still
   * follows, after the linger). At most once per connection. Only a hint:
   * data past a FIN would still be delivered.
   */
  onDrained?(c: TcpConnection, frame: number, timeNs: bigint): void;
}

export interface TcpConnectionTableOptions {
  reassembly?: Partial<TcpReassemblyLimits>;
  /** Connections kept at once (default 100,000). */
  maxConnections?: number;
  /** Out-of-order bytes held across all connections (default 64 MiB). */
  maxTotalBufferedBytes?: number;
  /**
   * Capture time a connection lingers after its RST or second FIN before
   * `onClose` (default 5 s). Segments in flight still arrive after a RST and
   * tshark still reassembles them; so do we, until the linger ends.
   */
  closeLingerNs?: bigint;
}

const NO_BYTES = new Uint8Array(0);

/** Default `maxConnections` and `maxTotalBufferedBytes`. */
export const DEFAULT_MAX_CONNECTIONS = 100_000;
export const DEFAULT_MAX_TOTAL_BUFFERED_BYTES = 64 << 20;

/**
 * One connection's state; chained per hash bucket. Once closed it stays in the
 * table only as a small tombstone (its endpoints, id and initial sequence
 * numbers), so that late segments still count as this connection, as tshark
 * numbers them, and a SYN with a new sequence number still starts a new one:
 * its reassembly state goes back to the table for a later connection, so
 * memory follows open connections.
 *
 * The endpoints are also kept here as plain fields (side `a`'s, then `b`'s):
 * every packet's lookup compares them, and reading them here rather than
 * through `conn.a`/`conn.b` saves two dependent loads (cache misses, in a
 * table of many thousand connections) per candidate.
 *
 * It is also its connection's stream sink: both directions' bytes go to the
 * listener through it (no object per direction for that).
 */
class ConnectionState implements TcpStreamSink {
  // Fields in the order V8 lays them out (after `conn`, `hash` and `listener`):
  // what every packet reads first (the lookup's, then push's), the rest after,
  // so that a packet touches as few of the object's cache lines as it can.
  /** Next connection in the same hash bucket. */
  next: ConnectionState | null = null;
  readonly aIp: string;
  readonly aAddrHash: number;
  readonly aPort: number;
  readonly bIp: string;
  readonly bAddrHash: number;
  readonly bPort: number;
  /** Each direction's reassembly; `null` once closed. */
  stream0: TcpStreamReassembly | null;
  stream1: TcpStreamReassembly | null;
  /**
   * `FIN_SEEN_0 | FIN_SEEN_1 | CLOSED | DRAINED` bits: one field rather than
   * four booleans, changed from the first FIN on. (V8 takes a field that was
   * never changed since it was set as a constant; optimized code that relied
   * on that is thrown away when it first changes: `closed` did so at the
   * first close after a linger, well after `push` was optimized.)
   */
  bits = 0;
  lastFrame: number;
  lastTimeNs: bigint;
  /** How it is ending (a RST or both FINs seen), during the linger before `onClose`. */
  closing: TcpCloseReason | null = null;
  closeDeadlineNs = 0n;
  /**
   * After the close: each direction's base sequence number, or `NO_SEQ` when
   * it had none (for port reuse). Set in the constructor, not initialized
   * here: the field is then first defined as undefined, so V8 takes it from
   * the first connection on as a field of any value that changes. Initialized
   * here to a number, it was a constant number field until the first close,
   * seconds of capture time in: its first change then (or a sequence number
   * of 2^31 or more in a field of small integers) threw away all optimized
   * code that reads a connection, the reader's too, which inlines `push`.
   */
  closedBaseSeq0: number;
  closedBaseSeq1: number;

  constructor(
    readonly conn: TcpConnection,
    readonly hash: number,
    /** `seg`'s source is the connection's side `b` (`conn` was made with the endpoints swapped). */
    srcIsB: boolean,
    seg: TcpSegment,
    private readonly listener: TcpListener,
    stream0: TcpStreamReassembly,
    stream1: TcpStreamReassembly,
  ) {
    this.lastFrame = conn.firstFrame;
    this.lastTimeNs = conn.startTimeNs;
    this.closedBaseSeq0 = NO_SEQ;
    this.closedBaseSeq1 = NO_SEQ;
    this.aIp = srcIsB ? seg.dstIp : seg.srcIp;
    this.aAddrHash = srcIsB ? seg.dstAddrHash : seg.srcAddrHash;
    this.aPort = srcIsB ? seg.dstPort : seg.srcPort;
    this.bIp = srcIsB ? seg.srcIp : seg.dstIp;
    this.bAddrHash = srcIsB ? seg.srcAddrHash : seg.dstAddrHash;
    this.bPort = srcIsB ? seg.srcPort : seg.dstPort;
    stream0.reuse(this, 0);
    stream1.reuse(this, 1);
    this.stream0 = stream0;
    this.stream1 = stream1;
  }

  /**
   * Whether `seg` travels between this connection's endpoints, and which way:
   * 0 from `a` to `b`, 1 from `b` to `a`, -1 neither. The numbers first (an
   * address hash may collide; the texts decide, and are mostly the very same
   * strings, from the decoder's cache).
   */
  directionOf(seg: TcpSegment): -1 | TcpDirection {
    const srcPort = seg.srcPort;
    const srcHash = seg.srcAddrHash;
    if (
      srcPort === this.aPort &&
      srcHash === this.aAddrHash &&
      seg.dstPort === this.bPort &&
      seg.dstAddrHash === this.bAddrHash &&
      seg.srcIp === this.aIp &&
      seg.dstIp === this.bIp
    ) {
      return 0;
    }
    if (
      srcPort === this.bPort &&
      srcHash === this.bAddrHash &&
      seg.dstPort === this.aPort &&
      seg.dstAddrHash === this.aAddrHash &&
      seg.srcIp === this.bIp &&
      seg.dstIp === this.aIp
    ) {
      return 1;
    }
    return -1;
  }

  /** `onClose` was called: nothing more is delivered. */
  get closed(): boolean {
    return (this.bits & CLOSED) !== 0;
  }

  /** The base sequence number a new SYN in direction `dir` is compared with; `NO_SEQ` when none is known. */
  baseSeqOf(dir: TcpDirection): number {
    const stream = dir === 0 ? this.stream0 : this.stream1;
    if (stream === null) return dir === 0 ? this.closedBaseSeq0 : this.closedBaseSeq1;
    return stream.started ? stream.baseSeq : NO_SEQ;
  }

  /** After `onClose`: keep only what identifies the connection; hand the streams back to `spare`. */
  release(spare: TcpStreamReassembly[]): void {
    const s0 = this.stream0;
    const s1 = this.stream1;
    if (s0 === null || s1 === null) return;
    this.closedBaseSeq0 = this.baseSeqOf(0);
    this.closedBaseSeq1 = this.baseSeqOf(1);
    this.stream0 = null;
    this.stream1 = null;
    if (spare.length < MAX_SPARE_STREAMS) spare.push(s0, s1);
  }

  data(dir: TcpDirection, bytes: Uint8Array, start: number, end: number, frame: number, timeNs: bigint): void {
    const l = this.listener;
    if (l.onBytes !== undefined) l.onBytes(this.conn, dir, bytes, start, end, frame, timeNs);
    else l.onData(this.conn, dir, start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), frame, timeNs);
  }

  gap(dir: TcpDirection, missing: number, frame: number, timeNs: bigint): void {
    this.listener.onGap(this.conn, dir, missing, frame, timeNs);
  }
}

/** A base sequence number for "none": no 32-bit sequence number is 2^32 (and it is not a small integer: see `closedBaseSeq0`). */
const NO_SEQ = 2 ** 32;

/** `ConnectionState.bits`: each direction's FIN seen, `onClose` called, `onDrained` called. */
const FIN_SEEN_0 = 1;
const FIN_SEEN_1 = 2;
const CLOSED = 4;
const DRAINED = 8;

/** Where a spare stream's bytes would go before `reuse` gives it a connection (never: it is not pushed to). */
const NO_SINK: TcpStreamSink = {
  data(): void {},
  gap(): void {},
};

/** Streams of closed connections kept for reuse (two per connection). */
const MAX_SPARE_STREAMS = 4096;

export class TcpConnectionTable {
  /**
   * Hash chains, by `flowHash & bucketMask`: an array grown with the table so
   * chains stay short (a Map keyed by the 32-bit hash would box half its keys
   * as heap numbers, on every packet's lookup).
   */
  private buckets: (ConnectionState | null)[] = emptyBuckets(INITIAL_BUCKETS);
  private bucketMask = INITIAL_BUCKETS - 1;
  private count = 0;
  /** Connections in the table not yet closed (holding reassembly state). */
  private live = 0;
  private nextId = 0;
  private readonly limits: TcpReassemblyLimits;
  private readonly maxConnections: number;
  private readonly maxTotalBuffered: number;
  private readonly account: BufferAccount = { bytes: 0 };
  /** Connections evicted to keep the table bounded. */
  evicted = 0;
  /** RSTs ignored for a sequence number far outside the connection's window. */
  ignoredResets = 0;
  /** Most connections the table held at once (closed ones included), and most out-of-order bytes held. */
  peakSize = 0;
  peakBufferedBytes = 0;
  private readonly lingerNs: bigint;
  /** Connections lingering before their close, in deadline order (deadlines only grow). */
  private lingering: ConnectionState[] = [];
  private lingeringHead = 0;
  /**
   * The close deadline of the lingering queue's head (when there is one), so
   * that a packet checks it without reading the head (a connection of some
   * seconds ago, no longer in the cache): `closeLingering` has work when the
   * deadline passed, or when `lingerRecheck` says a queued connection was
   * closed otherwise (the head may be one: it leaves the queue at once).
   */
  private nextDeadlineNs = 0n;
  private lingerRecheck = false;
  /** How many of the first connections to close make the next packet look at the queue (see `startClosing`). */
  private earlyLingerLooks = 16;
  /** Streams of closed connections, for new ones (see `TcpStreamReassembly.reuse`). */
  private readonly spareStreams: TcpStreamReassembly[] = [];
  /** The direction of the segment `find` (or `open`) last matched. */
  private foundDir: TcpDirection = 0;

  constructor(
    private readonly listener: TcpListener,
    options: TcpConnectionTableOptions = {},
  ) {
    this.limits = { ...DEFAULT_REASSEMBLY_LIMITS, ...options.reassembly };
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.maxTotalBuffered = options.maxTotalBufferedBytes ?? DEFAULT_MAX_TOTAL_BUFFERED_BYTES;
    this.lingerNs = options.closeLingerNs ?? 5_000_000_000n;
    this.unpinFields();
  }

  /**
   * V8 takes an object's field that was never changed since it was set as a
   * constant, and throws away the optimized code that relied on that when it
   * first changes. These change only when the table first grows or the first
   * linger ends, well after `push` was optimized (it was then compiled again,
   * twice). Changed once here, they are ordinary fields from the start.
   */
  private unpinFields(): void {
    this.buckets = emptyBuckets(INITIAL_BUCKETS);
    this.bucketMask = 0;
    this.bucketMask = INITIAL_BUCKETS - 1;
    this.lingering = [];
    this.lingeringHead = 1;
    this.lingeringHead = 0;
    this.lingerRecheck = true;
    this.lingerRecheck = false;
  }

  /** Connections currently in the table. */
  get size(): number {
    return this.count;
  }

  /** Connections not yet closed: the ones holding reassembly state (the rest are tombstones). */
  get openCount(): number {
    return this.live;
  }

  /** Out-of-order bytes currently held across all connections. */
  get bufferedBytes(): number {
    return this.account.bytes;
  }

  push(seg: TcpSegment, frame: number, timeNs: bigint): void {
    const flags = seg.flags;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const ackFlag = (flags & TcpFlag.ACK) !== 0;
    // The lingering queue's head, checked without reading it (see `nextDeadlineNs`).
    if (this.lingeringHead < this.lingering.length && (this.lingerRecheck || this.nextDeadlineNs < timeNs)) this.closeLingering(timeNs);
    const hash = flowHash(seg);
    let st = this.find(hash, seg);
    if (st === null || (syn && !ackFlag)) st = this.connectionFor(st, seg, hash, syn, ackFlag, frame, timeNs);
    const dir = this.foundDir;

    st.lastFrame = frame;
    st.lastTimeNs = timeNs;
    this.listener.onSegment?.(st.conn, dir, seg, frame, timeNs);
    const stream = dir === 0 ? st.stream0 : st.stream1;
    if (stream === null) return; // after the close: nothing more to deliver

    const fin = (flags & TcpFlag.FIN) !== 0;
    if (syn) stream.syn(seg.seq);
    // The payload is passed on as a window of the packet's bytes: no view per segment.
    if (seg.payloadLength === 0) stream.segment(seg, NO_BYTES, 0, 0, frame, timeNs);
    else if (seg instanceof DecodedTcpSegment) stream.segment(seg, seg.payloadBytes, seg.payloadStart, seg.payloadEnd, frame, timeNs);
    else {
      const payload = seg.payload;
      stream.segment(seg, payload, 0, payload.length, frame, timeNs);
    }
    // What this side acknowledges of the other's bytes tells which holes there will never be filled.
    if (ackFlag) (dir === 0 ? st.stream1 : st.stream0)!.acked(seg.ack);
    if (this.account.bytes > this.peakBufferedBytes) this.peakBufferedBytes = this.account.bytes;
    if (this.account.bytes > this.maxTotalBuffered) stream.flush(frame, timeNs);

    if (flags & TcpFlag.RST) {
      if (stream.inWindow(seg.seq, RST_WINDOW)) this.startClosing(st, 'rst', timeNs);
      else this.ignoredResets++;
    }
    if (fin) {
      st.bits |= dir === 0 ? FIN_SEEN_0 : FIN_SEEN_1;
      if ((st.bits & (FIN_SEEN_0 | FIN_SEEN_1)) === (FIN_SEEN_0 | FIN_SEEN_1)) this.startClosing(st, 'fin', timeNs);
    }
    if (
      (st.bits & (FIN_SEEN_0 | FIN_SEEN_1 | DRAINED)) === (FIN_SEEN_0 | FIN_SEEN_1) &&
      this.listener.onDrained &&
      st.stream0!.drained &&
      st.stream1!.drained
    ) {
      st.bits |= DRAINED;
      this.listener.onDrained(st.conn, frame, timeNs);
    }
  }

  /**
   * The connection of a segment `find` found none for (`st` null: a new one),
   * or of a SYN without ACK found in `st`: a new one too when its initial
   * sequence number is not the one `st` has in that direction (port reuse).
   * Its direction in `foundDir`.
   *
   * Apart from `push` (and called from it at every new connection, from the
   * first packets on), so that the rare port reuse is code of this method:
   * V8 compiles `push` early, and code it had not yet seen run (no feedback)
   * threw the whole of `push`'s compiled code away when first reached; a call
   * made for a few percent of the packets is not inlined into it.
   */
  private connectionFor(
    st: ConnectionState | null, seg: TcpSegment, hash: number, syn: boolean, ack: boolean, frame: number, timeNs: bigint,
  ): ConnectionState {
    if (st !== null) {
      const base = st.baseSeqOf(this.foundDir);
      if (base === NO_SEQ || base === seg.seq) return st;
      // Port reuse: a new SYN with another initial sequence number.
      this.remove(st);
      if (!st.closed) this.close(st, st.closing ?? 'end', st.lastFrame, st.lastTimeNs);
    }
    return this.open(seg, hash, syn, ack, frame, timeNs);
  }

  /**
   * Close the connections whose linger ended before `nowNs` (capture time).
   * `push` does this itself; a live source may call it when no packets come.
   */
  closeLingering(nowNs: bigint): void {
    const q = this.lingering;
    while (this.lingeringHead < q.length) {
      const st = q[this.lingeringHead]!;
      if (!st.closed && st.closeDeadlineNs >= nowNs) break;
      this.lingeringHead++;
      if (!st.closed) this.close(st, st.closing ?? 'end', st.lastFrame, st.lastTimeNs);
    }
    if (this.lingeringHead > 1024 && this.lingeringHead * 2 > q.length) {
      this.lingering = q.slice(this.lingeringHead);
      this.lingeringHead = 0;
    }
    this.noteLingeringHead();
  }

  /** After the lingering queue's head changed: its deadline, and nothing to recheck. */
  private noteLingeringHead(): void {
    this.lingerRecheck = false;
    if (this.lingeringHead < this.lingering.length) this.nextDeadlineNs = this.lingering[this.lingeringHead]!.closeDeadlineNs;
  }

  private startClosing(st: ConnectionState, how: TcpCloseReason, timeNs: bigint): void {
    if (st.closing !== null) return;
    st.closing = how;
    st.closeDeadlineNs = timeNs + this.lingerNs;
    this.lingering.push(st);
    if (this.lingering.length - this.lingeringHead === 1) this.nextDeadlineNs = st.closeDeadlineNs;
    if (this.earlyLingerLooks > 0) {
      // The next packet looks at the queue, finding nothing due yet: so `push`
      // calls `closeLingering` from its first connections on, and not first at
      // the first linger's end, when code V8 compiled `push` without having
      // seen run would throw that compiled code away. (Several times: V8 keeps
      // no feedback for a function's first few calls. A call made this seldom
      // is not inlined into `push`, so neither is the loop it runs.)
      this.earlyLingerLooks--;
      this.lingerRecheck = true;
    }
  }

  /** End of input: every open connection gives up its holes and closes (`end`), in id order. */
  finish(): void {
    const open: ConnectionState[] = [];
    for (const head of this.buckets) {
      for (let st: ConnectionState | null = head; st !== null; st = st.next) if (!st.closed) open.push(st);
    }
    open.sort((x, y) => x.conn.id - y.conn.id);
    for (const st of open) this.close(st, st.closing ?? 'end', st.lastFrame, st.lastTimeNs);
    this.buckets = emptyBuckets(INITIAL_BUCKETS);
    this.bucketMask = INITIAL_BUCKETS - 1;
    this.count = 0;
    this.live = 0;
    this.lingering = [];
    this.lingeringHead = 0;
  }

  /** The connection `seg` belongs to, or null; its direction in `foundDir`. */
  private find(hash: number, seg: TcpSegment): ConnectionState | null {
    for (let st: ConnectionState | null = this.buckets[hash & this.bucketMask]!; st !== null; st = st.next) {
      if (st.hash !== hash) continue;
      const dir = st.directionOf(seg);
      if (dir !== -1) {
        this.foundDir = dir;
        return st;
      }
    }
    return null;
  }

  /** A new connection for `seg` (its direction in `foundDir`). */
  private open(seg: TcpSegment, hash: number, syn: boolean, ack: boolean, frame: number, timeNs: bigint): ConnectionState {
    if (this.count >= this.maxConnections) this.evict();
    const src = { ip: seg.srcIp, port: seg.srcPort };
    const dst = { ip: seg.dstIp, port: seg.dstPort };
    const reversed = syn && ack; // a SYN-ACK first: its receiver opened the connection
    const conn: TcpConnection = {
      id: this.nextId++,
      a: reversed ? dst : src,
      b: reversed ? src : dst,
      synSeen: syn,
      ipVersion: seg.ipVersion,
      firstFrame: frame,
      startTimeNs: timeNs,
    };
    const spare = this.spareStreams;
    const s0 = spare.pop() ?? this.newStream();
    const s1 = spare.pop() ?? this.newStream();
    const st = new ConnectionState(conn, hash, reversed, seg, this.listener, s0, s1);
    this.foundDir = reversed ? 1 : 0;
    const at = hash & this.bucketMask;
    st.next = this.buckets[at]!;
    this.buckets[at] = st;
    this.count++;
    if (this.count > this.buckets.length) this.growBuckets();
    if (this.count > this.peakSize) this.peakSize = this.count;
    this.live++;
    this.listener.onOpen(conn);
    return st;
  }

  /** A stream for `open` to set up (`reuse`) when no closed connection left one. */
  private newStream(): TcpStreamReassembly {
    return new TcpStreamReassembly(NO_SINK, 0, this.limits, this.account);
  }

  private close(st: ConnectionState, how: TcpCloseReason, frame: number, timeNs: bigint): void {
    st.bits |= CLOSED;
    // A lingering connection closed otherwise (port reuse, eviction) leaves the queue at the next look.
    if (st.closing !== null) this.lingerRecheck = true;
    const s0 = st.stream0;
    const s1 = st.stream1;
    if (s0 !== null && s1 !== null) {
      s0.flush(frame, timeNs);
      s1.flush(frame, timeNs);
    }
    this.listener.onClose(st.conn, how, frame, timeNs);
    if (s0 !== null) this.live--;
    st.release(this.spareStreams);
  }

  private remove(st: ConnectionState): void {
    const at = st.hash & this.bucketMask;
    const head = this.buckets[at]!;
    if (head === null) return;
    if (head === st) {
      this.buckets[at] = st.next;
    } else {
      let prev = head;
      while (prev.next !== null && prev.next !== st) prev = prev.next;
      if (prev.next === st) prev.next = st.next;
    }
    st.next = null;
    this.count--;
  }

  /** Twice the buckets, every chain rehashed (there is at most one connection per endpoint pair: order within a chain is free). */
  private growBuckets(): void {
    const old = this.buckets;
    const grown = emptyBuckets(old.length * 2);
    const mask = grown.length - 1;
    for (const head of old) {
      for (let st: ConnectionState | null = head; st !== null; ) {
        const next = st.next;
        const at = st.hash & mask;
        st.next = grown[at]!;
        grown[at] = st;
        st = next;
      }
    }
    this.buckets = grown;
    this.bucketMask = mask;
  }

  /** Make room: drop a quarter of the table, closed connections first, then the longest idle. */
  private evict(): void {
    const all: ConnectionState[] = [];
    for (const head of this.buckets) {
      for (let st: ConnectionState | null = head; st !== null; st = st.next) all.push(st);
    }
    const rank = (st: ConnectionState) => (st.closed ? 0 : st.closing !== null ? 1 : 2);
    all.sort((x, y) => rank(x) - rank(y) || x.lastFrame - y.lastFrame);
    const n = Math.max(1, all.length >> 2);
    for (let i = 0; i < n; i++) {
      const st = all[i]!;
      this.remove(st);
      if (!st.closed) this.close(st, st.closing ?? 'end', st.lastFrame, st.lastTimeNs);
      this.evicted++;
    }
  }
}

const INITIAL_BUCKETS = 1024;

function emptyBuckets(n: number): (ConnectionState | null)[] {
  return new Array<ConnectionState | null>(n).fill(null);
}

/**
 * How far from the next expected sequence number a RST may be and still end the
 * connection. A challenge-ACK answer to a stale connection's ACK lands far away;
 * tshark keeps such a stream going, and so do we.
 */
const RST_WINDOW = 1 << 24;

/** A hash of the unordered endpoint pair: the same for both directions, no strings built. */
export function flowHash(seg: TcpSegment): number {
  return endpointPairHash(seg.srcAddrHash, seg.srcPort, seg.dstAddrHash, seg.dstPort);
}

/** `flowHash` from its parts (address hashes as `TcpSegment.srcAddrHash` has them). */
export function endpointPairHash(srcAddrHash: number, srcPort: number, dstAddrHash: number, dstPort: number): number {
  const x = endpointHash(srcAddrHash, srcPort);
  const y = endpointHash(dstAddrHash, dstPort);
  return (x + y) | 0;
}

function endpointHash(addr: number, port: number): number {
  let h = Math.imul(addr ^ Math.imul(port, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
