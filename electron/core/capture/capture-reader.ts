import { ParseError } from '../bytes/byte-reader';
import { CaptureEmitter, HandlerFailure } from './capture-emitter';
import { CaptureDamageError, NotACaptureFileError, type CaptureDamage } from './capture-errors';
import type { CaptureFormat, CaptureHandlers, CaptureSummary } from './capture-handlers';
import { isPcapMagic, PcapParser } from './pcap-parser';
import { isPcapngMagic, PcapngParser } from './pcapng-parser';
import type { RecordParser } from './record-parser';

const MAGIC_BYTES = 4;

/**
 * Push-based reader for pcap and pcapng: feed it chunks as they arrive (a
 * file stream, a pipe from the capture helper), it calls the handlers for each
 * record.
 *
 * Records are parsed in place inside the chunk; only a record that straddles
 * two chunks is copied, into a carry-over buffer that grows with the bytes that
 * actually arrived (never to a length a hostile header merely claims).
 *
 * Damage (an impossible length, a truncated last record) stops reading: the
 * packets before it are delivered and `end()` says where and why. A file that
 * is not pcap or pcapng throws `NotACaptureFileError` from `feed` or `end`.
 * Exceptions thrown by the handlers propagate unchanged.
 */
export class CaptureReader {
  private readonly emitter: CaptureEmitter;
  private parser: RecordParser | null = null;
  private format: CaptureFormat | null = null;
  private damage: CaptureDamage | null = null;
  private ended = false;
  /** Bytes of a unit that began in an earlier chunk. */
  private carry = new Uint8Array(0);
  private carryLength = 0;
  /** Total length of the unit in `carry`, once its header is complete. */
  private carryUnitLength: number | null = null;

  constructor(handlers: CaptureHandlers) {
    this.emitter = new CaptureEmitter(handlers);
  }

  /** Set once reading stopped on damage; a stream can stop feeding then. */
  get damaged(): CaptureDamage | null {
    return this.damage;
  }

  get packets(): number {
    return this.emitter.packets;
  }

  feed(chunk: Uint8Array): void {
    if (this.ended) throw new Error('CaptureReader.feed after end');
    if (this.damage !== null || chunk.length === 0) return;
    try {
      this.consume(plainBytes(chunk));
    } catch (e) {
      this.handleFailure(e);
    }
  }

  /** Declares the end of the input and says what was read. */
  end(): CaptureSummary {
    if (!this.ended) {
      this.ended = true;
      if (this.damage === null) {
        if (this.parser === null) {
          throw new NotACaptureFileError(this.carryLength === 0 ? 'file is empty' : `file is only ${this.carryLength} bytes`);
        }
        if (this.carryLength > 0) {
          this.stop(this.parser.truncatedReason(this.carryLength, this.carryUnitLength));
        }
      }
      this.carry = new Uint8Array(0);
      this.carryLength = 0;
    }
    return {
      format: this.format,
      packets: this.emitter.packets,
      linkTypes: this.emitter.summaryLinkTypes(),
      damaged: this.damage,
    };
  }

  private consume(chunk: Uint8Array): void {
    let pos = 0;
    if (this.parser === null) {
      if (this.carryLength + chunk.length < MAGIC_BYTES) {
        this.appendCarry(chunk, 0, chunk.length);
        return;
      }
      this.detect(chunk);
    }
    const parser = this.parser!;
    if (this.carryLength > 0) {
      pos = this.completeCarry(parser, chunk);
      if (this.carryLength > 0 || this.damage !== null) return;
    }
    const end = chunk.length;
    pos = this.parseUnits(parser, chunk, pos);
    if (pos < end && this.damage === null) {
      this.appendCarry(chunk, pos, end);
      // The cut unit's length, when its header is complete (the loop read it too: the same checks).
      this.carryUnitLength = end - pos >= parser.headerSize ? parser.unitLength(chunk, pos) : null;
    }
  }

