/**
 * A hello's shape: the bytes of a ClientHello or ServerHello that everything
 * a slim hello and its fingerprints say depends on, written one after another
 * (with their lengths) into one scratch buffer, GREASE values made alike.
 * What varies from one connection of a client program to the next (random,
 * session ID, key share bytes, server name, PSK identities, padding) is left
 * out: known-client-hellos.ts and known-server-hellos.ts read those from
 * every hello itself.
 *
 * Two hellos of the same shape parse alike (same problems, same lists up to
 * their GREASE values), so a shape met before, whose hello parsed without a
 * problem, stands for that parse: the hellos of one client stack are then
 * recognised by one pass over their bytes instead of parsed into objects and
 * fingerprinted each time.
 */
import { isGrease } from './registries';

/** Larger shapes are not remembered (a hello's is some 200 bytes). A multiple of 4. */
const MAX_SHAPE = 2048;

/** A kept shape: its words (the bytes zero-padded to a multiple of 4) and its length in bytes. */
export interface KeptShape {
  words: Int32Array;
  length: number;
}

/** The shape being written (one for all: a shape is written, looked up and stored within one call). */
export class ShapeWriter {
  readonly bytes = new Uint8Array(MAX_SHAPE);
  /** The same memory as 32-bit words: hashed and compared four bytes at a time. */
  private readonly words = new Int32Array(this.bytes.buffer);
  length = 0;
  /** Ran past MAX_SHAPE: not to be looked up nor stored. */
  overflow = false;

  reset(): void {
    this.length = 0;
    this.overflow = false;
  }

  u8(v: number): void {
    if (this.length >= MAX_SHAPE) {
      this.overflow = true;
      return;
    }
    this.bytes[this.length++] = v;
  }

  u16(v: number): void {
    this.u8(v >> 8);
    this.u8(v & 0xff);
  }

  /** A uint16 whose GREASE values (RFC 8701) all count as one. */
  u16Alike(v: number): void {
    this.u16(isGrease(v) ? 0x0a0a : v);
  }

  /** `src[from, to)` as is. */
  copy(src: Uint8Array, from: number, to: number): void {
    if (this.length + (to - from) > MAX_SHAPE) {
      this.overflow = true;
      return;
    }
    const b = this.bytes;
    let o = this.length;
    for (let i = from; i < to; i++) b[o++] = src[i]!;
    this.length = o;
  }

  /** `src[from, to)`, its uint16s from `from` (an odd last byte as is) with their GREASE values alike. */
  copyU16sAlike(src: Uint8Array, from: number, to: number): void {
    let i = from;
    for (; i + 1 < to; i += 2) this.u16Alike((src[i]! << 8) | src[i + 1]!);
    if (i < to) this.u8(src[i]!);
  }

  /** Words in the shape, its last one zero-padded (call once the shape is written). */
  private wordCount(): number {
    const b = this.bytes;
    for (let i = this.length; (i & 3) !== 0; i++) b[i] = 0;
    return (this.length + 3) >> 2;
  }

  /** A 30-bit hash of the shape (MurmurHash3's mixing over its words). */
  hash(): number {
    const words = this.words;
    const n = this.wordCount();
    let h = this.length;
    for (let i = 0; i < n; i++) {
      let k = Math.imul(words[i]!, 0xcc9e2d51);
      k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
      h ^= k;
      h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    // 30 bits: a small integer as a map key, not a heap number.
    return h & 0x3fffffff;
  }

  /** Whether `kept` is this shape. */
  equals(kept: KeptShape): boolean {
    if (kept.length !== this.length) return false;
    const words = this.words;
    const k = kept.words;
    const n = this.wordCount();
    for (let i = 0; i < n; i++) if (k[i] !== words[i]) return false;
    return true;
  }

  /** A copy to keep. */
  copyOut(): KeptShape {
    return { words: this.words.slice(0, this.wordCount()), length: this.length };
  }
}

/**
 * Shapes met, with what they stand for: one per hash (a colliding shape
 * replaces it), bounded, cleared when full. A lookup that finds nothing
 * leaves its shape pending: `remember` keeps it once the hello has parsed
 * with no problem (the writer must still hold that shape).
 */
export class ShapeMemo<T> {
  private readonly known = new Map<number, { shape: KeptShape; value: T }>();
  private pendingHash = -1;

  constructor(private readonly writer: ShapeWriter, private readonly limit: number) {}

  /** What the writer's shape stands for, if it was met; `walked`: the walk that wrote it found a sound hello. */
  lookup(walked: boolean): T | undefined {
    this.pendingHash = -1;
    const w = this.writer;
    if (!walked || w.overflow) return undefined;
    const hash = w.hash();
    const k = this.known.get(hash);
    if (k !== undefined && w.equals(k.shape)) return k.value;
    this.pendingHash = hash;
    return undefined;
  }

  /** The shape of the last lookup that found nothing now stands for `value`. */
  remember(value: T): void {
    if (this.pendingHash < 0) return;
    if (this.known.size >= this.limit) this.known.clear();
    this.known.set(this.pendingHash, { shape: this.writer.copyOut(), value });
    this.pendingHash = -1;
  }

  /** Whether the last lookup left a shape to remember. */
  get pending(): boolean {
    return this.pendingHash >= 0;
  }
}
