import type { Packet } from './packet';

const NO_BYTES = new Uint8Array(0);

/**
 * The one `Packet` a capture reader hands out, refilled for every record: the
 * packet's bytes as a window (`bytes`, `start`, `end`) of the chunk being
 * read, not as a view of their own. A decoder that knows this class reads the
 * window directly; `data` makes the view only for a consumer that asks for it
 * (once per packet), so the engine's input path allocates nothing per packet.
 */
export class CapturedPacket implements Packet {
  frame = 0;
  interfaceId = 0;
  linkType = 0;
  timestampNs = 0n;
  originalLength = 0;
  /** The packet is `bytes[start, end)`; valid, like `data`, only during the call it is handed to. */
  bytes: Uint8Array = NO_BYTES;
  start = 0;
  end = 0;
  private view: Uint8Array | null = null;

  get data(): Uint8Array {
    return (this.view ??= this.bytes.subarray(this.start, this.end));
  }

  set data(d: Uint8Array) {
    this.bytes = d;
    this.start = 0;
    this.end = d.length;
    this.view = d;
  }

  /** Points the packet at `bytes[start, end)` (no view made). */
  setBytes(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    this.view = null;
  }
}
