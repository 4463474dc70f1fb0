/**
 * In-order delivery of one direction of a TCP connection (RFC 9293 §3.4:
 * sequence numbers count bytes; SYN and FIN each take one).
 *
 * Segments may come out of order, repeated, overlapping, or across the 2^32
 * sequence wrap. Bytes are delivered once, in sequence order, as soon as they
 * become contiguous, attributed to the frame whose arrival made them
 * deliverable (how tshark attributes a reassembled PDU with
 * tcp.reassemble_out_of_order). Where copies overlap, the first one seen wins.
 *
 * Positions are kept as stream offsets (a double counting from the first data
 * byte, exact up to 2^53), so the 32-bit wrap only matters when turning a
 * sequence number into an offset: the signed 32-bit distance from the next
 * expected sequence number.
 *
 * Memory is bounded: out-of-order bytes held above `maxBufferedBytes` or in
 * more than `maxBufferedSegments` pieces make the first hole a gap (bytes that
 * never came) and delivery continues after it.
 */
import { TcpFlag, type TcpSegment } from './tcp-segment';

export interface TcpReassemblyLimits {
  /** Out-of-order bytes held per direction before the first hole is given up. */
  maxBufferedBytes: number;
  /** Out-of-order pieces held per direction before the first hole is given up. */
  maxBufferedSegments: number;
  /** Data further ahead than this of the next expected byte is taken as bogus and ignored. */
  maxAhead: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: TcpReassemblyLimits = {
  maxBufferedBytes: 1 << 20,
  maxBufferedSegments: 2048,
  maxAhead: 1 << 30,
};

/**
 * Where a connection's bytes go, for both of its directions (`dir` is the
 * stream's: one sink per connection, not one object per direction).
 */
export interface TcpStreamSink {
  /** In-order bytes `bytes[start, end)`, read during the call only (no view is made for them). */
  data(dir: 0 | 1, bytes: Uint8Array, start: number, end: number, frame: number, timeNs: bigint): void;
  gap(dir: 0 | 1, missingBytes: number, frame: number, timeNs: bigint): void;
}

/** Bytes held out of order, shared by all directions of a table so it can bound the total. */
export interface BufferAccount {
  bytes: number;
}

interface Piece {
  /** Stream offset of the first byte. */
  offset: number;
  length: number;
  /** A private copy; `null` for bytes known to be lost (cut off by the capture's snap length). */
  data: Uint8Array | null;
  /** The frame that carried it: its bytes are attributed to it when the hole before it is given up. */
  frame: number;
  timeNs: bigint;
}

export class TcpStreamReassembly {
  /** Whether the first sequence number is known (from a SYN or the first segment). */
  started = false;
  /**
   * Wireshark's base sequence number: the SYN's, or one before the first
   * segment's when no SYN was seen. A SYN with another one starts a new connection.
   */
  baseSeq = 0;
  /** Next expected sequence number (unsigned 32-bit). */
  private nextSeq = 0;
  /** Stream offset of `nextSeq`: bytes delivered plus bytes given up as gaps. */
  delivered = 0;
  /** Stream offset of the FIN, once seen; -1 before. */
  finOffset = -1;
  /** Out-of-order pieces, sorted by offset, never overlapping. */
  private pieces: Piece[] = [];
  /**
   * `pieces.length`, kept here: nearly always 0, and every segment and ACK
   * asks. The list is an object of its own elsewhere in memory, a cache miss
   * per look in a table of many connections; this field is beside the rest.
   */
  private held = 0;
  private bufferedBytes = 0;
  /** Segments ignored for lying too far ahead. */
  bogus = 0;
  /** Stream offset up to which the peer acknowledged this direction's bytes. */
  private ackedOffset = 0;

  constructor(
    private sink: TcpStreamSink,
    /** The direction this stream is, as the sink is told. */
    private dir: 0 | 1,
    private readonly limits: TcpReassemblyLimits,
    private readonly account: BufferAccount,
  ) {}

  /**
   * The state of a new stream, for `sink`'s direction `dir`: a table reuses
   * the streams of closed connections (they would otherwise be made for every
   * connection and, living as long as it, outlive the young generation).
   * Only for a stream whose connection is done with it.
   */
  reuse(sink: TcpStreamSink, dir: 0 | 1): void {
    this.sink = sink;
    this.dir = dir;
    this.started = false;
    this.baseSeq = 0;
    this.nextSeq = 0;
    this.delivered = 0;
    this.finOffset = -1;
    // A queue that grew long keeps its room: a new one instead.
    if (this.held !== 0 || this.bufferedBytes !== 0) {
      this.account.bytes -= this.bufferedBytes;
      this.pieces = [];
      this.held = 0;
    }
    this.bufferedBytes = 0;
    this.bogus = 0;
    this.ackedOffset = 0;
  }

