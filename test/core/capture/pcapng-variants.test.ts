/**
 * pcapng variants the corpus lacks, written with the project's writer or
 * glued from corpus files, each checked against tshark: several sections,
 * big-endian sections, Simple and obsolete Packet Blocks, blocks to skip,
 * timestamp resolutions and offsets, secrets injected by editcap.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlockType } from '../../../electron/core/capture/pcapng-block-types';
import { PcapngWriter } from '../../../electron/core/capture/pcapng-writer';
import { ByteWriter } from '../../../electron/core/bytes/byte-writer';
import { fixture, readInChunks, runTool, tempDir, tsharkFrames, writeTemp } from './capture-test-helpers';

interface SourcePacket {
  timestampNs: bigint;
  data: Uint8Array;
  originalLength: number;
}

/** The packets of a corpus pcap (Ethernet), copied out of the reader. */
function sourcePackets(): SourcePacket[] {
  const packets: SourcePacket[] = [];
  readInChunks(readFileSync(fixture('pcapplusplus-tls.pcap')), 1 << 16, {
    onPacket: (p) => packets.push({ timestampNs: p.timestampNs, data: p.data.slice(), originalLength: p.originalLength }),
  });
  return packets;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const w = new ByteWriter(1 << 16);
  for (const p of parts) w.bytes(p);
  return w.finish();
}

