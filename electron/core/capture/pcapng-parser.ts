import { ByteReader } from '../bytes/byte-reader';
import { CaptureDamageError, NotACaptureFileError } from './capture-errors';
import type { CaptureEmitter } from './capture-emitter';
import { MAX_BLOCK_BYTES, MAX_PACKET_BYTES } from './capture-limits';
import { readI64, readU16, readU32 } from './endian';
import {
  BYTE_ORDER_MAGIC,
  BYTE_ORDER_MAGIC_SWAPPED,
  BlockType,
  IfOption,
  MIN_BLOCK_BYTES,
  MIN_BLOCK_BYTES_BY_TYPE,
  NETFLIX_FRAME_TYPES,
  PEN_NETFLIX,
} from './pcapng-block-types';
import { forEachOption, OPT_COMMENT, optionString } from './pcapng-options';
import type { RecordParser } from './record-parser';
import { PcapngTimestampConverter, unitsPerSecondOf } from './timestamp-converter';

/** Is `magic` (first four bytes) the Section Header Block type that opens every pcapng file? */
export function isPcapngMagic(magic: number): boolean {
  return magic === BlockType.SECTION_HEADER;
}

/** An interface of the current section. */
interface SectionInterface {
  /** File-wide id (Packet.interfaceId). */
  id: number;
  linkType: number;
  snaplen: number;
  timestamps: PcapngTimestampConverter;
}

/** Every block starts with type and total length, and repeats the length at its end. */
const BLOCK_HEADER_BYTES = 8;
const BLOCK_TRAILER_BYTES = 4;
/** Type, length and (for a Section Header Block) the byte-order magic: enough to know any block's length. */
const LENGTH_PREFIX_BYTES = 12;
/** An Enhanced Packet Block's fixed part (header, 20 bytes of fields, trailer), and where its packet data starts. */
const ENHANCED_PACKET_MIN_BYTES = 32;
const ENHANCED_PACKET_DATA_AT = 28;

/**
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of sections, each a Section
 * Header Block followed by Interface Description Blocks, packet blocks and
 * others, in the byte order the section header says.
 *
 * General block structure:
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +---------------------------------------------------------------+
 *  0 |                          Block Type                           |
 *  4 |                      Block Total Length                       |
 *  8 /                          Block Body                           /
 *    /              variable length, padded to 32 bits               /
 *    |                      Block Total Length                       |
 *    +---------------------------------------------------------------+
 *
 * Interface ids in blocks are per section (a new SHB starts again at 0); the
 * packets this parser emits carry file-wide ids.
 */
export class PcapngParser implements RecordParser {
  readonly headerSize = LENGTH_PREFIX_BYTES;
  private littleEndian = true;
  private sections = 0;
  private interfaces: SectionInterface[] = [];
  /** One reader each for block headers, blocks and block bodies, pointed at each block in turn. */
  private readonly headReader = new ByteReader(new Uint8Array(0));
  private readonly blockReader = new ByteReader(new Uint8Array(0));
  private readonly bodyReader = new ByteReader(new Uint8Array(0));

  /** The chunk `view` is a DataView of (see viewOf). */
  private viewBytes: Uint8Array | null = null;
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(private readonly emitter: CaptureEmitter) {}

  unitLength(bytes: Uint8Array, offset: number): number {
    // The hot path: an Enhanced Packet Block with a plausible length (anything else, and every error, below).
    if (offset >= 0 && offset + LENGTH_PREFIX_BYTES <= bytes.length) {
      const v = this.viewOf(bytes);
      if (v.getUint32(offset, this.littleEndian) === BlockType.ENHANCED_PACKET) {
        const length = v.getUint32(offset + 4, this.littleEndian);
        if (length >= ENHANCED_PACKET_MIN_BYTES && length % 4 === 0 && length <= MAX_BLOCK_BYTES) return length;
      }
    }
    const r = this.headReader.reset(bytes, offset, offset + LENGTH_PREFIX_BYTES);
    let le = this.littleEndian;
    const type = readU32(r, le, 'block type');
    if (type === BlockType.SECTION_HEADER) {
      le = this.byteOrderOf(bytes, offset);
    }
    const length = readU32(r, le, 'block total length');
    const minimum = type === BlockType.ENHANCED_PACKET ? ENHANCED_PACKET_MIN_BYTES : (MIN_BLOCK_BYTES_BY_TYPE.get(type) ?? MIN_BLOCK_BYTES);
    if (length < minimum) {
      throw new CaptureDamageError(`block length ${length} is less than the minimum of ${minimum} bytes (${blockName(type)})`);
    }
    if (length % 4 !== 0) throw new CaptureDamageError(`block length ${length} is not a multiple of 4 (${blockName(type)})`);
    if (length > MAX_BLOCK_BYTES) {
      throw new CaptureDamageError(`block length ${length} exceeds the maximum of ${MAX_BLOCK_BYTES} bytes (${blockName(type)})`);
    }
    return length;
  }

