import { ByteWriter } from '../bytes/byte-writer';
import { BlockType, IfOption, SecretsType, ShbOption } from './pcapng-block-types';
import { OPT_COMMENT, OPT_ENDOFOPT } from './pcapng-options';
import { unitsPerSecondOf } from './timestamp-converter';

export { SecretsType } from './pcapng-block-types';

/** Section Header Block options (shb_*). */
export interface SectionHeaderOptions {
  hardware?: string;
  os?: string;
  userAppl?: string;
  comment?: string;
}

/** An Interface Description Block. */
export interface InterfaceDescription {
  linkType: number;
  /** Default 262144 (as dumpcap). */
  snaplen?: number;
  name?: string;
  description?: string;
  /** if_tsresol byte; default 9 (nanoseconds), written as an option unless 6. */
  tsresol?: number;
  /** if_tsoffset in seconds (timestamps are written relative to it). */
  tsOffsetSeconds?: bigint;
  /** if_fcslen in bytes. */
  fcsBytes?: number;
}

/** An Enhanced Packet Block. */
export interface PacketToWrite {
  /** Id returned by `interfaceDescription` in the current section. */
  interfaceId: number;
  timestampNs: bigint;
  data: Uint8Array;
  /** Length on the wire; default `data.length`. */
  originalLength?: number;
  comment?: string;
}

interface WrittenInterface {
  unitsPerSecond: bigint;
  offsetNs: bigint;
}

const utf8 = new TextEncoder();
const NS_PER_SECOND = 1_000_000_000n;
const DEFAULT_SNAPLEN = 262_144;

/**
 * Builds pcapng blocks (draft-ietf-opsawg-pcapng) as byte arrays; writing
 * them anywhere is the caller's business (a file, a pipe, a spool). It
 * remembers the interfaces of the current section so that packets are written
 * in each interface's timestamp resolution.
 *
 * Every block:  Block Type | Block Total Length | Body (padded to 32 bits) | Block Total Length
 */
export class PcapngWriter {
  private interfaces: WrittenInterface[] = [];

  constructor(
    /** Byte order of everything written (pcapng readers accept both); default little-endian. */
    private readonly littleEndian = true,
  ) {}

  /**
   * Section Header Block; starts a new section (interface ids restart at 0).
   *  8 | Byte-Order Magic | 12 | Major 1 | Minor 0 | 16 | Section Length = -1 (64) | 24 / Options /
   */
  sectionHeader(options: SectionHeaderOptions = {}): Uint8Array {
    this.interfaces = [];
    const opts = this.options([
      [OPT_COMMENT, options.comment],
      [ShbOption.HARDWARE, options.hardware],
      [ShbOption.OS, options.os],
      [ShbOption.USERAPPL, options.userAppl],
    ]);
    const w = new ByteWriter(16 + opts.length);
    this.u32(w, 0x1a2b3c4d);
    this.u16(w, 1);
    this.u16(w, 0);
    // Section length unknown: -1, so that readers do not try to skip the section.
    this.u32(w, 0xffffffff);
    this.u32(w, 0xffffffff);
    w.bytes(opts);
    return this.block(BlockType.SECTION_HEADER, w.finish());
  }

  /**
   * Interface Description Block; returns the block and the interface's id in this section.
   *  8 | LinkType (16) | Reserved (16) | 12 | SnapLen | 16 / Options /
   */
  interfaceDescription(description: InterfaceDescription): { id: number; block: Uint8Array } {
    const tsresol = description.tsresol ?? 9;
    const unitsPerSecond = unitsPerSecondOf(tsresol);
    if (unitsPerSecond === null) throw new RangeError(`if_tsresol ${tsresol} is out of range`);
    const offsetSeconds = description.tsOffsetSeconds ?? 0n;
    const optionList: Array<[number, string | Uint8Array | undefined]> = [
      [IfOption.NAME, description.name],
      [IfOption.DESCRIPTION, description.description],
    ];
    if (tsresol !== 6) optionList.push([IfOption.TSRESOL, Uint8Array.of(tsresol)]);
    if (description.fcsBytes !== undefined) optionList.push([IfOption.FCSLEN, Uint8Array.of(description.fcsBytes)]);
    if (offsetSeconds !== 0n) optionList.push([IfOption.TSOFFSET, this.i64(offsetSeconds)]);
    const opts = this.options(optionList);
    const w = new ByteWriter(8 + opts.length);
    this.u16(w, description.linkType);
    this.u16(w, 0);
    this.u32(w, description.snaplen ?? DEFAULT_SNAPLEN);
    w.bytes(opts);
    const id = this.interfaces.length;
    this.interfaces.push({ unitsPerSecond, offsetNs: offsetSeconds * NS_PER_SECOND });
    return { id, block: this.block(BlockType.INTERFACE_DESCRIPTION, w.finish()) };
  }

