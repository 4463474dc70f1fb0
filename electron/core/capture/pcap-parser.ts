import { ByteReader } from '../bytes/byte-reader';
import { CaptureDamageError, NotACaptureFileError } from './capture-errors';
import type { CaptureEmitter } from './capture-emitter';
import { MAX_PACKET_BYTES } from './capture-limits';
import { readU16, readU32 } from './endian';
import type { RecordParser } from './record-parser';
import { PcapTimestampConverter } from './timestamp-converter';

/** The four magic numbers, as the first four bytes read big-endian. */
const MAGIC_MICROSECONDS = 0xa1b2c3d4;
const MAGIC_NANOSECONDS = 0xa1b23c4d;
const MAGIC_MICROSECONDS_SWAPPED = 0xd4c3b2a1;
const MAGIC_NANOSECONDS_SWAPPED = 0x4d3cb2a1;

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/** Is `magic` (first four bytes, big-endian) one of the pcap magic numbers? */
export function isPcapMagic(magic: number): boolean {
  return (
    magic === MAGIC_MICROSECONDS ||
    magic === MAGIC_NANOSECONDS ||
    magic === MAGIC_MICROSECONDS_SWAPPED ||
    magic === MAGIC_NANOSECONDS_SWAPPED
  );
}

/**
 * libpcap's "LinkType and additional information" field (pcap-common.h):
 * bits 0-25 link type, bit 26 "FCS length present", bits 28-31 FCS length in
 * 16-bit words.
 */
const LINKTYPE_MASK = 0x03ffffff;
const FCS_PRESENT = 0x04000000;

/**
 * The classic libpcap format (draft-ietf-opsawg-pcap).
 *
 * File header:
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +---------------------------------------------------------------+
 *  0 |                          Magic Number                         |
 *  4 |          Major Version        |         Minor Version         |
 *  8 |                           Reserved1                           |
 * 12 |                           Reserved2                           |
 * 16 |                            SnapLen                            |
 * 20 | FCS |f|0 0 0 0 0 0 0 0 0 0 0 0|         LinkType              |
 *    +---------------------------------------------------------------+
 *
 * Packet record:
 *  0 |                      Timestamp (Seconds)                      |
 *  4 |            Timestamp (Microseconds or nanoseconds)            |
 *  8 |                    Captured Packet Length                     |
 * 12 |                    Original Packet Length                     |
 * 16 /                          Packet Data                          /
 *    /                  variable length, not padded                  /
 */
export class PcapParser implements RecordParser {
  private littleEndian = false;
  private haveFileHeader = false;
  private linkType = 0;
  private timestamps = new PcapTimestampConverter(false);

  /** One reader for every record header and record, pointed at each in turn. */
  private readonly reader = new ByteReader(new Uint8Array(0));

  constructor(private readonly emitter: CaptureEmitter) {}

  get headerSize(): number {
    return this.haveFileHeader ? RECORD_HEADER_BYTES : FILE_HEADER_BYTES;
  }

  unitLength(bytes: Uint8Array, offset: number): number {
    if (!this.haveFileHeader) return FILE_HEADER_BYTES;
    const r = this.reader.reset(bytes, offset + 8, offset + RECORD_HEADER_BYTES);
    const capturedLength = readU32(r, this.littleEndian, 'captured packet length');
    // As Wireshark: a captured length beyond the largest packet any link type
    // carries means the record header is garbage; nothing after it can be trusted.
    if (capturedLength > MAX_PACKET_BYTES) {
      throw new CaptureDamageError(
        `record length ${capturedLength} exceeds the maximum of ${MAX_PACKET_BYTES} bytes`,
      );
    }
    return RECORD_HEADER_BYTES + capturedLength;
  }

  parseUnit(bytes: Uint8Array, offset: number, length: number): void {
    if (!this.haveFileHeader) {
      this.parseFileHeader(new ByteReader(bytes, offset, offset + length));
      return;
    }
    const le = this.littleEndian;
    const r = this.reader.reset(bytes, offset, offset + length);
    const seconds = readU32(r, le, 'timestamp seconds');
    const fraction = readU32(r, le, 'timestamp fraction');
    const capturedLength = readU32(r, le, 'captured packet length');
    const originalLength = readU32(r, le, 'original packet length');
    const start = r.position;
    r.skip(capturedLength, 'packet data');
    this.emitter.packet(0, this.linkType, this.timestamps.toNs(seconds, fraction), bytes, start, start + capturedLength, originalLength);
  }

  truncatedReason(have: number, length: number | null): string {
    if (!this.haveFileHeader) return `file ends inside the pcap file header (${have} of ${FILE_HEADER_BYTES} bytes)`;
    return length === null
      ? `file ends inside a record header (${have} of ${RECORD_HEADER_BYTES} bytes)`
      : `file ends in the middle of a packet record (${have} of ${length} bytes)`;
  }

  private parseFileHeader(r: ByteReader): void {
    const magic = r.u32('magic number');
    this.littleEndian = magic === MAGIC_MICROSECONDS_SWAPPED || magic === MAGIC_NANOSECONDS_SWAPPED;
    const nanosecond = magic === MAGIC_NANOSECONDS || magic === MAGIC_NANOSECONDS_SWAPPED;
    this.timestamps = new PcapTimestampConverter(nanosecond);
    const le = this.littleEndian;
    const major = readU16(r, le, 'major version');
    const minor = readU16(r, le, 'minor version');
    // Wireshark reads version 2.x and later; 0.x and 1.x predate the format.
    if (major < 2) throw new NotACaptureFileError(`pcap version ${major}.${minor} is not supported`);
    r.skip(8, 'reserved');
    const snaplen = readU32(r, le, 'snaplen');
    const linkTypeField = readU32(r, le, 'link type');
    this.linkType = linkTypeField & LINKTYPE_MASK;
    this.haveFileHeader = true;
    this.emitter.addInterface({
      linkType: this.linkType,
      snaplen,
      tsresol: nanosecond ? 9 : 6,
      tsOffsetSeconds: 0,
      fcsBytes: linkTypeField & FCS_PRESENT ? (linkTypeField >>> 28) * 2 : null,
      name: null,
      description: null,
      format: 'pcap',
    });
  }
}