  parseUnit(bytes: Uint8Array, offset: number, length: number): void {
    if (
      length >= ENHANCED_PACKET_MIN_BYTES &&
      offset >= 0 &&
      offset + length <= bytes.length &&
      this.viewOf(bytes).getUint32(offset, this.littleEndian) === BlockType.ENHANCED_PACKET
    ) {
      this.enhancedPacketAt(bytes, offset, length);
      return;
    }
    const block = this.blockReader.reset(bytes, offset, offset + length);
    let le = this.littleEndian;
    const type = readU32(block, le, 'block type');
    if (type === BlockType.SECTION_HEADER) le = this.byteOrderOf(bytes, offset);
    block.skip(4, 'block total length');
    // block.sub(), without a new reader per block: the body is read before the next block is.
    const bodyLength = length - BLOCK_HEADER_BYTES - BLOCK_TRAILER_BYTES;
    const bodyStart = block.position;
    block.skip(bodyLength, 'block body');
    const body = this.bodyReader.reset(bytes, bodyStart, bodyStart + bodyLength);
    const trailer = readU32(block, le, 'trailing block total length');
    if (trailer !== length) {
      throw new CaptureDamageError(
        `trailing block length ${trailer} does not match the leading block length ${length} (${blockName(type)})`,
      );
    }
    switch (type) {
      case BlockType.ENHANCED_PACKET:
        this.enhancedPacket(body);
        return;
      case BlockType.SECTION_HEADER:
        this.sectionHeader(body, le);
        return;
      case BlockType.INTERFACE_DESCRIPTION:
        this.interfaceDescription(body);
        return;
      case BlockType.SIMPLE_PACKET:
        this.simplePacket(body);
        return;
      case BlockType.PACKET:
        this.obsoletePacket(body);
        return;
      case BlockType.DECRYPTION_SECRETS:
        this.decryptionSecrets(body);
        return;
      case BlockType.CUSTOM_COPYABLE:
      case BlockType.CUSTOM_NOT_COPYABLE:
        this.customBlock(body);
        return;
      case BlockType.SYSTEMD_JOURNAL_EXPORT:
      case BlockType.SYSDIG_EVENT:
      case BlockType.SYSDIG_EVENT_V2:
      case BlockType.SYSDIG_EVENT_V2_LARGE:
        this.emitter.nonPacketFrame();
        return;
      default:
        // NRB, ISB and types this reader does not know carry no frames; their
        // length is all we need to step over them.
        return;
    }
  }

  truncatedReason(have: number, length: number | null): string {
    return length === null
      ? `file ends inside a block header (${have} of ${LENGTH_PREFIX_BYTES} bytes)`
      : `file ends in the middle of a block (${have} of ${length} bytes)`;
  }

  /** Byte order of the section whose header starts at `offset`, from its Byte-Order Magic. */
  private byteOrderOf(bytes: Uint8Array, offset: number): boolean {
    const magic = new ByteReader(bytes, offset + 8, offset + 12).u32('byte-order magic');
    if (magic === BYTE_ORDER_MAGIC) return false;
    if (magic === BYTE_ORDER_MAGIC_SWAPPED) return true;
    const found = magic.toString(16).padStart(8, '0');
    if (this.sections === 0) throw new NotACaptureFileError(`pcapng byte-order magic is ${found}`);
    throw new CaptureDamageError(`section header has a bad byte-order magic 0x${found}`);
  }

