/**
 * Write text pieces to stdout, respecting back-pressure (large JSON documents,
 * slow pipes). Byte pieces (UTF-8) are written as they are.
 */
export async function writeOut(pieces: Iterable<string | Uint8Array>): Promise<void> {
  const out = process.stdout;
  let batch = '';
  for (const p of pieces) {
    if (typeof p !== 'string') {
      if (batch && !out.write(batch)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      batch = '';
      if (!out.write(p)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      continue;
    }
    batch += p;
    if (batch.length >= 1 << 20) {
      if (!out.write(batch)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      batch = '';
    }
  }
  if (batch) {
    if (!out.write(batch)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
}
