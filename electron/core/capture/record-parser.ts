/**
 * A capture format as the streaming reader sees it: a sequence of units
 * (file header, records, blocks), each of which announces its own length in
 * its first `headerSize` bytes.
 */
export interface RecordParser {
  /** Bytes needed before `unitLength` can tell the length of the next unit. */
  readonly headerSize: number;
  /**
   * Total length of the unit at `offset` (its first `headerSize` bytes are
   * present). Throws `CaptureDamageError` for an impossible length.
   */
  unitLength(bytes: Uint8Array, offset: number): number;
  /** Decodes the whole unit at `offset..offset+length` and hands its contents to the emitter. */
  parseUnit(bytes: Uint8Array, offset: number, length: number): void;
  /** What to say when the file ends inside a unit of `length` bytes (`have` present). */
  truncatedReason(have: number, length: number | null): string;
}
