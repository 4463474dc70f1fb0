/**
 * The helper's spool file: the pcapng the helper writes itself, as dumpcap
 * does, so the capture never waits on the parent (which tails the file and may
 * lag behind under a flood). Batches are written with one synchronous write
 * each into the page cache: a killed helper leaves every batch it wrote, and a
 * write cut short by the kill leaves at most one partial block at the end
 * (the parent trims it, see electron/services/capture-spool-tail.ts).
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { CaptureError } from './capture-errors';

export class SpoolWriter {
  private readonly fd: number;
  private closed = false;
  /** Packets in batches that could not be written (disk full, I/O error). */
  lostPackets = 0;
  /** The first write failure, for the parent's diagnostics. */
  failure: string | null = null;
  /** Bytes written so far. */
  bytes = 0;

  /** Creates (truncates) `path`; throws CaptureError('failed') saying why it cannot. */
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w', 0o644);
    } catch (e: unknown) {
      throw new CaptureError('failed', `cannot write the capture file ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Writes one batch of whole blocks holding `packets` packets; a batch that fails is counted as lost. */
  write(bytes: Uint8Array, packets: number): void {
    if (this.closed) return;
    let done = 0;
    try {
      // Positional writes: after a failed batch the next one starts where the last good one ended.
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.bytes + done);
      this.bytes += done;
    } catch (e: unknown) {
      // A partial batch would leave a partial block mid-file, and nothing after it would read:
      // cut it off and count its packets lost.
      this.lostPackets += packets;
      try {
        ftruncateSync(this.fd, this.bytes);
      } catch {
        // The next batch overwrites it from the same position anyway.
      }
      this.failure ??= e instanceof Error ? e.message : String(e);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // Nothing more to write; the bytes are in the file already.
    }
  }
}
