/**
 * The capture helper's output: a pcapng stream (SHB, one IDB, then EPBs) built
 * in a staging buffer and handed out in batches, as dumpcap writes to its pipe.
 *
 * The section header and interface block come from the core's PcapngWriter;
 * Enhanced Packet Blocks, the hot path, are encoded here in place (no
 * allocation per packet), in the same layout (draft-ietf-opsawg-pcapng 4.3):
 *
 *   0 | Block Type = 6 | 4 | Block Total Length | 8 | Interface ID |
 *  12 | Timestamp (High) | 16 | Timestamp (Low) | 20 | Captured Packet Length |
 *  24 | Original Packet Length | 28 / Packet Data (padded to 32 bits) / Block Total Length
 *
 * Little-endian throughout; timestamps in nanoseconds (if_tsresol 9).
 */
import { PcapngWriter, type InterfaceDescription, type SectionHeaderOptions } from '../electron/core/capture/pcapng-writer';

const EPB_TYPE = 6;
const EPB_OVERHEAD = 32;
const DEFAULT_CAPACITY = 1 << 20;
const LOW_32 = 0xffffffffn;

export class PcapngStreamEncoder {
  private staging: Buffer;
  private length = 0;
  private packets = 0;

  constructor(
    /** Receives each batch (whole blocks) and how many packets it holds; the bytes are the receiver's to keep. */
    private readonly emit: (bytes: Buffer, packets: number) => void,
    private readonly capacity = DEFAULT_CAPACITY,
    /**
     * False when `emit` is done with the bytes once it returns (a synchronous
     * file write): the staging buffer is then reused, no allocation per batch.
     */
    private readonly receiverKeepsBatches = true,
  ) {
    this.staging = Buffer.allocUnsafe(capacity);
  }

  /** Bytes waiting for `flush()`. */
  get pending(): number {
    return this.length;
  }

  /** SHB and the IDB of the one interface (id 0); call once, first. */
  header(section: SectionHeaderOptions, iface: InterfaceDescription): void {
    const writer = new PcapngWriter(true);
    this.append(writer.sectionHeader(section));
    const idb = writer.interfaceDescription({ ...iface, tsresol: 9 });
    this.append(idb.block);
  }

  /** One Enhanced Packet Block of interface 0; `data[0, capturedLength)` is copied now. */
  packet(timestampNs: bigint, data: Uint8Array, capturedLength: number, originalLength: number): void {
    this.packetAt(Number(timestampNs >> 32n), Number(timestampNs & LOW_32), data, capturedLength, originalLength);
  }

  /** The same, with the timestamp as its two 32-bit halves (no BigInt on the capture hot path). */
  packetAt(tsHigh: number, tsLow: number, data: Uint8Array, capturedLength: number, originalLength: number): void {
    const padded = (capturedLength + 3) & ~3;
    const total = EPB_OVERHEAD + padded;
    if (this.length + total > this.capacity) this.flush();
    if (total > this.capacity) throw new RangeError(`packet of ${capturedLength} bytes exceeds the staging buffer`);
    const b = this.staging;
    let o = this.length;
    b.writeUInt32LE(EPB_TYPE, o);
    b.writeUInt32LE(total, o + 4);
    b.writeUInt32LE(0, o + 8);
    b.writeUInt32LE(tsHigh, o + 12);
    b.writeUInt32LE(tsLow, o + 16);
    b.writeUInt32LE(capturedLength, o + 20);
    b.writeUInt32LE(originalLength, o + 24);
    o += 28;
    if (Buffer.isBuffer(data)) data.copy(b, o, 0, capturedLength);
    else b.set(data.subarray(0, capturedLength), o);
    o += capturedLength;
    for (; o < this.length + 28 + padded; o++) b[o] = 0;
    b.writeUInt32LE(total, o);
    this.length = o + 4;
    this.packets++;
  }

  /** Hands out everything staged (nothing when empty). */
  flush(): void {
    if (this.length === 0) return;
    const out = this.staging.subarray(0, this.length);
    const packets = this.packets;
    if (this.receiverKeepsBatches) this.staging = Buffer.allocUnsafe(this.capacity);
    this.length = 0;
    this.packets = 0;
    this.emit(out, packets);
  }

  private append(block: Uint8Array): void {
    if (this.length + block.length > this.capacity) this.flush();
    this.staging.set(block, this.length);
    this.length += block.length;
  }
}