  /**
   * Enhanced Packet Block.
   *  8 | Interface ID | 12 | Timestamp (High) | 16 | Timestamp (Low) |
   * 20 | Captured Packet Length | 24 | Original Packet Length | 28 / Packet Data / Options /
   */
  enhancedPacket(packet: PacketToWrite): Uint8Array {
    const iface = this.interfaces[packet.interfaceId];
    if (iface === undefined) throw new RangeError(`interface ${packet.interfaceId} was not described in this section`);
    const units = ((packet.timestampNs - iface.offsetNs) * iface.unitsPerSecond) / NS_PER_SECOND;
    if (units < 0n || units > 0xffffffffffffffffn) throw new RangeError('timestamp is outside the 64-bit pcapng range');
    const opts = this.options([[OPT_COMMENT, packet.comment]]);
    const data = packet.data;
    const padded = (data.length + 3) & ~3;
    const w = new ByteWriter(20 + padded + opts.length);
    this.u32(w, packet.interfaceId);
    this.u32(w, Number(units >> 32n));
    this.u32(w, Number(units & 0xffffffffn));
    this.u32(w, data.length);
    this.u32(w, packet.originalLength ?? data.length);
    w.bytes(data);
    w.zeros(padded - data.length);
    w.bytes(opts);
    return this.block(BlockType.ENHANCED_PACKET, w.finish());
  }

  /**
   * Decryption Secrets Block (default: a TLS key log, "TLSK").
   *  8 | Secrets Type | 12 | Secrets Length | 16 / Secrets Data (padded) /
   */
  decryptionSecrets(data: Uint8Array | string, secretsType: number = SecretsType.TLS_KEY_LOG): Uint8Array {
    const bytes = typeof data === 'string' ? utf8.encode(data) : data;
    const padded = (bytes.length + 3) & ~3;
    const w = new ByteWriter(8 + padded);
    this.u32(w, secretsType);
    this.u32(w, bytes.length);
    w.bytes(bytes);
    w.zeros(padded - bytes.length);
    return this.block(BlockType.DECRYPTION_SECRETS, w.finish());
  }

  /**
   * Simple Packet Block (the section's first interface, no timestamp).
   *  8 | Original Packet Length | 12 / Packet Data (padded) /
   */
  simplePacket(data: Uint8Array, originalLength = data.length): Uint8Array {
    const padded = (data.length + 3) & ~3;
    const w = new ByteWriter(4 + padded);
    this.u32(w, originalLength);
    w.bytes(data);
    w.zeros(padded - data.length);
    return this.block(BlockType.SIMPLE_PACKET, w.finish());
  }

  /** Any block type around a caller-built body (padded to 32 bits here): custom blocks, tests of rare blocks. */
  rawBlock(type: number, body: Uint8Array): Uint8Array {
    const padded = (body.length + 3) & ~3;
    if (padded === body.length) return this.block(type, body);
    const w = new ByteWriter(padded);
    w.bytes(body);
    w.zeros(padded - body.length);
    return this.block(type, w.finish());
  }

  private block(type: number, body: Uint8Array): Uint8Array {
    const total = 12 + body.length;
    const w = new ByteWriter(total);
    this.u32(w, type);
    this.u32(w, total);
    w.bytes(body);
    this.u32(w, total);
    return w.finish();
  }

  /** Options list with opt_endofopt; empty when no option is set. */
  private options(list: Array<[number, string | Uint8Array | undefined]>): Uint8Array {
    const w = new ByteWriter(64);
    for (const [code, value] of list) {
      if (value === undefined) continue;
      const bytes = typeof value === 'string' ? utf8.encode(value) : value;
      if (bytes.length > 0xffff) throw new RangeError(`option ${code} is longer than 65535 bytes`);
      this.u16(w, code);
      this.u16(w, bytes.length);
      w.bytes(bytes);
      w.zeros(((bytes.length + 3) & ~3) - bytes.length);
    }
    if (w.length === 0) return new Uint8Array(0);
    this.u16(w, OPT_ENDOFOPT);
    this.u16(w, 0);
    return w.finish();
  }

  private i64(v: bigint): Uint8Array {
    const u = BigInt.asUintN(64, v);
    const w = new ByteWriter(8);
    const hi = Number(u >> 32n);
    const lo = Number(u & 0xffffffffn);
    this.u32(w, this.littleEndian ? lo : hi);
    this.u32(w, this.littleEndian ? hi : lo);
    return w.finish();
  }

  private u16(w: ByteWriter, v: number): void {
    if (this.littleEndian) w.u16le(v);
    else w.u16(v);
  }

  private u32(w: ByteWriter, v: number): void {
    if (this.littleEndian) w.u32le(v);
    else w.u32(v);
  }
}
