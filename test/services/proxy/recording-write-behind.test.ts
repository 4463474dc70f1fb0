import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LinkType } from '../../../electron/core/capture/packet';
import { BatchedPcapngFile } from '../../../electron/services/proxy/batched-pcapng-file';
import { nativeWriteBehind, type WriteBehind } from '../../../electron/services/proxy/native-tunnel-relay';
import { seededRandom } from '../../support/fuzz-mutations';

/**
 * A recording's written pages leave the page cache behind its writes
 * (native/tunnel-relay/write_behind.c): the file must stay whole, and the
 * pages must really go (util-linux's fincore counts a file's cached pages).
 */
const writeBehind = nativeWriteBehind();
const dir = mkdtempSync(join(tmpdir(), 'tlswb-write-behind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 1024 * 1024;
/** tmpfs (TMPDIR=/dev/shm, say) keeps its files in memory: nothing there leaves the cache. */
const TMPFS_MAGIC = 0x01021994;
const inMemory = statfsSync(dir).type === TMPFS_MAGIC;

/** Bytes of `path` in the page cache (fincore), or null without fincore (or on tmpfs). */
function cachedBytes(path: string): number | null {
  if (inMemory) return null;
  try {
    const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' });
    return Number(out.trim());
  } catch {
    return null;
  }
}

function run(wb: WriteBehind, fd: number, startFrom: number, startTo: number, dropFrom: number, dropTo: number): Promise<number> {
  return new Promise((resolve) => wb(fd, startFrom, startTo, dropFrom, dropTo, resolve));
}

describe.skipIf(!writeBehind)('writeBehind', () => {
  it('drops a written range from the page cache once it is on disk, and leaves the rest cached', async () => {
    const wb = writeBehind as WriteBehind;
    const path = join(dir, 'plain.bin');
    const fd = openSync(path, 'w');
    const chunk = Buffer.alloc(MB, 0x5a);
    for (let i = 0; i < 32; i++) writeSync(fd, chunk);
    const before = cachedBytes(path);
    // Writeback of the second half starts; the first half leaves the cache (after waiting for its writeback).
    expect(await run(wb, fd, 16 * MB, 32 * MB, 0, 16 * MB)).toBe(0);
    const after = cachedBytes(path);
    closeSync(fd);
    if (before !== null && after !== null) {
      expect(before).toBe(32 * MB);
      expect(after).toBe(16 * MB);
    }
    const back = readFileSync(path);
    expect(back.length).toBe(32 * MB);
    expect(back.every((b) => b === 0x5a)).toBe(true);
  });

  it('reports a bad descriptor as an errno, and refuses bad arguments', async () => {
    const wb = writeBehind as WriteBehind;
    expect(await run(wb, 987654, 0, 4096, 0, 4096)).toBeGreaterThan(0);
    expect(() => wb(-1, 0, 0, 0, 0, () => {})).toThrow(TypeError);
    expect(() => (wb as unknown as (...a: unknown[]) => void)(3, 0, 0, 0, 0)).toThrow(TypeError);
  });
});

describe('BatchedPcapngFile with writeBehind', () => {
  it('writes the same file as without it, and keeps few of its pages cached', async () => {
    const random = seededRandom(7);
    const packets: Uint8Array[] = [];
    let total = 0;
    while (total < 40 * MB) {
      const p = new Uint8Array(1 + Math.floor(random() * 65_000));
      for (let i = 0; i < p.length; i += 97) p[i] = Math.floor(random() * 256);
      packets.push(p);
      total += p.length;
    }
    const write = async (path: string, wb: WriteBehind | null): Promise<void> => {
      const file = await BatchedPcapngFile.open(path, { userAppl: 'test' }, { linkType: LinkType.ETHERNET }, wb);
      let time = 1_700_000_000_000_000_000n;
      for (const [i, p] of packets.entries()) {
        file.packet(p, (time += 1000n));
        // Loop turns, as a proxy's come (one per relay batch): writeBehind's completions arrive in them.
        if (i % 16 === 15) await new Promise(setImmediate);
      }
      await file.close();
    };
    const withIt = join(dir, 'with.pcapng');
    const without = join(dir, 'without.pcapng');
    await write(withIt, writeBehind);
    // Before anything reads it: every window but the last two or so left the cache (each drop waits for its pages to be on disk).
    const cached = cachedBytes(withIt);
    if (writeBehind && cached !== null) expect(cached).toBeLessThan(total / 2);
    await write(without, null);
    expect(readFileSync(withIt).equals(readFileSync(without))).toBe(true);
  });
});