  get buffered(): number {
    return this.bufferedBytes;
  }

  /** True once every byte up to the FIN was delivered or given up. */
  get finished(): boolean {
    return this.finOffset >= 0 && this.delivered >= this.finOffset;
  }

  /** Finished, and nothing held out of order (not even beyond the FIN). */
  get drained(): boolean {
    return this.finished && this.held === 0;
  }

  /**
   * A SYN with sequence number `seq`: data starts at seq + 1. A SYN with another
   * sequence number before any data (several SYN-ACKs with different ISNs) moves
   * the start, as tshark does: the latest SYN wins. Once data flowed, a SYN is
   * a retransmission and changes nothing.
   */
  syn(seq: number): void {
    if (this.started && (this.baseSeq === seq || this.delivered > 0 || this.held > 0)) return;
    this.started = true;
    this.baseSeq = seq;
    this.nextSeq = (seq + 1) >>> 0;
  }

  /**
   * Whether `seq` is plausibly in this direction's window (RFC 5961 §3: a RST
   * far outside it does not end the connection, and real stacks ignore it).
   */
  inWindow(seq: number, window: number): boolean {
    if (!this.started) return true;
    const rel = (seq - this.nextSeq) | 0;
    return rel >= -window && rel <= window;
  }

  /**
   * One segment of this direction, `seg`: its first data byte has sequence
   * number `seg.seq` (+1 after a SYN). What was captured is `bytes[start, end)`
   * (read during the call; copied if held: no view is made of an in-order
   * segment); `seg.payloadLength` is what the IP header claims, larger when
   * the capture cut the packet short. The numbers are read from `seg` here,
   * not handed over: a sequence number at or above 2^30 passed as an argument
   * to a call that is not inlined becomes a heap number, for most packets.
   */
  segment(seg: TcpSegment, bytes: Uint8Array, start: number, end: number, frame: number, timeNs: bigint): void {
    const flags = seg.flags;
    const seq = (flags & TcpFlag.SYN) !== 0 ? (seg.seq + 1) >>> 0 : seg.seq;
    const fin = (flags & TcpFlag.FIN) !== 0;
    const length = seg.payloadLength;
    if (!this.started) {
      this.started = true;
      this.baseSeq = (seq - 1) >>> 0;
      this.nextSeq = seq;
    }
    let rel = (seq - this.nextSeq) | 0; // signed distance across the 2^32 wrap
    if ((rel < 0 || rel > this.limits.maxAhead) && length > 0 && this.delivered === 0 && this.held === 0) {
      // The first data lies before the SYN's ISN or impossibly far after it: the
      // SYN we anchored on was not the one this data follows (several SYN-ACKs with
      // different ISNs). Start over at this segment, as for data without a SYN.
      this.nextSeq = seq;
      this.baseSeq = (seq - 1) >>> 0;
      this.finOffset = -1;
      rel = 0;
    }
    if (rel > this.limits.maxAhead) {
      this.bogus++;
      return;
    }
    if (fin && this.finOffset < 0) this.finOffset = this.delivered + rel + length;
    if (length === 0) return;
    const captured = end - start < length ? end - start : length;
    if (captured > 0) this.accept(rel, bytes, start, captured, frame, timeNs);
    if (captured < length) {
      // Relative to the next expected byte as it is now (the captured part may have moved it).
      const tailRel = (((seq + captured) >>> 0) - this.nextSeq) | 0;
      this.accept(tailRel, null, 0, length - captured, frame, timeNs);
    }
    if (this.held > 0 && this.pieces[0]!.offset <= this.ackedOffset) this.skipAckedHoles();
    if (this.bufferedBytes > this.limits.maxBufferedBytes || this.held > this.limits.maxBufferedSegments) {
      while (
        this.held > 0 &&
        (this.bufferedBytes > this.limits.maxBufferedBytes || this.held > this.limits.maxBufferedSegments)
      ) {
        this.skipFirstHole();
      }
    }
  }

  /**
   * The peer acknowledged every byte before sequence number `ack`. A hole below it
   * was received by the peer but not by the capture: it will never be filled, so it
   * is given up now (tshark's "ACKed unseen segment"), and what was held after it is
   * delivered as of the frames that carried it, not at the connection's end.
   */
  acked(ack: number): void {
    if (!this.started) return;
    const rel = (ack - this.nextSeq) | 0;
    if (rel <= 0 || rel > this.limits.maxBufferedBytes) return; // nothing new, or implausibly far ahead
    const offset = this.delivered + rel;
    if (offset > this.ackedOffset) this.ackedOffset = offset;
    this.skipAckedHoles();
  }

