/**
 * Reassembles one direction's handshake messages from the fragments of
 * successive handshake records (RFC 8446 5.1: "Handshake messages MAY be
 * coalesced into a single TLSPlaintext record or fragmented across several
 * records"), remembering which frames carried which bytes.
 *
 * Memory grows only with bytes actually received, and a message longer than
 * MAX_HANDSHAKE_MESSAGE is refused.
 */
export const MAX_HANDSHAKE_MESSAGE = 1 << 24; // the uint24 length field's own bound

export interface CompletedHandshake {
  msgType: number;
  /** Header plus body, a copy. */
  raw: Uint8Array;
  /** The length field. */
  length: number;
  frames: number[];
}

/** Shared by every reassembler until it needs a buffer of its own (never written: length 0). */
const NO_BYTES = new Uint8Array(0);

export interface HandshakeReassemblerOptions {
  /**
   * Whether `raw` of a completed message is a copy (default). When false it is a
   * view valid only until the next call on this reassembler: for consumers that
   * read it during the call and keep nothing.
   */
  copyRaw?: boolean;
}

/** What `next` returns, refilled each time (one object per message was garbage only). */
const completed: CompletedHandshake = { msgType: 0, raw: NO_BYTES, length: 0, frames: [] };

/** The last single-frame list handed out: the messages of one frame share it (never written). */
let lastFrameList: number[] = [0];

function sharedFrameList(frame: number): number[] {
  if (lastFrameList[0] !== frame) lastFrameList = [frame];
  return lastFrameList;
}

export class HandshakeReassembler {
  /** Own buffer of bytes carried over between records (allocated on first need). */
  private own: Uint8Array = NO_BYTES;
  /**
   * Where the pending bytes are: `own`, or (borrowed, the hot path) the
   * fragment just appended when nothing was pending, read in place until `next`
   * returns null, which copies what is left into `own`.
   */
  private buf: Uint8Array = this.own;
  private borrowed = false;
  private start = 0;
  private end = 0;
  /**
   * Frames with the buffer offset their bytes end at (absolute in `buf`): the
   * first `segCount` entries. Reused, never truncated: a list emptied by
   * `length = 0` loses its storage and the next push allocates room for 17.
   */
  private segFrames: number[] = [0, 0];
  private segEnds: number[] = [0, 0];
  private segCount = 0;

  private readonly copyRaw: boolean;

  constructor(options: HandshakeReassemblerOptions = {}) {
    this.copyRaw = options.copyRaw ?? true;
  }

  /** Bytes of an incomplete message waiting for more records. */
  get pending(): number {
    return this.end - this.start;
  }

  /** Drop whatever is partial (gap, lost sync, encryption started). */
  reset(): void {
    this.buf = this.own;
    this.borrowed = false;
    this.start = 0;
    this.end = 0;
    this.segCount = 0;
    // A long message across many frames grew them: give that room back.
    if (this.segFrames.length > 64) {
      this.segFrames = [0, 0];
      this.segEnds = [0, 0];
    }
  }

  /**
   * Append a record fragment. `frames`/`fragmentEnds` say which frame carried
   * which part of it (fragment offsets where each frame's bytes end).
   *
   * The fragment is lent, not copied, when nothing is pending: call `next`
   * until it returns null (or `reset`) before its bytes change.
   */
  append(fragment: Uint8Array, frames: readonly number[], fragmentEnds: readonly number[], frameCount = frames.length): void {
    this.appendBytes(fragment, 0, fragment.length, frames, fragmentEnds, frameCount);
  }

  /**
   * `append` for the fragment `source[from, to)`, read in place (no view of it
   * made: a framed record's fragment is a range of the framer's or the
   * capture's bytes, one view per handshake record saved). Frame ends are
   * fragment offsets, as for `append`.
   */
  appendBytes(source: Uint8Array, from: number, to: number, frames: readonly number[], fragmentEnds: readonly number[], frameCount: number): void {
    const length = to - from;
    if (this.start === this.end) {
      this.reset();
      // Borrowed in place: the pending bytes are source[from, to), buffer offsets absolute in it.
      this.buf = source;
      this.borrowed = true;
      this.start = from;
      this.end = from;
    } else {
      if (this.borrowed) this.adopt(); // (a caller that did not drain: keep its bytes all the same)
      if (this.start > 0) this.compact();
      const need = this.end + length;
      if (need > this.own.length) {
        const grown = new Uint8Array(Math.max(need, this.own.length * 2, 4096));
        grown.set(this.own.subarray(0, this.end));
        this.own = grown;
      }
      this.own.set(from === 0 && to === source.length ? source : source.subarray(from, to), this.end);
      this.buf = this.own;
    }
    const base = this.end;
    const need = base + length;
    for (let k = 0; k < frameCount; k++) {
      const end = base + fragmentEnds[k]!;
      if (end <= base && k < frameCount - 1) continue; // a frame that carried only the record header
      const last = this.segCount - 1;
      if (last >= 0 && this.segFrames[last] === frames[k]) this.segEnds[last] = Math.max(this.segEnds[last]!, end);
      else {
        this.segFrames[this.segCount] = frames[k]!;
        this.segEnds[this.segCount] = end;
        this.segCount++;
      }
    }
    this.end = need;
  }