describe('pcapng variants', () => {
  it('numbers interfaces across sections (tshark numbers them per section) and keeps each section\'s link types', () => {
    const a = readFileSync(fixture('pcapplusplus-pcapng-example.pcapng'));
    const b = readFileSync(fixture('pcapplusplus-many_interfaces-1.pcapng'));
    const path = writeTemp(tempDir(), 'two-sections.pcapng', concat([a, b]));
    const expected = tsharkFrames(path);
    expect(expected.run.stderr).toBe('');
    const read = readInChunks(readFileSync(path), 5000);
    expect(read.summary.packets).toBe(159 + 64);
    expect(read.interfaces.map((i) => i.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Section 2's interface n is file-wide interface 2 + n.
    const fileWide = expected.frames.map((f) => (f.frame > 159 ? { ...f, interfaceId: f.interfaceId + 2 } : f));
    expect(read.frames).toEqual(fileWide);
    expect(read.summary.linkTypes).toEqual([1, 113, 0]);
  });

  it('reads big-endian sections, also after a little-endian one, as tshark does', () => {
    const packets = sourcePackets();
    const section = (littleEndian: boolean, from: number, to: number): Uint8Array => {
      const w = new PcapngWriter(littleEndian);
      const parts = [w.sectionHeader({ userAppl: 'tlswb test', comment: littleEndian ? 'LE' : 'BE' })];
      const { id, block } = w.interfaceDescription({ linkType: 1, name: 'eth0', tsresol: 9 });
      parts.push(block);
      for (const p of packets.slice(from, to)) parts.push(w.enhancedPacket({ interfaceId: id, ...p }));
      return concat(parts);
    };
    const dir = tempDir();
    const bigEndian = section(false, 0, 44);
    const mixed = concat([section(true, 0, 20), section(false, 20, 44)]);
    for (const [name, bytes] of [['be.pcapng', bigEndian], ['mixed.pcapng', mixed]] as const) {
      const path = writeTemp(dir, name, bytes);
      const expected = tsharkFrames(path);
      expect(expected.run.stderr).toBe('');
      const read = readInChunks(bytes, 999);
      const fileWide = expected.frames.map((f) => (name === 'mixed.pcapng' && f.frame > 20 ? { ...f, interfaceId: 1 } : f));
      expect(read.frames, name).toEqual(fileWide);
      expect(read.frames.map((f) => f.timeNs)).toEqual(packets.map((p) => p.timestampNs));
      expect(read.comments.map((c) => c.text)).toEqual(name === 'be.pcapng' ? ['BE'] : ['LE', 'BE']);
    }
  });

  it('reads Simple and obsolete Packet Blocks and skips NRB, ISB, custom and unknown blocks as tshark does', () => {
    const packets = sourcePackets();
    const w = new PcapngWriter(true);
    const parts = [w.sectionHeader()];
    parts.push(w.interfaceDescription({ linkType: 1, snaplen: 100, tsresol: 6 }).block);
    expect(packets[0]!.data.length).toBeGreaterThan(100);
    const small = packets.find((p) => p.data.length < 100)!;
    parts.push(w.interfaceDescription({ linkType: 1, tsresol: 6 }).block);
    // Name Resolution Block: nrb_record_ipv4 127.0.0.1 "localhost", nrb_record_end.
    const nrb = new ByteWriter();
    nrb.u16le(1).u16le(14).bytes(Uint8Array.of(127, 0, 0, 1)).bytes(new TextEncoder().encode('localhost\0')).zeros(2);
    nrb.u16le(0).u16le(0);
    parts.push(w.rawBlock(BlockType.NAME_RESOLUTION, nrb.finish()));
    // Simple Packet Blocks: interface 0, cut to its snaplen (100).
    parts.push(w.simplePacket(packets[0]!.data.subarray(0, 100), packets[0]!.originalLength));
    parts.push(w.simplePacket(small.data));
    // Obsolete Packet Block on interface 1: Interface ID (16), Drops Count (16), Timestamp, lengths, data.
    const units = packets[1]!.timestampNs / 1000n;
    const pb = new ByteWriter();
    pb.u16le(1).u16le(0).u32le(Number(units >> 32n)).u32le(Number(units & 0xffffffffn));
    pb.u32le(packets[1]!.data.length).u32le(packets[1]!.originalLength).bytes(packets[1]!.data);
    parts.push(w.rawBlock(BlockType.PACKET, pb.finish()));
    // Interface Statistics Block, a custom block and an unknown block type: nothing to deliver.
    parts.push(w.rawBlock(BlockType.INTERFACE_STATISTICS, new ByteWriter().u32le(0).u32le(0).u32le(0).finish()));
    parts.push(w.rawBlock(BlockType.CUSTOM_COPYABLE, new ByteWriter().u32le(32473).bytes(Uint8Array.of(1, 2, 3)).finish()));
    parts.push(w.rawBlock(0x00000bee, Uint8Array.of(9, 9, 9, 9)));
    parts.push(w.enhancedPacket({ interfaceId: 1, ...packets[3]! }));
    const bytes = concat(parts);
    const path = writeTemp(tempDir(), 'rare-blocks.pcapng', bytes);
    const expected = tsharkFrames(path);
    expect(expected.run.stderr).toBe('');
    // tshark 4.0 shows the custom block as frame 4 (4 bytes of "data"): it
    // takes that number here too, but is no packet.
    expect(expected.frames).toHaveLength(5);
    expect(expected.frames[3]).toMatchObject({ frame: 4, len: 4 });
    for (const chunk of [5, 64, bytes.length]) {
      const read = readInChunks(bytes, chunk);
      expect(read.frames).toEqual(expected.frames.filter((f) => f.frame !== 4));
      expect(read.summary.packets).toBe(5);
    }
    expect(expected.frames[0]).toMatchObject({ capLen: 100, len: packets[0]!.originalLength, timeNs: 0n });
  });

  it('converts every if_tsresol and if_tsoffset as tshark does', () => {
    const packets = sourcePackets();
    // seconds, milli, micro, nano, 10^-10 seconds, and binary 2^-20 and 2^-32 fractions.
    const resolutions = [0, 3, 6, 9, 10, 0x80 | 20, 0x80 | 32];
    const w = new PcapngWriter(true);
    const parts = [w.sectionHeader()];
    const ids = resolutions.map((tsresol, i) => {
      const { id, block } = w.interfaceDescription({ linkType: 1, tsresol, tsOffsetSeconds: i === 2 ? 1_000_000n : 0n });
      parts.push(block);
      return id;
    });
    packets.forEach((p, i) => parts.push(w.enhancedPacket({ interfaceId: ids[i % ids.length]!, ...p })));
    const bytes = concat(parts);
    const path = writeTemp(tempDir(), 'resolutions.pcapng', bytes);
    const expected = tsharkFrames(path);
    expect(expected.run.stderr).toBe('');
    const read = readInChunks(bytes, 4096);
    expect(read.frames).toEqual(expected.frames);
    expect(read.interfaces.map((i) => i.tsresol)).toEqual(resolutions);
    expect(read.interfaces[2]!.tsOffsetSeconds).toBe(1_000_000);
    // Resolutions as fine as the source's microseconds give back its timestamps.
    const lossless = (i: number): boolean => [2, 3, 4].includes(i % resolutions.length);
    expect(read.frames.filter((_, i) => lossless(i)).map((f) => f.timeNs)).toEqual(
      packets.filter((_, i) => lossless(i)).map((p) => p.timestampNs),
    );
  });

  it('reads the secrets editcap --inject-secrets writes, before the packets', () => {
    const dir = tempDir();
    const keys = writeTemp(dir, 'keys.txt', new TextEncoder().encode(`CLIENT_RANDOM ${'ab'.repeat(32)} ${'cd'.repeat(48)}\n`));
    const out = `${dir}/with-secrets.pcapng`;
    expect(runTool('editcap', ['--inject-secrets', `tls,${keys}`, fixture('pcapplusplus-tls.pcap'), out]).status).toBe(0);
    const order: string[] = [];
    const read = readInChunks(readFileSync(out), 4096, {
      onSecrets: (type, data) => order.push(`secrets ${type.toString(16)} ${new TextDecoder().decode(data)}`),
      onPacket: (p) => order.push(`packet ${p.frame}`),
    });
    expect(order[0]).toBe(`secrets 544c534b CLIENT_RANDOM ${'ab'.repeat(32)} ${'cd'.repeat(48)}\n`);
    expect(order).toHaveLength(45);
    expect(read.summary.packets).toBe(44);
  });
});