  /**
   * Section Header Block:
   *  0 |                   Block Type = 0x0A0D0D0A                     |
   *  4 |                      Block Total Length                       |
   *  8 |                      Byte-Order Magic                         |
   * 12 |          Major Version        |         Minor Version         |
   * 16 |                          Section Length (64 bits)             |
   * 24 /                      Options (variable)                       /
   *    |                      Block Total Length                       |
   */
  private sectionHeader(body: ByteReader, le: boolean): void {
    body.skip(4, 'byte-order magic');
    const major = readU16(body, le, 'major version');
    const minor = readU16(body, le, 'minor version');
    if (major !== 1) {
      const reason = `pcapng version ${major}.${minor} is not supported`;
      if (this.sections === 0) throw new NotACaptureFileError(reason);
      throw new CaptureDamageError(reason);
    }
    body.skip(8, 'section length');
    this.littleEndian = le;
    this.sections++;
    this.interfaces = [];
    if (this.emitter.wantsComments) {
      forEachOption(body, le, (code, value) => {
        if (code === OPT_COMMENT) this.emitter.comment(optionString(value), null);
      });
    }
  }

  /**
   * Interface Description Block:
   *  0 |                    Block Type = 0x00000001                    |
   *  4 |                      Block Total Length                       |
   *  8 |           LinkType            |           Reserved            |
   * 12 |                            SnapLen                            |
   * 16 /                      Options (variable)                       /
   *    |                      Block Total Length                       |
   */
  private interfaceDescription(body: ByteReader): void {
    const le = this.littleEndian;
    const linkType = readU16(body, le, 'link type');
    body.skip(2, 'reserved');
    const snaplen = readU32(body, le, 'snaplen');
    let tsresol = 6;
    let tsOffset = 0n;
    let fcsBytes: number | null = null;
    let name: string | null = null;
    let description: string | null = null;
    forEachOption(body, le, (code, value) => {
      switch (code) {
        case IfOption.NAME:
          name = optionString(value);
          break;
        case IfOption.DESCRIPTION:
          description = optionString(value);
          break;
        case IfOption.TSRESOL:
          if (value.remaining >= 1) {
            const v = value.u8('if_tsresol');
            // As Wireshark: an unusable resolution leaves the default (microseconds).
            if (unitsPerSecondOf(v) !== null) tsresol = v;
          }
          break;
        case IfOption.FCSLEN:
          if (value.remaining >= 1) fcsBytes = value.u8('if_fcslen');
          break;
        case IfOption.TSOFFSET:
          if (value.remaining >= 8) tsOffset = readI64(value, le, 'if_tsoffset');
          break;
      }
    });
    const id = this.emitter.addInterface({
      linkType,
      snaplen,
      tsresol,
      tsOffsetSeconds: Number(tsOffset),
      fcsBytes,
      name,
      description,
      format: 'pcapng',
    });
    this.interfaces.push({ id, linkType, snaplen, timestamps: new PcapngTimestampConverter(tsresol, tsOffset) });
  }

  /**
   * Enhanced Packet Block:
   *  0 |                    Block Type = 0x00000006                    |
   *  4 |                      Block Total Length                       |
   *  8 |                         Interface ID                          |
   * 12 |                        Timestamp (High)                       |
   * 16 |                        Timestamp (Low)                        |
   * 20 |                    Captured Packet Length                     |
   * 24 |                    Original Packet Length                     |
   * 28 /                          Packet Data                          /
   *    /              variable length, padded to 32 bits               /
   *    /                      Options (variable)                       /
   *    |                      Block Total Length                       |
   */
  private enhancedPacket(body: ByteReader): void {
    const le = this.littleEndian;
    const localId = readU32(body, le, 'interface id');
    const high = readU32(body, le, 'timestamp (high)');
    const low = readU32(body, le, 'timestamp (low)');
    const capturedLength = readU32(body, le, 'captured packet length');
    const originalLength = readU32(body, le, 'original packet length');
    this.emitPacket(body, localId, high, low, capturedLength, originalLength);
  }

