/**
 * What can go wrong while reading a capture, as types the outer layers can
 * tell apart without parsing messages.
 */

/** The first bytes are neither a pcap nor a pcapng header (text file, empty file, ...). */
export class NotACaptureFileError extends Error {
  override readonly name = 'NotACaptureFileError';
  constructor(
    /** Why, for logs (e.g. "file is empty", "pcap major version 3"); the message stays the same. */
    readonly detail: string,
  ) {
    super('not a capture file (pcap or pcapng)');
  }
}

/**
 * Where a damaged capture stops being readable: every packet up to and
 * including `afterPacket` was delivered; nothing after it is read (as tshark
 * and capinfos stop at the first impossible record).
 */
export interface CaptureDamage {
  /** Frame number of the last good packet (0 when none was read). */
  afterPacket: number;
  /** One line saying what was impossible, e.g. "record length 4325376 exceeds the maximum of 262144 bytes". */
  reason: string;
}

/** Thrown inside the format parsers when a record is impossible; the reader turns it into a `CaptureDamage`. */
export class CaptureDamageError extends Error {
  override readonly name = 'CaptureDamageError';
}