  private skipAckedHoles(): void {
    while (this.held > 0 && this.pieces[0]!.offset <= this.ackedOffset) this.skipFirstHole();
  }

  /**
   * Give up every hole: report each as a gap and deliver what was held after it,
   * up to the FIN if one was seen. For a connection's end (FIN, RST, capture end).
   */
  flush(frame: number, timeNs: bigint): void {
    while (this.held > 0) this.skipFirstHole();
    if (this.finOffset > this.delivered) {
      const missing = this.finOffset - this.delivered;
      this.advance(missing);
      this.sink.gap(this.dir, missing, frame, timeNs);
    }
  }

  /** `length` bytes at `rel` from the next expected byte: `data[start, start + length)`, or lost (`data` null). */
  private accept(rel: number, data: Uint8Array | null, start: number, length: number, frame: number, timeNs: bigint): void {
    if (rel + length <= 0) return; // all of it delivered already (retransmission)
    if (rel < 0) {
      // starts before the next expected byte: the earlier copy won, keep the new tail
      start -= rel;
      length += rel;
      rel = 0;
    }
    if (rel === 0) {
      this.advance(length);
      this.emit(data, start, length, frame, timeNs);
      this.drain(frame, timeNs);
    } else {
      this.hold(this.delivered + rel, data === null ? null : data.subarray(start, start + length), length, frame, timeNs);
    }
  }

  private emit(data: Uint8Array | null, start: number, length: number, frame: number, timeNs: bigint): void {
    if (data === null) this.sink.gap(this.dir, length, frame, timeNs);
    else this.sink.data(this.dir, data, start, start + length, frame, timeNs);
  }

  private advance(n: number): void {
    this.delivered += n;
    this.nextSeq = (this.nextSeq + n) >>> 0;
  }

  /**
   * Deliver the held pieces that have become contiguous: as of `frame` when it
   * filled the hole before them; as of their own frames (no `frame`) after a gap.
   */
  private drain(frame?: number, timeNs?: bigint): void {
    if (this.held === 0) return;
    const pieces = this.pieces;
    let n = 0;
    while (n < pieces.length && pieces[n]!.offset <= this.delivered) {
      const p = pieces[n++]!;
      if (p.data !== null) {
        this.bufferedBytes -= p.length;
        this.account.bytes -= p.length;
      }
      const skip = this.delivered - p.offset;
      if (skip >= p.length) continue;
      const length = p.length - skip;
      this.advance(length);
      this.emit(p.data, skip, length, frame ?? p.frame, timeNs ?? p.timeNs);
    }
    // One removal for the whole run (shift() per piece is quadratic on long queues).
    if (n > 0) {
      pieces.splice(0, n);
      this.held = pieces.length;
    }
  }

  /** Report the first hole as a gap (at the frame after it) and deliver what follows it. */
  private skipFirstHole(): void {
    const first = this.pieces[0];
    if (first === undefined) return;
    const missing = first.offset - this.delivered;
    if (missing > 0) {
      this.advance(missing);
      this.sink.gap(this.dir, missing, first.frame, first.timeNs);
    }
    this.drain();
  }

  /** Hold [offset, offset+length) out of order, keeping only bytes no earlier piece covers. */
  private hold(offset: number, data: Uint8Array | null, length: number, frame: number, timeNs: bigint): void {
    const pieces = this.pieces;
    const end = offset + length;
    // Most out-of-order data lands after everything held: search from the back.
    let i = pieces.length;
    while (i > 0 && pieces[i - 1]!.offset + pieces[i - 1]!.length > offset) i--;
    let pos = offset;
    while (pos < end) {
      const next = pieces[i];
      if (next === undefined || next.offset >= end) {
        this.insertPiece(i, pos, end, offset, data, frame, timeNs);
        break;
      }
      if (next.offset > pos) {
        this.insertPiece(i, pos, next.offset, offset, data, frame, timeNs);
        i++;
      }
      const nextEnd = next.offset + next.length;
      if (nextEnd > pos) pos = nextEnd;
      i++;
    }
  }

  private insertPiece(
    at: number, from: number, to: number, dataOffset: number, data: Uint8Array | null, frame: number, timeNs: bigint,
  ): void {
    const length = to - from;
    const copy = data === null ? null : data.slice(from - dataOffset, to - dataOffset);
    const piece: Piece = { offset: from, length, data: copy, frame, timeNs };
    if (at === this.pieces.length) this.pieces.push(piece);
    else this.pieces.splice(at, 0, piece);
    this.held = this.pieces.length;
    if (copy !== null) {
      this.bufferedBytes += length;
      this.account.bytes += length;
    }
  }
}
