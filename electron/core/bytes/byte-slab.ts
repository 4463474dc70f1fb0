/**
 * Copies of small byte strings kept for long (hello randoms, session IDs),
 * packed side by side in shared 16 KiB slabs. A `slice()` of 32 bytes costs
 * its own ArrayBuffer, some 240 bytes of heap; a view into a slab about 100.
 * Every session keeps four of them.
 *
 * The copy is a view: its `.buffer` is the slab, shared with other copies
 * (never hand `.buffer` on; structured clone of a view copies the whole slab).
 */
const SLAB_SIZE = 16 * 1024;
/** Larger copies get their own buffer: they would waste a slab's tail. */
const MAX_SLAB_COPY = 256;

/** What an empty copy is: length 0, so nothing can be written to it or differ between copies. */
const NO_BYTES = new Uint8Array(0);

let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

export function keepBytes(bytes: Uint8Array): Uint8Array {
  return keepBytesOf(bytes, 0, bytes.length);
}

/** A kept copy of `bytes[start, end)`: no view of the source made first (hello fields, per session). */
export function keepBytesOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  // Empty (many hellos' session IDs): one shared empty array, nothing to copy or keep.
  if (n <= 0) return NO_BYTES;
  if (n > MAX_SLAB_COPY) return bytes.slice(start, end);
  if (used + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  // Short copies (32 bytes at most, mostly): a loop costs less than `set` of a subarray.
  const to = slab;
  for (let i = 0, o = used; i < n; i++) to[o + i] = bytes[start + i]!;
  const copy = to.subarray(used, used + n);
  used += n;
  return copy;
}
