/**
 * Reading capture files from disk or standard input: streams the bytes (256 KiB
 * at a time, gunzipping when the file is gzip-compressed) into the core's
 * push-based reader, so a file of any size is never held in memory. A plain
 * regular file is read into two reused buffers (see fileChunks).
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip } from 'node:zlib';
import { NotACaptureFileError, type CaptureDamage } from '../core/capture/capture-errors';
import type { CaptureFormat, CaptureHandlers } from '../core/capture/capture-handlers';
import { createCaptureReader } from '../core/capture/capture-reader';
import { concatBytes } from '../core/bytes/concat-bytes';

/**
 * 256 KiB rather than 1 MiB: the reader parses a chunk soon after the read
 * wrote it, and a smaller one is still in the CPU's cache when its packets
 * are reached (with 1 MiB, reading each packet block's trailing length, the
 * first touch of its last bytes, was a cache miss: ~8 ms of the bench
 * capture's ~600; 128 KiB and 512 KiB measured about the same as 256).
 */
const CHUNK_BYTES = 1 << 18;

export interface ReadResult {
  /** Packet records read. */
  packets: number;
  /** LINKTYPE_* numbers of the packets, in the order first seen. */
  linkTypes: number[];
  /** Where reading stopped on damage (incl. a truncated gzip stream), or null. */
  damaged: CaptureDamage | null;
  format: CaptureFormat;
  /** The file was gzip-compressed. */
  compressed: boolean;
}

export interface ReadOptions {
  /** Stream to read for '-' (default: process.stdin); lets tests and the API feed a pipe. */
  stdin?: Readable;
  /** Read size for files (default 256 KiB). */
  chunkBytes?: number;
}

export type CaptureFileErrorKind = 'not-found' | 'permission' | 'not-a-capture' | 'read-error';

/** Nothing could be read; `message` is one line fit to show a user. */
export class CaptureFileError extends Error {
  override readonly name = 'CaptureFileError';
  constructor(
    readonly kind: CaptureFileErrorKind,
    message: string,
    /** The path as given ('-' for standard input). */
    readonly path: string,
  ) {
    super(message);
  }
}

/**
 * Streams `pathOrDash` ('-' = standard input) through the capture reader,
 * calling `handlers` for each record. Resolves with what was read; damage is a
 * result, not an exception. Rejects with `CaptureFileError` when the file
 * cannot be opened or is not a capture; exceptions from handlers propagate.
 */
export async function readCaptureFile(
  pathOrDash: string,
  handlers: CaptureHandlers,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const label = pathOrDash === '-' ? 'standard input' : pathOrDash;
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  let source: Readable | null = null;
  let file: FileHandle | null = null;
  const reader = createCaptureReader(handlers);
  let gzipFailure: string | null = null;
  try {
    // A plain (uncompressed) regular file is read into two buffers used in turn; anything else streams.
    let input: AsyncIterable<Uint8Array> | null = null;
    let compressed = false;
    if (pathOrDash !== '-') {
      file = await open(pathOrDash, 'r');
      if ((await file.stat()).isFile()) {
        const first = new Uint8Array(Math.max(chunkBytes, 2));
        const { bytesRead } = await file.read(first, 0, first.length, null);
        compressed = bytesRead >= 2 && first[0] === 0x1f && first[1] === 0x8b;
        if (!compressed) input = fileChunks(file, first, bytesRead, chunkBytes);
      }
      if (input === null) {
        await file.close();
        file = null;
      }
    }
    if (input === null) {
      source = pathOrDash === '-' ? (options.stdin ?? process.stdin) : createReadStream(pathOrDash, { highWaterMark: chunkBytes });
      const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
      const head = await readHead(chunks);
      compressed = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
      input = compressed ? gunzip(head, chunks) : passThrough(head, chunks);
    }
    try {
      for await (const chunk of input) {
        try {
          reader.feed(chunk);
        } catch (e) {
          // A handler's exception is the caller's, not a file error: keep it apart.
          if (e instanceof NotACaptureFileError) throw e;
          throw new ConsumerFailure(e);
        }
        if (reader.damaged !== null) break;
      }
    } catch (e) {
      // zlib errors ("unexpected end of file", "incorrect header check") mean the
      // compressed stream is cut or corrupt: damage after what it gave, as
      // `zcat` would show.
      if (!compressed || !isZlibError(e)) throw e;
      gzipFailure = `gzip data is truncated or corrupt (${(e as Error).message})`;
    }
    const summary = reader.end();
    // The reader stops the loop on its own damage, so a gzip failure came first:
    // a record cut short by it is the gzip stream's fault.
    const damaged = gzipFailure !== null ? { afterPacket: summary.packets, reason: gzipFailure } : summary.damaged;
    return {
      packets: summary.packets,
      linkTypes: summary.linkTypes,
      damaged,
      format: summary.format!,
      compressed,
    };
  } catch (e) {
    if (e instanceof ConsumerFailure) throw e.cause;
    throw toCaptureFileError(e, pathOrDash, label, gzipFailure);
  } finally {
    if (pathOrDash !== '-') source?.destroy();
    await file?.close().catch(() => undefined);
  }
}

/**
 * A regular file's bytes, read into two buffers in turn (the first holding
 * `firstLength` bytes already): the next read runs while the reader parses
 * the chunk just read. The capture reader copies whatever it keeps of a chunk
 * (a record cut by the chunk's end) before the next one comes, and packets
 * are only valid during their handler call, so a buffer can be read into
 * again once its chunk was fed: no new buffer per read, nothing for the
 * garbage collector to track.
 */