  /** A DataView of `bytes`, made once per chunk. */
  private viewOf(bytes: Uint8Array): DataView {
    if (bytes !== this.viewBytes) {
      this.viewBytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.view;
  }

  /**
   * `enhancedPacket` for the block at `bytes[offset, offset + length)`, which
   * the caller checked lies inside `bytes` and is at least 32 bytes long: the
   * fixed fields (and the trailing length) are then all inside it and read in
   * place (a DataView per chunk: DataView reads compile to single loads). Nearly
   * every block of a capture is one, so this is the reader's hot path: no reader
   * reset or bounds check per field. Same checks, same errors.
   */
  private enhancedPacketAt(bytes: Uint8Array, offset: number, length: number): void {
    const le = this.littleEndian;
    const v = this.viewOf(bytes);
    const trailer = v.getUint32(offset + length - BLOCK_TRAILER_BYTES, le);
    if (trailer !== length) {
      throw new CaptureDamageError(
        `trailing block length ${trailer} does not match the leading block length ${length} (${blockName(BlockType.ENHANCED_PACKET)})`,
      );
    }
    const localId = v.getUint32(offset + 8, le);
    const high = v.getUint32(offset + 12, le);
    const low = v.getUint32(offset + 16, le);
    const capturedLength = v.getUint32(offset + 20, le);
    const originalLength = v.getUint32(offset + 24, le);
    const iface = this.packetInterface(localId, capturedLength);
    const room = length - ENHANCED_PACKET_MIN_BYTES;
    if (capturedLength > room) {
      throw new CaptureDamageError(`packet length ${capturedLength} does not fit in its block (${room} bytes left)`);
    }
    const start = offset + ENHANCED_PACKET_DATA_AT;
    const end = start + capturedLength;
    const frame = this.emitter.packet(iface.id, iface.linkType, iface.timestamps.toNs(high, low), bytes, start, end, originalLength);
    // Options need at least an end-of-options code after the padded data: most blocks have no room for any (no reader set up).
    const optionsAt = start + ((capturedLength + 3) & ~3);
    if (optionsAt + 4 <= offset + length - BLOCK_TRAILER_BYTES && this.emitter.wantsComments) {
      this.packetComments(this.bodyReader.reset(bytes, end, offset + length - BLOCK_TRAILER_BYTES), capturedLength, frame);
    }
  }

  /**
   * Packet Block (obsolete, still read by Wireshark):
   *  0 |                    Block Type = 0x00000002                    |
   *  4 |                      Block Total Length                       |
   *  8 |         Interface ID          |          Drops Count          |
   * 12 |                        Timestamp (High)                       |
   * 16 |                        Timestamp (Low)                        |
   * 20 |                    Captured Packet Length                     |
   * 24 |                      Packet Length                            |
   * 28 /                          Packet Data                          /
   *    /                      Options (variable)                       /
   *    |                      Block Total Length                       |
   */
  private obsoletePacket(body: ByteReader): void {
    const le = this.littleEndian;
    const localId = readU16(body, le, 'interface id');
    body.skip(2, 'drops count');
    const high = readU32(body, le, 'timestamp (high)');
    const low = readU32(body, le, 'timestamp (low)');
    const capturedLength = readU32(body, le, 'captured packet length');
    const originalLength = readU32(body, le, 'packet length');
    this.emitPacket(body, localId, high, low, capturedLength, originalLength);
  }

  private emitPacket(
    body: ByteReader,
    localId: number,
    high: number,
    low: number,
    capturedLength: number,
    originalLength: number,
  ): void {
    const iface = this.packetInterface(localId, capturedLength);
    if (capturedLength > body.remaining) {
      throw new CaptureDamageError(`packet length ${capturedLength} does not fit in its block (${body.remaining} bytes left)`);
    }
    const start = body.position;
    body.skip(capturedLength, 'packet data');
    const frame = this.emitter.packet(iface.id, iface.linkType, iface.timestamps.toNs(high, low), body.bytes, start, start + capturedLength, originalLength);
    if (this.emitter.wantsComments) this.packetComments(body, capturedLength, frame);
  }

  /** The interface a packet block names, checked, and its captured length checked against the limit. */
  private packetInterface(localId: number, capturedLength: number): SectionInterface {
    const iface = this.interfaces[localId];
    if (iface === undefined) {
      throw new CaptureDamageError(
        `packet block refers to interface ${localId}, but the section has declared ${this.interfaces.length} so far`,
      );
    }
    if (capturedLength > MAX_PACKET_BYTES) {
      throw new CaptureDamageError(`packet length ${capturedLength} exceeds the maximum of ${MAX_PACKET_BYTES} bytes`);
    }
    return iface;
  }

  private packetComments(body: ByteReader, capturedLength: number, frame: number): void {
    const padding = ((capturedLength + 3) & ~3) - capturedLength;
    // Most packets have no options: no visitor made for them.
    if (padding + 4 > body.remaining) return;
    body.skip(padding, 'packet data padding');
    forEachOption(body, this.littleEndian, (code, value) => {
      if (code === OPT_COMMENT) this.emitter.comment(optionString(value), frame);
    });
  }

  /**
   * Simple Packet Block: no interface id (the section's first interface), no
   * timestamp, captured length = original length cut to the snaplen.
   *  0 |                    Block Type = 0x00000003                    |
   *  4 |                      Block Total Length                       |
   *  8 |                    Original Packet Length                     |
   * 12 /                          Packet Data                          /
   *    /              variable length, padded to 32 bits               /
   *    |                      Block Total Length                       |
   */
  private simplePacket(body: ByteReader): void {
    const iface = this.interfaces[0];
    if (iface === undefined) throw new CaptureDamageError('simple packet block before any interface description block');
    const originalLength = readU32(body, this.littleEndian, 'original packet length');
    let capturedLength = originalLength;
    if (iface.snaplen !== 0 && capturedLength > iface.snaplen) capturedLength = iface.snaplen;
    if (capturedLength > MAX_PACKET_BYTES) {
      throw new CaptureDamageError(`packet length ${capturedLength} exceeds the maximum of ${MAX_PACKET_BYTES} bytes`);
    }
    if (capturedLength > body.remaining) {
      throw new CaptureDamageError(`packet length ${capturedLength} does not fit in its block (${body.remaining} bytes left)`);
    }
    const start = body.position;
    body.skip(capturedLength, 'packet data');
    // No options in an SPB: bytes past the padded data mean the lengths lie
    // (Wireshark then reads them as a mismatched trailing length).
    if (body.remaining !== ((capturedLength + 3) & ~3) - capturedLength) {
      throw new CaptureDamageError(`simple packet block has ${body.remaining} bytes after its ${capturedLength}-byte packet`);
    }
    this.emitter.packet(iface.id, iface.linkType, 0n, body.bytes, start, start + capturedLength, originalLength);
  }

  /**
   * Custom Block: tshark 4.0 shows each as a frame (the Netflix BBLog ones
   * only for event and skip blocks), so it takes a frame number here too.
   *  8 |                Private Enterprise Number (PEN)                |
   * 12 /                          Custom Data                          /
   *    /                      Options (variable)                       /
   */
  private customBlock(body: ByteReader): void {
    const pen = readU32(body, this.littleEndian, 'private enterprise number');
    if (pen === PEN_NETFLIX) {
      if (body.remaining < 4 || !NETFLIX_FRAME_TYPES.has(readU32(body, this.littleEndian, 'bblog block type'))) return;
    }
    this.emitter.nonPacketFrame();
  }

  /**
   * Decryption Secrets Block:
   *  0 |                   Block Type = 0x0000000A                     |
   *  4 |                      Block Total Length                       |
   *  8 |                          Secrets Type                         |
   * 12 |                         Secrets Length                        |
   * 16 /                          Secrets Data                         /
   *    /              (variable length, padded to 32 bits)             /
   *    /                       Options (variable)                      /
   *    |                      Block Total Length                       |
   */
  private decryptionSecrets(body: ByteReader): void {
    const le = this.littleEndian;
    const secretsType = readU32(body, le, 'secrets type');
    const secretsLength = readU32(body, le, 'secrets length');
    if (secretsLength > body.remaining) {
      throw new CaptureDamageError(`secrets length ${secretsLength} does not fit in its block (${body.remaining} bytes left)`);
    }
    this.emitter.secrets(secretsType, body.bytesView(secretsLength, 'secrets data'));
  }
}

function blockName(type: number): string {
  switch (type) {
    case BlockType.SECTION_HEADER:
      return 'section header block';
    case BlockType.INTERFACE_DESCRIPTION:
      return 'interface description block';
    case BlockType.ENHANCED_PACKET:
      return 'enhanced packet block';
    case BlockType.SIMPLE_PACKET:
      return 'simple packet block';
    case BlockType.PACKET:
      return 'packet block';
    case BlockType.DECRYPTION_SECRETS:
      return 'decryption secrets block';
    default:
      return `block type 0x${type.toString(16).padStart(8, '0')}`;
  }
}