  /**
   * Parses the whole units of `chunk` from `pos` on; returns where the first
   * one it does not hold entirely starts. A loop of its own, with nothing but
   * a return after it: V8 compiles the loop while the first chunk is read
   * (on-stack replacement), before the code after it ever ran, and code it
   * had no feedback for made that compiled loop bail out at the end of every
   * chunk (16 times on the bench capture, 6 compiles).
   */
  private parseUnits(parser: RecordParser, chunk: Uint8Array, pos: number): number {
    const end = chunk.length;
    while (this.damage === null) {
      const available = end - pos;
      if (available < parser.headerSize) break;
      const length = parser.unitLength(chunk, pos);
      if (available < length) break;
      parser.parseUnit(chunk, pos, length);
      pos += length;
    }
    return pos;
  }

  /** Picks the parser from the first four bytes (some may still be in `carry`). */
  private detect(chunk: Uint8Array): void {
    let magic = 0;
    for (let i = 0; i < MAGIC_BYTES; i++) {
      const b = i < this.carryLength ? this.carry[i]! : chunk[i - this.carryLength]!;
      magic = ((magic << 8) | b) >>> 0;
    }
    if (isPcapngMagic(magic)) {
      this.format = 'pcapng';
      this.parser = new PcapngParser(this.emitter);
    } else if (isPcapMagic(magic)) {
      this.format = 'pcap';
      this.parser = new PcapParser(this.emitter);
    } else {
      throw new NotACaptureFileError(`first bytes are ${magic.toString(16).padStart(8, '0')}`);
    }
  }

  /**
   * Moves bytes from `chunk` into the carried unit until it is complete, then
   * parses it. Returns how many bytes of `chunk` were used.
   */
  private completeCarry(parser: RecordParser, chunk: Uint8Array): number {
    let pos = 0;
    if (this.carryUnitLength === null) {
      const take = Math.min(parser.headerSize - this.carryLength, chunk.length);
      if (take > 0) {
        this.appendCarry(chunk, 0, take);
        pos = take;
      }
      if (this.carryLength < parser.headerSize) return pos;
      this.carryUnitLength = parser.unitLength(this.carry, 0);
    }
    const unitLength = this.carryUnitLength;
    const take = Math.min(unitLength - this.carryLength, chunk.length - pos);
    if (take > 0) {
      this.appendCarry(chunk, pos, pos + take);
      pos += take;
    }
    if (this.carryLength < unitLength) return pos;
    this.carryLength = 0;
    this.carryUnitLength = null;
    parser.parseUnit(this.carry, 0, unitLength);
    return pos;
  }

  private appendCarry(chunk: Uint8Array, from: number, to: number): void {
    const n = to - from;
    const needed = this.carryLength + n;
    if (needed > this.carry.length) {
      // Grow with what arrived, doubling, so a straddling record costs O(its size).
      const grown = new Uint8Array(Math.max(needed, Math.min(this.carry.length * 2, needed + (1 << 20)), 256));
      grown.set(this.carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
    this.carry.set(chunk.subarray(from, to), this.carryLength);
    this.carryLength = needed;
  }

  private handleFailure(e: unknown): void {
    if (e instanceof HandlerFailure) throw e.cause;
    if (e instanceof CaptureDamageError || e instanceof ParseError) {
      this.stop(e.message);
      return;
    }
    throw e;
  }

  private stop(reason: string): void {
    this.damage = { afterPacket: this.emitter.packets, reason };
    this.carry = new Uint8Array(0);
    this.carryLength = 0;
    this.carryUnitLength = null;
  }
}

/**
 * The chunk as a plain Uint8Array over the same memory. A Node Buffer's
 * `slice` is a view, not a copy: every `slice()` the engine makes to keep bytes
 * would then pin the whole read chunk (and see it change if the source reuses
 * it). Packets are views of these chunks, so this is the one place to fix it.
 */
function plainBytes(chunk: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(chunk) === Uint8Array.prototype ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** A push-based pcap/pcapng reader; see `CaptureReader`. */
export function createCaptureReader(handlers: CaptureHandlers): CaptureReader {
  return new CaptureReader(handlers);
}
