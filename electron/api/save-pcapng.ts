/**
 * Save As pcapng: an intact pcapng file (plain or gzip-compressed) is written
 * out as its pcapng bytes (lossless: comments, custom blocks and sections
 * stay); anything else, and a damaged file, is converted packet by packet by
 * the converter the caller supplies, so the saved file holds what could be
 * read and nothing after the damage.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, open, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ApiError } from './contract';

/** pcapng Section Header Block type (the same in either byte order). */
const PCAPNG_SHB = [0x0a, 0x0d, 0x0d, 0x0a];
const GZIP = [0x1f, 0x8b];

export type PcapngConverter = (sourcePath: string, targetPath: string) => Promise<number>;

async function firstBytes(path: string, count: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(count);
    const { bytesRead } = await handle.read(buf, 0, count, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

async function gunzipHead(path: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = createReadStream(path).pipe(createGunzip());
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= 4) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, 4);
}

export interface SaveOptions {
  /** The source broke somewhere (the open file's `damaged`): never copy it as it is. */
  damaged?: boolean;
}

export async function savePcapng(sourcePath: string, targetPath: string, convert: PcapngConverter | null, options: SaveOptions = {}): Promise<number> {
  if (!options.damaged) {
    // Written beside the target and renamed into place: a failure never leaves half a file under the chosen name.
    const partial = `${targetPath}.${process.pid}.partial`;
    try {
      const head = await firstBytes(sourcePath, 4);
      let copied = false;
      if (startsWith(head, PCAPNG_SHB)) {
        await copyFile(sourcePath, partial);
        copied = true;
      } else if (startsWith(head, GZIP) && startsWith(await gunzipHead(sourcePath), PCAPNG_SHB)) {
        await pipeline(createReadStream(sourcePath), createGunzip(), createWriteStream(partial, { mode: 0o644 }));
        copied = true;
      }
      if (copied) {
        await rename(partial, targetPath);
        return (await stat(targetPath)).size;
      }
    } catch (err) {
      await rm(partial, { force: true });
      throw new ApiError('unreadable', `cannot save ${targetPath}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (!convert) throw new ApiError('unsupported', 'converting this capture to pcapng is not available here');
  return convert(sourcePath, targetPath);
}
