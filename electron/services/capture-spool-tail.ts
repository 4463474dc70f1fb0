/**
 * Follows the spool file the capture helper writes (as Wireshark follows
 * dumpcap's file): reads what was appended since the last look and hands on
 * whole pcapng blocks only, so the push reader never sees the half-written
 * block at the end of a growing file.
 *
 * Block framing (draft-ietf-opsawg-pcapng, 3.1), enough to find the ends:
 *
 *   0 | Block Type | 4 | Block Total Length | 8 / Block Body ... / Block Total Length
 *
 * The byte order is the Section Header Block's (type 0x0A0D0D0A, its
 * Byte-Order Magic 0x1A2B3C4D at offset 8); the helper writes little-endian,
 * but a section in either order frames correctly. A length no block can have
 * (under 12, not a multiple of 4) is passed on as it is: the reader stops
 * there and says why.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';

const SHB_TYPE = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MIN_BLOCK = 12;
/** At most this much is read (and held) at a time. */
const READ_BYTES = 1 << 20;
/** A longer "block" is not one the helper wrote (an EPB holds at most 65535 bytes of packet); one read holds any real one. */
const MAX_BLOCK = READ_BYTES;

export class SpoolTail {
  private readonly fd: number;
  /** End of the last whole block handed on. */
  private delivered = 0;
  private littleEndian = true;
  /** Set when the bytes stopped being framable: all of it was handed on, nothing more is read. */
  private broken = false;
  private closed = false;

  /** Opens `path` to follow (read-write, so that `trimPartialBlock` can cut a killed writer's last block). */
  constructor(readonly path: string, private readonly onBlocks: (bytes: Uint8Array) => void) {
    this.fd = openSync(path, 'r+');
  }

  /** Bytes of whole blocks handed on so far. */
  get offset(): number {
    return this.delivered;
  }

  /** Bytes in the file not handed on yet (a partial block, or blocks not read yet). */
  get behind(): number {
    return Math.max(0, fstatSync(this.fd).size - this.delivered);
  }

  /**
   * Reads whole blocks appended since the last call, for at most `budgetMs`
   * (so a flood does not freeze the event loop). Returns true when it stopped
   * on the budget with more to read.
   */
  readAvailable(budgetMs: number): boolean {
    if (this.closed || this.broken) return false;
    const deadline = performance.now() + budgetMs;
    for (;;) {
      const available = fstatSync(this.fd).size - this.delivered;
      if (available < MIN_BLOCK) return false;
      const want = Math.min(available, READ_BYTES);
      const chunk = new Uint8Array(want);
      const got = readSync(this.fd, chunk, 0, want, this.delivered);
      const whole = this.wholeBlocks(chunk, got);
      if (whole === 0) return false;
      this.delivered += whole;
      this.onBlocks(whole === chunk.length ? chunk : chunk.subarray(0, whole));
      if (this.broken) return false;
      if (performance.now() >= deadline) return fstatSync(this.fd).size - this.delivered >= MIN_BLOCK;
    }
  }

  /**
   * After the writer ended: cuts a partial block off the end of the file (a
   * writer killed mid-write leaves one), so that the file reads to its end in
   * any reader. Returns the bytes removed.
   */
  trimPartialBlock(): number {
    if (this.closed || this.broken) return 0;
    const extra = fstatSync(this.fd).size - this.delivered;
    if (extra <= 0) return 0;
    ftruncateSync(this.fd, this.delivered);
    return extra;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** Length of the whole blocks at the start of chunk[0, length). */
  private wholeBlocks(chunk: Uint8Array, length: number): number {
    const view = new DataView(chunk.buffer, chunk.byteOffset, length);
    let pos = 0;
    while (length - pos >= MIN_BLOCK) {
      const type = view.getUint32(pos, this.littleEndian);
      if (type === SHB_TYPE) {
        // The SHB's type reads the same in both orders; its magic says which order follows.
        const magic = view.getUint32(pos + 8, true);
        if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
        else if (view.getUint32(pos + 8, false) === BYTE_ORDER_MAGIC) this.littleEndian = false;
        else return this.giveUp(length);
      }
      const blockLength = view.getUint32(pos + 4, this.littleEndian);
      if (blockLength < MIN_BLOCK || blockLength % 4 !== 0 || blockLength > MAX_BLOCK) return this.giveUp(length);
      if (length - pos < blockLength) break;
      pos += blockLength;
    }
    return pos;
  }

  /** Not pcapng the helper could have written: hand everything on, the reader reports where it broke. */
  private giveUp(length: number): number {
    this.broken = true;
    return length;
  }
}
