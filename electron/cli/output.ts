/** Write text pieces to stdout, respecting back-pressure (large JSON documents, slow pipes). */
export async function writeOut(pieces: Iterable<string>): Promise<void> {
  const out = process.stdout;
  let batch = '';
  for (const p of pieces) {
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
