import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../electron/core/capture/capture-reader';
import type { Packet } from '../../electron/core/capture/packet';
import { PcapngStreamEncoder } from '../../native/pcapng-stream-encoder';
import { originalLengthOf } from '../../native/original-length';

/** An Ethernet + IPv4 + TCP frame of `total` bytes whose IP header claims `ipTotal`. */
function frame(total: number, ipTotal = total - 14): Uint8Array {
  const f = new Uint8Array(total);
  f[12] = 0x08;
  f[14] = 0x45;
  f[16] = ipTotal >> 8;
  f[17] = ipTotal & 0xff;
  f[23] = 6;
  for (let i = 54; i < total; i++) f[i] = i & 0xff;
  return f;
}

describe('the helper\'s pcapng stream', () => {
  it('reads back packet for packet, in batches of any size, and tshark reads it', () => {
    const batches: Buffer[] = [];
    const encoder = new PcapngStreamEncoder((b) => batches.push(b), 4096);
    encoder.header({ userAppl: 'test' }, { linkType: 1, snaplen: 65535, name: 'lo' });
    const sizes = [60, 61, 62, 63, 1514, 3000, 4000, 99];
    sizes.forEach((n, i) => encoder.packet(1_700_000_000_123_456_789n + BigInt(i) * 1000n, frame(n), n, n + (i === 7 ? 5 : 0)));
    encoder.flush();
    expect(batches.length).toBeGreaterThan(2);
    const packets: Array<Omit<Packet, 'data'> & { data: Uint8Array }> = [];
    const reader = createCaptureReader({ onPacket: (p) => packets.push({ ...p, data: p.data.slice() }) });
    const all = Buffer.concat(batches);
    // Feed in odd slices, as a pipe would deliver them.
    for (let o = 0; o < all.length; o += 777) reader.feed(all.subarray(o, o + 777));
    expect(reader.end().damaged).toBeNull();
    expect(packets.map((p) => p.data.length)).toEqual(sizes);
    expect(packets[7]!.originalLength).toBe(104);
    expect(packets[1]!.timestampNs).toBe(1_700_000_000_123_457_789n);
    expect(packets[4]!.data).toEqual(frame(1514));

    const file = join(mkdtempSync(join(tmpdir(), 'tlswb-enc-')), 'x.pcapng');
    writeFileSync(file, all);
    const tshark = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.time_epoch'], { encoding: 'utf8' });
    expect(tshark.status).toBe(0);
    const lines = tshark.stdout.trim().split('\n');
    expect(lines.map((l) => Number(l.split('\t')[0]))).toEqual([60, 61, 62, 63, 1514, 3000, 4000, 104]);
    expect(lines[0]!.split('\t')[1]).toBe('1700000000.123456789');
  });
});

describe('the on-the-wire length of a packet cut at cap\'s snap length', () => {
  it('comes from the IP header when the packet filled the snap length', () => {
    // Loopback's 64 KiB MTU: a full IPv4 datagram (65535 bytes) plus the Ethernet header.
    expect(originalLengthOf(1, frame(65535, 65535), 65535, 65535)).toBe(14 + 65535);
  });
  it('is the captured length otherwise, or when the header cannot say', () => {
    expect(originalLengthOf(1, frame(100, 5000), 100, 65535)).toBe(100);
    expect(originalLengthOf(1, new Uint8Array(65535), 65535, 65535)).toBe(65535);
    expect(originalLengthOf(147, frame(65535), 65535, 65535)).toBe(65535);
    expect(originalLengthOf(101, new Uint8Array([0x45, 0, 0]), 3, 3)).toBe(3);
  });
});
