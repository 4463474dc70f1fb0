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

export class HandshakeReassembler {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Frames with the buffer offset their bytes end at (absolute in `buf`). */
  private segFrames: number[] = [];
  private segEnds: number[] = [];

  /** Bytes of an incomplete message waiting for more records. */
  get pending(): number {
    return this.end - this.start;
  }

  /** Drop whatever is partial (gap, lost sync, encryption started). */
  reset(): void {
    this.start = 0;
    this.end = 0;
    this.segFrames.length = 0;
    this.segEnds.length = 0;
  }

  /**
   * Append a record fragment. `frames`/`fragmentEnds` say which frame carried
   * which part of it (fragment offsets where each frame's bytes end).
   */
  append(fragment: Uint8Array, frames: readonly number[], fragmentEnds: readonly number[], frameCount = frames.length): void {
    if (this.start === this.end) this.reset();
    else if (this.start > 0) this.compact();
    const need = this.end + fragment.length;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2, 4096));
      grown.set(this.buf.subarray(0, this.end));
      this.buf = grown;
    }
    this.buf.set(fragment, this.end);
    const base = this.end;
    for (let k = 0; k < frameCount; k++) {
      const end = base + fragmentEnds[k]!;
      if (end <= base && k < frameCount - 1) continue; // a frame that carried only the record header
      const last = this.segFrames.length - 1;
      if (last >= 0 && this.segFrames[last] === frames[k]) this.segEnds[last] = Math.max(this.segEnds[last]!, end);
      else {
        this.segFrames.push(frames[k]!);
        this.segEnds.push(end);
      }
    }
    this.end = need;
  }

  /** The type byte of the next message, if at least one byte is buffered. */
  peekType(): number | undefined {
    return this.start < this.end ? this.buf[this.start] : undefined;
  }

  /** The next complete message, or null (need more bytes). Throws RangeError if its length is refused. */
  next(): CompletedHandshake | null {
    const avail = this.end - this.start;
    if (avail < 4) return null;
    const b = this.buf;
    const s = this.start;
    const length = (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!;
    if (length > MAX_HANDSHAKE_MESSAGE) throw new RangeError(`handshake length ${length} too large`);
    if (avail < 4 + length) return null;
    const e = s + 4 + length;
    const frames: number[] = [];
    let prevEnd = 0;
    for (let k = 0; k < this.segFrames.length; k++) {
      const segEnd = this.segEnds[k]!;
      if (segEnd > s && prevEnd < e && frames[frames.length - 1] !== this.segFrames[k]) frames.push(this.segFrames[k]!);
      prevEnd = segEnd;
      if (segEnd >= e) break;
    }
    this.start = e;
    return { msgType: b[s]!, raw: b.slice(s, e), length, frames };
  }

  private compact(): void {
    const s = this.start;
    this.buf.copyWithin(0, s, this.end);
    this.end -= s;
    this.start = 0;
    let keep = 0;
    for (let k = 0; k < this.segFrames.length; k++) {
      const e = this.segEnds[k]! - s;
      if (e <= 0) continue;
      this.segFrames[keep] = this.segFrames[k]!;
      this.segEnds[keep] = e;
      keep++;
    }
    this.segFrames.length = keep;
    this.segEnds.length = keep;
  }
}
