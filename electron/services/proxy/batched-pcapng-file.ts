/**
 * A pcapng file for busy recorders: blocks are gathered in 256 KiB batches
 * and handed to the OS once per batch (or once per event-loop turn), not one
 * write per packet. Enhanced Packet Blocks without options are encoded here
 * directly into the batch (no allocation per packet); every other block comes
 * from the core's PcapngWriter. The file is valid pcapng after every flush.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { PcapngWriter, type InterfaceDescription, type SectionHeaderOptions } from '../../core/capture/pcapng-writer';

const BATCH_BYTES = 256 * 1024;
const ENHANCED_PACKET_BLOCK = 0x00000006;

export class BatchedPcapngFile {
  private readonly blocks = new PcapngWriter(true);
  private batch = new Uint8Array(BATCH_BYTES);
  private view = new DataView(this.batch.buffer);
  private used = 0;
  private flushScheduled = false;
  private failure: Error | null = null;

  private constructor(private readonly stream: WriteStream) {
    stream.on('error', (e) => {
      this.failure ??= e;
    });
  }

  static async open(path: string, section: SectionHeaderOptions, iface: InterfaceDescription): Promise<BatchedPcapngFile> {
    const stream = createWriteStream(path, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    const file = new BatchedPcapngFile(stream);
    file.append(file.blocks.sectionHeader(section));
    // if_tsresol 9: timestamps in nanoseconds, as the EPBs below write them.
    file.append(file.blocks.interfaceDescription({ ...iface, tsresol: 9 }).block);
    return file;
  }

  /**
   * Enhanced Packet Block on interface 0 (nanosecond timestamps):
   *  0 | Block Type = 6 | 4 | Block Total Length | 8 | Interface ID | 12 | Timestamp (High) | 16 | Timestamp (Low) |
   * 20 | Captured Packet Length | 24 | Original Packet Length | 28 / Packet Data (padded) / | Block Total Length
   */
  packet(data: Uint8Array, timestampNs: bigint, comment?: string): void {
    if (comment !== undefined) {
      this.append(this.blocks.enhancedPacket({ interfaceId: 0, timestampNs, data, comment }));
      return;
    }
    const padded = (data.length + 3) & ~3;
    const total = 32 + padded;
    this.reserve(total);
    const v = this.view;
    const at = this.used;
    v.setUint32(at, ENHANCED_PACKET_BLOCK, true);
    v.setUint32(at + 4, total, true);
    v.setUint32(at + 8, 0, true);
    v.setUint32(at + 12, Number(timestampNs >> 32n), true);
    v.setUint32(at + 16, Number(timestampNs & 0xffffffffn), true);
    v.setUint32(at + 20, data.length, true);
    v.setUint32(at + 24, data.length, true);
    this.batch.set(data, at + 28);
    this.batch.fill(0, at + 28 + data.length, at + 28 + padded);
    v.setUint32(at + 28 + padded, total, true);
    this.used += total;
    this.scheduleFlush();
  }

  /** Decryption Secrets Block (TLS key log lines). */
  secrets(text: string): void {
    this.append(this.blocks.decryptionSecrets(text));
  }

  drained(): Promise<void> {
    if (!this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.stream.once('drain', () => resolve()));
  }

  async close(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    if (this.failure) throw this.failure;
  }

  private append(block: Uint8Array): void {
    this.reserve(block.length);
    this.batch.set(block, this.used);
    this.used += block.length;
    this.scheduleFlush();
  }

  private reserve(n: number): void {
    if (this.used + n <= this.batch.length) return;
    this.flush();
    if (n > this.batch.length) {
      this.batch = new Uint8Array(n);
      this.view = new DataView(this.batch.buffer);
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.used === 0) return;
    if (this.failure) throw this.failure;
    // The stream keeps the chunk until written: hand it this batch and start a new one.
    this.stream.write(this.batch.subarray(0, this.used));
    this.batch = new Uint8Array(Math.max(BATCH_BYTES, this.batch.length));
    this.view = new DataView(this.batch.buffer);
    this.used = 0;
  }
}
