/**
 * The parts one after the other. When only one part has bytes it is returned
 * as it is (no copy): callers that must own the result copy it themselves.
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  let only: Uint8Array | null = null;
  let nonEmpty = 0;
  for (const p of parts) {
    if (p.length === 0) continue;
    total += p.length;
    only = p;
    nonEmpty++;
  }
  if (nonEmpty === 1) return only!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
