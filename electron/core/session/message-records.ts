/**
 * A session's messages, kept compactly for the CLI's JSON (see
 * `SessionMessageJson.records`): five 32-bit integers a message instead of
 * its ~90 bytes of JSON text. The text is written once, at the very end, into
 * a buffer used again and again (contract-json-writer.ts): the analysis of a
 * large capture holds a third of the bytes it held, and never writes the
 * messages' text into freshly allocated memory (whose first touch of each
 * page costs more than the copy itself on a virtual machine).
 */

/**
 * Ints a message: its head (`{"type":T,"from":F,"frame":`, an index into
 * the writer's list) and tail (an alert's level and description, an index
 * into another: contract-json-writer.ts `record`), or when negative -1 - the
 * index of its whole text in `texts`; then its frame, length, its time's
 * second (an index into the writer's list of seconds) and the nanoseconds
 * into that second.
 */
export const RECORD_INTS = 5;

export class MessageRecords {
  ints: Int32Array;
  /** Messages recorded. */
  count = 0;
  /** Whole texts of messages not recorded as numbers (alerts, decrypted ones, odd times). */
  texts: Uint8Array[] = [];

  constructor(messages = 16) {
    this.ints = new Int32Array(messages * RECORD_INTS);
  }

  push(head: number, frame: number, length: number, second: number, nanoseconds: number): void {
    let at = this.count * RECORD_INTS;
    if (at + RECORD_INTS > this.ints.length) this.grow();
    const ints = this.ints;
    ints[at++] = head;
    ints[at++] = frame;
    ints[at++] = length;
    ints[at++] = second;
    ints[at] = nanoseconds;
    this.count++;
  }

  /** A message kept as its JSON text. */
  pushText(text: Uint8Array): void {
    const at = this.count * RECORD_INTS;
    if (at + RECORD_INTS > this.ints.length) this.grow();
    this.ints[at] = -1 - this.texts.length;
    this.texts.push(text);
    this.count++;
  }

  /** Forget the messages, keep the room. */
  clear(): void {
    this.count = 0;
    if (this.texts.length !== 0) this.texts = [];
  }

  private grow(): void {
    const bigger = new Int32Array(this.ints.length * 2);
    bigger.set(this.ints);
    this.ints = bigger;
  }
}

/** Ints per block of `HeldMessageRecords` (1 MiB). */
const BLOCK_INTS = 1 << 18;

/**
 * Every final session's records, until the document is written: copied in
 * blocks (a session's records never straddle two), their texts re-indexed
 * into one list.
 */
export class HeldMessageRecords {
  readonly blocks: Int32Array[] = [];
  readonly texts: Uint8Array[] = [];
  private block: Int32Array = new Int32Array(0);
  private fill = 0;

  /** Copies `r`'s records; `at` is set to where they are (block index, offset in it). */
  add(r: MessageRecords, at: { block: number; start: number }): void {
    const n = r.count * RECORD_INTS;
    if (this.fill + n > this.block.length) {
      this.block = new Int32Array(Math.max(BLOCK_INTS, n));
      this.blocks.push(this.block);
      this.fill = 0;
    }
    const start = this.fill;
    this.block.set(r.ints.subarray(0, n), start);
    this.fill += n;
    if (r.texts.length !== 0) {
      const base = this.texts.length;
      for (let i = start; i < start + n; i += RECORD_INTS) {
        const code = this.block[i]!;
        if (code < 0) this.block[i] = -1 - (base + (-1 - code));
      }
      for (const t of r.texts) this.texts.push(t);
    }
    at.block = this.blocks.length - 1;
    at.start = start;
  }

  clear(): void {
    this.blocks.length = 0;
    this.texts.length = 0;
    this.block = new Int32Array(0);
    this.fill = 0;
  }
}
