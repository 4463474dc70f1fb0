/**
 * Helpers for the capture format tests: tshark as the oracle, and a way to
 * feed bytes to the reader in chunks of any size.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCaptureReader } from '../../../electron/core/capture/capture-reader';
import type { CaptureHandlers, CaptureInterface, CaptureSummary } from '../../../electron/core/capture/capture-handlers';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/capture', import.meta.url));

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** One frame as tshark prints it and as the reader delivers it. */
export interface FrameRow {
  frame: number;
  timeNs: bigint;
  interfaceId: number;
  len: number;
  capLen: number;
  /** MD5 of the captured bytes, lowercase hex. */
  md5: string;
}

export interface ToolRun {
  status: number | null;
  stdout: string;
  /** stderr without tshark's "Running as user root" notice. */
  stderr: string;
}

export function runTool(command: string, args: string[]): ToolRun {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  const stderr = r.stderr
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('Running as user'))
    .join('\n');
  return { status: r.status, stdout: r.stdout, stderr };
}

/** "1429518024.029328000" → nanoseconds, exactly. */
export function epochToNs(text: string): bigint {
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole!) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
}

/** tshark's view of every frame (also what it says on stderr, e.g. damage). */
export function tsharkFrames(path: string): { frames: FrameRow[]; run: ToolRun } {
  const run = runTool('tshark', [
    '-o', 'frame.generate_md5_hash:TRUE',
    '-r', path,
    '-T', 'fields',
    '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.interface_id',
    '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.md5_hash',
  ]);
  const frames = run.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [frame, time, iface, len, capLen, md5] = line.split('\t');
      return {
        frame: Number(frame),
        timeNs: epochToNs(time!),
        interfaceId: iface === '' ? 0 : Number(iface),
        len: Number(len),
        capLen: Number(capLen),
        md5: md5!,
      };
    });
  return { frames, run };
}

export interface ReadOutcome {
  frames: FrameRow[];
  interfaces: CaptureInterface[];
  secrets: Array<{ type: number; data: Uint8Array }>;
  comments: Array<{ text: string; frame: number | null }>;
  summary: CaptureSummary;
}

/** Feeds `bytes` to a fresh reader `chunkSize` bytes at a time (the chunks are reused buffers, as a stream's are). */
export function readInChunks(bytes: Uint8Array, chunkSize: number, extra: Partial<CaptureHandlers> = {}): ReadOutcome {
  const out: ReadOutcome = { frames: [], interfaces: [], secrets: [], comments: [], summary: null! };
  const reader = createCaptureReader({
    onPacket: (p) =>
      out.frames.push({
        frame: p.frame,
        timeNs: p.timestampNs,
        interfaceId: p.interfaceId,
        len: p.originalLength,
        capLen: p.data.length,
        md5: createHash('md5').update(p.data).digest('hex'),
      }),
    onInterface: (i) => out.interfaces.push(i),
    onSecrets: (type, data) => out.secrets.push({ type, data }),
    onComment: (text, frame) => out.comments.push({ text, frame }),
    ...extra,
  });
  // One scratch buffer overwritten for every chunk: proves the reader copies what it carries over.
  const scratch = new Uint8Array(chunkSize);
  for (let off = 0; off < bytes.length; off += chunkSize) {
    const n = Math.min(chunkSize, bytes.length - off);
    scratch.set(bytes.subarray(off, off + n));
    reader.feed(scratch.subarray(0, n));
  }
  out.summary = reader.end();
  return out;
}

/** A fresh temporary directory for files a test writes. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tlswb-capture-'));
}

export function writeTemp(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A little-endian pcap turned into the same file written by a big-endian host. */
export function pcapToBigEndian(le: Uint8Array): Uint8Array {
  const out = new Uint8Array(le);
  const swap32 = (at: number): void => {
    out.set([le[at + 3]!, le[at + 2]!, le[at + 1]!, le[at]!], at);
  };
  const swap16 = (at: number): void => {
    out.set([le[at + 1]!, le[at]!], at);
  };
  const view = new DataView(le.buffer, le.byteOffset, le.byteLength);
  swap32(0);
  swap16(4);
  swap16(6);
  for (const at of [8, 12, 16, 20]) swap32(at);
  for (let off = 24; off + 16 <= le.length; ) {
    const capLen = view.getUint32(off + 8, true);
    for (let i = 0; i < 4; i++) swap32(off + i * 4);
    off += 16 + capLen;
  }
  return out;
}
