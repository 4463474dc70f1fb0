/**
 * A pcapng file written as packets arrive (capture spool, proxy sessions,
 * "save"): the core's PcapngWriter makes the blocks, this puts them in a file
 * through a write stream, so the file is valid pcapng after every block.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import {
  PcapngWriter,
  type InterfaceDescription,
  type PacketToWrite,
  type SectionHeaderOptions,
} from '../core/capture/pcapng-writer';

export class PcapngFileWriter {
  private readonly blocks: PcapngWriter;
  private failure: Error | null = null;

  private constructor(
    private readonly stream: WriteStream,
    littleEndian: boolean,
  ) {
    this.blocks = new PcapngWriter(littleEndian);
    stream.on('error', (e) => {
      this.failure ??= e;
    });
  }

  /** Creates (truncates) `path` and writes the Section Header Block. Rejects if the file cannot be opened. */
  static async open(path: string, section: SectionHeaderOptions = {}, littleEndian = true): Promise<PcapngFileWriter> {
    const stream = createWriteStream(path, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    const writer = new PcapngFileWriter(stream, littleEndian);
    writer.write(writer.blocks.sectionHeader(section));
    return writer;
  }

  /** Writes an Interface Description Block; returns the id packets of that interface use. */
  addInterface(description: InterfaceDescription): number {
    const { id, block } = this.blocks.interfaceDescription(description);
    this.write(block);
    return id;
  }

  /** Writes an Enhanced Packet Block. Returns false when the OS buffer is full (await `drained()` to slow down). */
  writePacket(packet: PacketToWrite): boolean {
    return this.write(this.blocks.enhancedPacket(packet));
  }

  /** Writes a Decryption Secrets Block (default: TLS key log lines). */
  writeSecrets(data: Uint8Array | string, secretsType?: number): boolean {
    return this.write(this.blocks.decryptionSecrets(data, secretsType));
  }

  /** Resolves once buffered blocks are handed to the OS. */
  drained(): Promise<void> {
    if (!this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.stream.once('drain', () => resolve()));
  }

  /** Flushes and closes; rejects with the first write error, if any. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    if (this.failure) throw this.failure;
  }

  private write(block: Uint8Array): boolean {
    if (this.failure) throw this.failure;
    return this.stream.write(block);
  }
}
