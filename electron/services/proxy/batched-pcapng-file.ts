/**
 * A pcapng file for busy recorders: blocks are gathered in 256 KiB batches
 * and handed to the OS once per full batch, or FLUSH_DELAY_MS after the first
 * block of a partial one, not one write per packet or per event-loop turn.
 * Enhanced Packet Blocks (with or without a comment) and Decryption Secrets
 * Blocks are encoded here directly into the batch (no allocation per block,
 * the same bytes PcapngWriter makes); every other block
 * comes from the core's PcapngWriter. A full batch is written at once (to the
 * page cache) and the same batch refilled (not zero-filled: every byte is
 * written before it is used), so a busy proxy allocates none. The file is
 * valid pcapng after every flush.
 *
 * With the relay addon, the file's pages leave the page cache behind the
 * writes (writeBehind, every WRITE_BEHIND_BYTES written): on this project's
 * virtual machine a growing page cache took pages the hypervisor had to map
 * in again, ~2 ms of system time per MB written, most of the passthrough
 * proxy's CPU per MB relayed; a few MB of recycled pages cost ~0.2.
 */
import { close as closeFile, open as openFile, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { BlockType, SecretsType } from '../../core/capture/pcapng-block-types';
import { PcapngWriter, type InterfaceDescription, type SectionHeaderOptions } from '../../core/capture/pcapng-writer';
import { nativeWriteBehind, type SegmentEncoder, type WriteBehind } from './native-tunnel-relay';

const BATCH_BYTES = 256 * 1024;
/** Ready-made blocks (appendBlocks) from this size on are written where they are, not copied into the batch. */
const DIRECT_WRITE_BYTES = 64 * 1024;
/** Longest time a block waits in a partial batch (a live reader of the file sees it this late at most). */
const FLUSH_DELAY_MS = 50;
const ENHANCED_PACKET_BLOCK = 0x00000006;
const OPT_COMMENT = 1;
const utf8 = new TextEncoder();
/**
 * Written bytes per writeBehind step: a window's writeback starts when it is
 * written, and it leaves the cache one window later (then long on disk:
 * dropping waits for pages still being written).
 */
const WRITE_BEHIND_BYTES = 8 * 1024 * 1024;

export class BatchedPcapngFile {
  private readonly blocks = new PcapngWriter(true);
  /** The batch refilled after every write (one block too large for it gets one of its own, once). */
  private readonly regular: Uint8Array = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private batch: Uint8Array = this.regular;
  private view = new DataView(this.batch.buffer, this.batch.byteOffset, this.batch.byteLength);
  private used = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly flushLater = (): void => {
    this.flushTimer = null;
    this.flush();
  };
  private failure: Error | null = null;
  private lastTimestampNs = -1n;
  private timestampHigh = 0;
  private timestampLow = 0;
  /** Bytes written to the file. */
  private written = 0;
  /** The file's writeback was started up to here, and its pages dropped up to here. */
  private writebackStarted = 0;
  private dropped = 0;
  /** A writeBehind is running (the next waits; the descriptor must outlive it). */
  private writingBehind: Promise<void> | null = null;

  private constructor(private readonly fd: number, private readonly writeBehind: WriteBehind | null) {}

  /** `writeBehind`: the addon's by default; null keeps every written page cached (the OS decides). */
  static async open(path: string, section: SectionHeaderOptions, iface: InterfaceDescription,
    writeBehind: WriteBehind | null = nativeWriteBehind()): Promise<BatchedPcapngFile> {
    const file = new BatchedPcapngFile(await promisify(openFile)(path, 'w'), writeBehind);
    file.append(file.blocks.sectionHeader(section));
    // if_tsresol 9: timestamps in nanoseconds, as the EPBs below write them.
    file.append(file.blocks.interfaceDescription({ ...iface, tsresol: 9 }).block);
    return file;
  }

  /**
   * Enhanced Packet Block on interface 0 (nanosecond timestamps), encoded
   * straight into the batch (the same bytes PcapngWriter.enhancedPacket makes):
   *  0 | Block Type = 6 | 4 | Block Total Length | 8 | Interface ID | 12 | Timestamp (High) | 16 | Timestamp (Low) |
   * 20 | Captured Packet Length | 24 | Original Packet Length | 28 / Packet Data (padded) / Options / | Block Total Length
   */
  packet(data: Uint8Array, timestampNs: bigint, comment?: string): void {
    // Options (with a comment): opt_comment (1) | length | UTF-8 (padded) | opt_endofopt (0) | 0
    const text = comment === undefined ? null : utf8.encode(comment);
    if (text && text.length > 0xffff) throw new RangeError('packet comment is longer than 65535 bytes');
    const optionBytes = text ? 4 + ((text.length + 3) & ~3) + 4 : 0;
    const padded = (data.length + 3) & ~3;
    const total = 32 + padded + optionBytes;
    this.reserve(total);
    const v = this.view;
    const at = this.used;
    v.setUint32(at, ENHANCED_PACKET_BLOCK, true);
    v.setUint32(at + 4, total, true);
    v.setUint32(at + 8, 0, true);
    this.splitTimestamp(timestampNs);
    v.setUint32(at + 12, this.timestampHigh, true);
    v.setUint32(at + 16, this.timestampLow, true);
    v.setUint32(at + 20, data.length, true);
    v.setUint32(at + 24, data.length, true);
    const b = this.batch;
    b.set(data, at + 28);
    // At most 3 bytes of padding: a loop, not a TypedArray#fill call per packet.
    for (let i = at + 28 + data.length; i < at + 28 + padded; i++) b[i] = 0;
    if (text) {
      const o = at + 28 + padded;
      v.setUint16(o, OPT_COMMENT, true);
      v.setUint16(o + 2, text.length, true);
      this.batch.set(text, o + 4);
      this.batch.fill(0, o + 4 + text.length, o + optionBytes);
    }
    v.setUint32(at + 28 + padded + optionBytes, total, true);
    this.used += total;
    this.scheduleFlush();
  }

  /**
   * The Enhanced Packet Blocks of a run of TCP segments (see SegmentRunSink),
   * encoded by `encode` straight into the batch: the same bytes `packet` makes
   * for each frame. `onFrame` (optional) then gets each frame, valid only
   * during the call. Returns the number of frames.
   */
  packetRun(encode: SegmentEncoder, headers: Uint8Array, headerLength: number, linkHeaderLength: number, payload: Uint8Array, mss: number,
    timestampNs: bigint, onFrame?: (frame: Uint8Array) => void): number {
    const full = Math.floor(payload.length / mss);
    const rest = payload.length - full * mss;
    const need = full * (32 + ((headerLength + mss + 3) & ~3)) + (rest ? 32 + ((headerLength + rest + 3) & ~3) : 0);
    this.reserve(need);
    this.splitTimestamp(timestampNs);
    const start = this.used;
    this.used += encode(this.batch, start, headers, linkHeaderLength, payload, mss, this.timestampHigh, this.timestampLow);
    this.scheduleFlush();
    const frames = full + (rest ? 1 : 0);
    if (onFrame) {
      const v = this.view;
      for (let at = start; at < this.used; at += v.getUint32(at + 4, true)) onFrame(this.batch.subarray(at + 28, at + 28 + v.getUint32(at + 20, true)));
    }
    return frames;
  }

  /**
   * Ready-made blocks (the native relay's recorded tunnels, leg_recording.c),
   * copied into the batch as they are. Only whole blocks are taken (each
   * `Block Total Length` at offset 4, a multiple of 4, within `blocks`): a
   * malformed tail is dropped, not written. Returns how many of them are
   * Enhanced Packet Blocks (frames).
   */
  appendBlocks(blocks: Uint8Array): number {
    let frames = 0;
    let end = 0;
    // Read byte by byte (little-endian): a DataView per call would be an allocation per relay event.
    while (end + 12 <= blocks.length) {
      const total = (blocks[end + 4]! | (blocks[end + 5]! << 8) | (blocks[end + 6]! << 16) | (blocks[end + 7]! << 24)) >>> 0;
      if (total < 12 || (total & 3) !== 0 || total > blocks.length - end) break;
      if (blocks[end] === ENHANCED_PACKET_BLOCK && blocks[end + 1] === 0 && blocks[end + 2] === 0 && blocks[end + 3] === 0) frames++;
      end += total;
    }
    if (end === 0) return 0;
    if (end >= DIRECT_WRITE_BYTES) {
      // A large run (a relayed 64 KiB read, on both legs) is written from where it is, after the batch: one copy
      // of every relayed byte less (twice over: both legs), as much as the whole recording costs in user time.
      this.flush();
      if (!this.failure) this.writeOut(blocks, end);
      return frames;
    }
    this.append(end === blocks.length ? blocks : blocks.subarray(0, end));
    return frames;
  }

  /**
   * Decryption Secrets Block (TLS key log lines), encoded straight into the batch:
   *  0 | Block Type = 0x0A | 4 | Block Total Length | 8 | Secrets Type = "TLSK" | 12 | Secrets Length |
   * 16 / Secrets Data (padded) / | Block Total Length
   */
  secrets(text: string): void {
    const length = Buffer.byteLength(text, 'utf8');
    const padded = (length + 3) & ~3;
    const total = 16 + padded + 4;
    this.reserve(total);
    const v = this.view;
    const at = this.used;
    v.setUint32(at, BlockType.DECRYPTION_SECRETS, true);
    v.setUint32(at + 4, total, true);
    v.setUint32(at + 8, SecretsType.TLS_KEY_LOG, true);
    v.setUint32(at + 12, length, true);
    utf8.encodeInto(text, this.batch.subarray(at + 16, at + 16 + length));
    this.batch.fill(0, at + 16 + length, at + 16 + padded);
    v.setUint32(at + 16 + padded, total, true);
    this.used += total;
    this.scheduleFlush();
  }

  async close(): Promise<void> {
    this.flush();
    await this.writingBehind;
    await promisify(closeFile)(this.fd);
    if (this.failure) throw this.failure;
  }

  private append(block: Uint8Array): void {
    this.reserve(block.length);
    this.batch.set(block, this.used);
    this.used += block.length;
    this.scheduleFlush();
  }

  /** timestampHigh/Low of `timestampNs`; the packets of one event share its time: split it once. */
  private splitTimestamp(timestampNs: bigint): void {
    if (timestampNs === this.lastTimestampNs) return;
    this.lastTimestampNs = timestampNs;
    this.timestampHigh = Number(timestampNs >> 32n);
    this.timestampLow = Number(timestampNs & 0xffffffffn);
  }

  private reserve(n: number): void {
    if (this.used + n <= this.batch.length) return;
    this.flush();
    if (n > this.batch.length) this.useBatch(Buffer.allocUnsafeSlow(n));
  }

  private useBatch(batch: Uint8Array): void {
    this.batch = batch;
    this.view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  }

  private scheduleFlush(): void {
    if (this.flushTimer === null) this.flushTimer = setTimeout(this.flushLater, FLUSH_DELAY_MS);
  }

  private flush(): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.used === 0) return;
    // Written at once, from the one batch: handing batches to libuv's pool meant a fresh batch whenever the
    // pool lagged (external memory, which drove V8 into full collections: ~400 per 128 MB relayed), and a
    // wake-up of a pool thread and of the loop per write. Appending to the page cache does not wait for the
    // disk (writeBehind keeps the dirty pages few, so the kernel has no reason to throttle this thread).
    // A broken file (disk full, removed): the batch is dropped; close() reports the failure.
    if (!this.failure) this.writeOut(this.batch, this.used);
    this.used = 0;
    if (this.batch !== this.regular) this.useBatch(this.regular);
  }

  /** Writes `bytes`' first `length` bytes to the file now; a failure is kept for close(). */
  private writeOut(bytes: Uint8Array, length: number): void {
    try {
      for (let at = 0; at < length; ) at += writeSync(this.fd, bytes, at, length - at);
      this.wrote(length);
    } catch (e) {
      this.failure ??= e instanceof Error ? e : new Error(String(e));
    }
  }

  /** `length` more bytes are in the file: every WRITE_BEHIND_BYTES, the next window's writeback starts and the one before leaves the cache. */
  private wrote(length: number): void {
    this.written += length;
    if (!this.writeBehind || this.writingBehind || this.written - this.writebackStarted < WRITE_BEHIND_BYTES) return;
    const [startFrom, startTo, dropFrom, dropTo] = [this.writebackStarted, this.written, this.dropped, this.writebackStarted];
    this.writebackStarted = startTo;
    this.dropped = dropTo;
    const writeBehind = this.writeBehind;
    this.writingBehind = new Promise((resolve) => {
      // Its errno is not the recording's business: the bytes are in the file either way.
      writeBehind(this.fd, startFrom, startTo, dropFrom, dropTo, () => {
        this.writingBehind = null;
        resolve();
      });
    });
  }
}
