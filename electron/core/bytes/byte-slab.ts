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

let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

export function keepBytes(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  if (n === 0) return new Uint8Array(0);
  if (n > MAX_SLAB_COPY) return bytes.slice();
  if (used + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  slab.set(bytes, used);
  const copy = slab.subarray(used, used + n);
  used += n;
  return copy;
}