  /** The type byte of the next message, if at least one byte is buffered. */
  peekType(): number | undefined {
    return this.start < this.end ? this.buf[this.start] : undefined;
  }

  /**
   * The next complete message, or null (need more bytes). Throws RangeError if
   * its length is refused. The object returned is shared and refilled by the
   * next call on any reassembler: read its fields, keep none of it.
   */
  next(): CompletedHandshake | null {
    const avail = this.end - this.start;
    if (avail < 4) return this.needMore();
    const b = this.buf;
    const s = this.start;
    const length = (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!;
    if (length > MAX_HANDSHAKE_MESSAGE) throw new RangeError(`handshake length ${length} too large`);
    if (avail < 4 + length) return this.needMore();
    const e = s + 4 + length;
    const frames = this.framesOf(s, e);
    this.start = e;
    const done = completed;
    done.msgType = b[s]!;
    done.raw = this.copyRaw ? b.slice(s, e) : b.subarray(s, e);
    done.length = length;
    done.frames = frames;
    return done;
  }

  /**
   * The frames that carried buffer bytes [s, e), in order. Every message keeps
   * its list (read-only) as long as its session lives: a list as long as its
   * frames, and one list shared by the messages of one frame (most of them),
   * not a list grown by `push` (room for 17) per message.
   */
  private framesOf(s: number, e: number): number[] {
    const segFrames = this.segFrames;
    const segEnds = this.segEnds;
    let first = -1;
    let last = -1;
    let count = 0;
    let prevEnd = 0;
    let prevFrame = -1;
    for (let k = 0; k < this.segCount; k++) {
      const segEnd = segEnds[k]!;
      if (segEnd > s && prevEnd < e && (count === 0 || prevFrame !== segFrames[k])) {
        if (count === 0) first = k;
        last = k;
        prevFrame = segFrames[k]!;
        count++;
      }
      prevEnd = segEnd;
      if (segEnd >= e) break;
    }
    if (count === 0) return [];
    if (count === 1) return sharedFrameList(segFrames[first]!);
    const frames = new Array<number>(count);
    let n = 0;
    prevEnd = 0;
    for (let k = first; k <= last; k++) {
      const segEnd = segEnds[k]!;
      if (segEnd > s && (k === first ? true : prevEnd < e) && (n === 0 || frames[n - 1] !== segFrames[k])) frames[n++] = segFrames[k]!;
      prevEnd = segEnd;
    }
    return frames;
  }

  /** No complete message is buffered: a borrowed fragment's rest moves into `own`, as the lender will reuse it. */
  private needMore(): null {
    if (this.borrowed) this.adopt();
    return null;
  }

  private adopt(): void {
    const rest = this.end - this.start;
    if (rest === 0) {
      this.reset();
      return;
    }
    if (this.own.length < rest) this.own = new Uint8Array(Math.max(rest, 4096));
    this.own.set(this.buf.subarray(this.start, this.end), 0);
    this.buf = this.own;
    this.borrowed = false;
    this.shiftSegments(this.start);
    this.end = rest;
    this.start = 0;
  }

  private compact(): void {
    const s = this.start;
    this.own.copyWithin(0, s, this.end);
    this.end -= s;
    this.start = 0;
    this.shiftSegments(s);
  }

  /** Frame ends are offsets in the buffer: after `s` bytes left it, drop the frames that ended there. */
  private shiftSegments(s: number): void {
    let keep = 0;
    for (let k = 0; k < this.segCount; k++) {
      const e = this.segEnds[k]! - s;
      if (e <= 0) continue;
      this.segFrames[keep] = this.segFrames[k]!;
      this.segEnds[keep] = e;
      keep++;
    }
    this.segCount = keep;
  }
}