async function* fileChunks(file: FileHandle, first: Uint8Array, firstLength: number, chunkBytes: number): AsyncGenerator<Uint8Array> {
  if (firstLength === 0) return;
  const buffers = [first, new Uint8Array(first.length)] as const;
  let current = 0;
  let length = firstLength;
  for (;;) {
    const next = current ^ 1;
    const reading = file.read(buffers[next], 0, Math.min(chunkBytes, buffers[next].length), null);
    // Awaited below; until then a failed read must not count as an unhandled rejection.
    reading.catch(() => undefined);
    yield buffers[current].subarray(0, length);
    length = (await reading).bytesRead;
    if (length === 0) return;
    current = next;
  }
}

/** Wraps an exception thrown by a handler while the reader ran, to rethrow it untouched. */
class ConsumerFailure {
  constructor(readonly cause: unknown) {}
}

/** The first chunk(s), at least two bytes unless the input is shorter (to see the gzip magic). */
async function readHead(chunks: AsyncIterator<Uint8Array>): Promise<Uint8Array> {
  let head: Uint8Array = new Uint8Array(0);
  while (head.length < 2) {
    const next = await chunks.next();
    if (next.done) break;
    head = head.length === 0 ? next.value : concatBytes(head, next.value);
  }
  return head;
}

async function* passThrough(head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (head.length > 0) yield head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/** Compressed bytes handed to zlib at a time, and decompressed bytes allowed to wait for the reader. */
const GUNZIP_SLICE_BYTES = 16 * 1024;
const GUNZIP_QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * Decompressed chunks of a gzip stream, in order, with bounded memory: the
 * compressed input is fed in small slices only while little output waits, so
 * even a "zip bomb" slice inflates to a bounded amount.
 *
 * A cut stream must still yield every byte that can be decompressed (tshark
 * reads those packets), but Node's gunzip drops its last partial output when it
 * fails on the missing end. So the output comes from an inflater that flushes
 * at the end (Z_SYNC_FLUSH, no error on a missing end), and a second one,
 * whose output is thrown away, only says whether the stream was complete.
 */
async function* gunzip(head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  const inflater = createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const validator = createGunzip();
  validator.resume();
  const validated = new Promise<unknown>((resolve) => {
    validator.on('end', () => resolve(null));
    validator.on('error', (e) => resolve(e));
  });
  const queue: Uint8Array[] = [];
  let queued = 0;
  let finished = false;
  let failure: unknown = null;
  let wakeConsumer: (() => void) | null = null;
  let wakePump: (() => void) | null = null;
  const wake = (which: 'consumer' | 'pump'): void => {
    const w = which === 'consumer' ? wakeConsumer : wakePump;
    if (which === 'consumer') wakeConsumer = null;
    else wakePump = null;
    w?.();
  };
  inflater.on('data', (chunk: Uint8Array) => {
    queue.push(chunk);
    queued += chunk.length;
    wake('consumer');
  });
  inflater.on('end', () => {
    finished = true;
    wake('consumer');
  });
  inflater.on('error', (e) => {
    failure ??= e;
    finished = true;
    wake('consumer');
    wake('pump');
  });
  inflater.on('drain', () => wake('pump'));
  validator.on('drain', () => wake('pump'));

  const feed = async (chunk: Uint8Array): Promise<boolean> => {
    for (let off = 0; off < chunk.length; off += GUNZIP_SLICE_BYTES) {
      while (!finished && (queued > GUNZIP_QUEUE_BYTES || inflater.writableNeedDrain || validator.writableNeedDrain)) {
        await new Promise<void>((resolve) => (wakePump = resolve));
      }
      if (finished) return false;
      const slice = chunk.subarray(off, off + GUNZIP_SLICE_BYTES);
      inflater.write(slice);
      validator.write(slice);
    }
    return true;
  };
  const pump = (async () => {
    try {
      if (!(await feed(head))) return;
      for (;;) {
        const next = await rest.next();
        if (next.done) break;
        if (!(await feed(next.value))) return;
      }
      inflater.end();
      validator.end();
    } catch (e) {
      inflater.destroy(e as Error);
    }
  })();

  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        queued -= chunk.length;
        if (queued <= GUNZIP_QUEUE_BYTES) wake('pump');
        yield chunk;
        continue;
      }
      if (finished) {
        if (failure !== null) throw failure;
        const incomplete = await validated;
        if (incomplete !== null) throw incomplete;
        return;
      }
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } finally {
    // Not awaiting the pump: it may be waiting for input that never comes (a
    // pipe on stdin); once finished it stops on its own.
    finished = true;
    wake('pump');
    inflater.destroy();
    validator.destroy();
    void pump;
  }
}

function isZlibError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function toCaptureFileError(e: unknown, path: string, label: string, gzipFailure: string | null): unknown {
  if (e instanceof NotACaptureFileError) {
    const why = gzipFailure !== null ? ` (${gzipFailure})` : '';
    return new CaptureFileError('not-a-capture', `not a capture file (pcap or pcapng): ${label}${why}`, path);
  }
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new CaptureFileError('not-found', `no such file: ${label}`, path);
    case 'EACCES':
    case 'EPERM':
      return new CaptureFileError('permission', `permission denied: ${label}`, path);
    case 'EISDIR':
      return new CaptureFileError('read-error', `is a directory, not a capture file: ${label}`, path);
  }
  if (typeof code === 'string') {
    return new CaptureFileError('read-error', `cannot read ${label}: ${(e as Error).message}`, path);
  }
  return e;
}
