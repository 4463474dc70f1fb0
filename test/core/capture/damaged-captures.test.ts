/**
 * Damaged captures: the reader delivers every packet before the damage, then
 * stops where tshark and capinfos stop, and says why. Files that are no
 * captures at all are a typed error.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NotACaptureFileError } from '../../../electron/core/capture/capture-errors';
import { createCaptureReader } from '../../../electron/core/capture/capture-reader';
import { PcapngWriter } from '../../../electron/core/capture/pcapng-writer';
import { fixture, readInChunks, runTool, tempDir, tsharkFrames, writeTemp } from './capture-test-helpers';

/** Offsets of each record (pcap) or block (pcapng) of a little-endian file. */
function unitOffsets(bytes: Uint8Array, pcapng: boolean): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets: number[] = [];
  for (let off = pcapng ? 0 : 24; off < bytes.length; ) {
    offsets.push(off);
    off += pcapng ? view.getUint32(off + 4, true) : 16 + view.getUint32(off + 8, true);
  }
  return offsets;
}

/** The reader and tshark on the same damaged bytes: same packets, and both see damage. */
function expectSameStopAsTshark(name: string, bytes: Uint8Array, chunk = 777): string {
  const path = writeTemp(tempDir(), name, bytes);
  const tshark = tsharkFrames(path);
  const read = readInChunks(bytes, chunk);
  expect(read.frames, name).toEqual(tshark.frames);
  expect(tshark.run.stderr, name).toMatch(/damaged or corrupt|cut short/);
  expect(read.summary.damaged, name).not.toBeNull();
  expect(read.summary.damaged!.afterPacket).toBe(tshark.frames.length);
  return read.summary.damaged!.reason;
}

describe('damaged captures', () => {
  for (const file of [
    'suricata-bug-1450-04-tls_DER-incomplete-header.pcap',
    'suricata-bug-1450-05-tls_DER-incomplete-content.pcap',
  ]) {
    it(`${file}: six packets, then the record length tshark and capinfos reject`, () => {
      const path = fixture(file);
      const tshark = tsharkFrames(path);
      expect(tshark.run.stderr).toContain('File has 4325376-byte packet, bigger than maximum of 262144');
      expect(runTool('capinfos', [path]).stderr).toContain('An error occurred after reading 6 packets');
      const read = readInChunks(readFileSync(path), 1000);
      expect(read.frames).toEqual(tshark.frames);
      expect(read.summary.damaged).toEqual({
        afterPacket: 6,
        reason: 'record length 4325376 exceeds the maximum of 262144 bytes',
      });
    });
  }

  it('a pcap cut inside a record header or inside packet data keeps the packets before the cut', () => {
    const bytes = readFileSync(fixture('pcapplusplus-tls.pcap'));
    const offsets = unitOffsets(bytes, false);
    const cuts = [offsets[5]! + 7, offsets[10]! + 16 + 3, bytes.length - 1];
    const reasons = cuts.map((cut) => expectSameStopAsTshark(`cut-${cut}.pcap`, bytes.subarray(0, cut)));
    expect(reasons[0]).toBe('file ends inside a record header (7 of 16 bytes)');
    expect(reasons[1]).toMatch(/^file ends in the middle of a packet record \(19 of \d+ bytes\)$/);
  });

  it('a pcap cut exactly between records is complete, not damaged', () => {
    const bytes = readFileSync(fixture('pcapplusplus-tls.pcap'));
    const cut = unitOffsets(bytes, false)[20]!;
    const path = writeTemp(tempDir(), 'cut.pcap', bytes.subarray(0, cut));
    const tshark = tsharkFrames(path);
    expect(tshark.run.stderr).toBe('');
    const read = readInChunks(bytes.subarray(0, cut), 100);
    expect(read.frames).toEqual(tshark.frames);
    expect(read.summary).toMatchObject({ packets: 20, damaged: null });
  });

  it('a pcapng cut inside a block keeps the packets before the cut', () => {
    const bytes = readFileSync(fixture('pcapplusplus-many_interfaces-1.pcapng'));
    const offsets = unitOffsets(bytes, true);
    for (const cut of [offsets[30]! + 5, offsets[40]! + 30, bytes.length - 2]) {
      expectSameStopAsTshark(`cut-${cut}.pcapng`, bytes.subarray(0, cut), 64);
    }
  });

  describe('impossible pcapng blocks stop reading where tshark stops', () => {
    const original = readFileSync(fixture('pcapplusplus-pcapng-example.pcapng'));
    const offsets = unitOffsets(original, true);
    // Block 50 is an Enhanced Packet Block in the middle of the file.
    const at = offsets[50]!;
    const corrupt = (edit: (view: DataView) => void): Uint8Array => {
      const bytes = new Uint8Array(original);
      edit(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return bytes;
    };
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['length not a multiple of 4', corrupt((v) => v.setUint32(at + 4, v.getUint32(at + 4, true) + 2, true)), /is not a multiple of 4/],
      ['length below the minimum', corrupt((v) => v.setUint32(at + 4, 8, true)), /less than the minimum of 32 bytes \(enhanced packet block\)/],
      ['length past any sane size', corrupt((v) => v.setUint32(at + 4, 0x7ffffffc, true)), /exceeds the maximum/],
      ['trailing length that differs', corrupt((v) => v.setUint32(offsets[51]! - 4, 0xabcd, true)), /trailing block length 43981 does not match/],
      ['unknown interface', corrupt((v) => v.setUint32(at + 8, 7, true)), /refers to interface 7, but the section has declared 1 so far/],
      ['captured length past the block', corrupt((v) => v.setUint32(at + 20, 5000, true)), /packet length 5000 does not fit/],
    ];
    for (const [what, bytes, reason] of cases) {
      it(what, () => {
        expect(expectSameStopAsTshark('corrupt.pcapng', bytes)).toMatch(reason);
      });
    }
  });

  it('a file of nothing but interface descriptions stops at 65536 interfaces', () => {
    const w = new PcapngWriter(true);
    const idb = w.interfaceDescription({ linkType: 1, snaplen: 0, tsresol: 6 }).block;
    const count = 65_537;
    const bytes = new Uint8Array(28 + count * idb.length);
    bytes.set(w.sectionHeader(), 0);
    for (let i = 0; i < count; i++) bytes.set(idb, 28 + i * idb.length);
    let interfaces = 0;
    const read = readInChunks(bytes, 1 << 16, { onInterface: () => void interfaces++ });
    expect(interfaces).toBe(65_536);
    expect(read.summary.damaged).toEqual({ afterPacket: 0, reason: 'more than 65536 interface description blocks' });
  });

  it('a huge claimed length at the end of the input is waited for only as far as bytes arrive', () => {
    // A record header claiming 262144 bytes, then the input ends: damage, and
    // the carry-over holds what arrived, not what was claimed.
    const bytes = new Uint8Array(readFileSync(fixture('pcapplusplus-tls.pcap')).subarray(0, 24 + 16 + 10));
    new DataView(bytes.buffer).setUint32(24 + 8, 262_144, true);
    const read = readInChunks(bytes, 8);
    expect(read.summary.damaged).toEqual({ afterPacket: 0, reason: 'file ends in the middle of a packet record (26 of 262160 bytes)' });
  });
});

describe('not a capture file', () => {
  // tshark guesses other formats for some (an empty file as ERF, three bytes as MP4): only pcap/pcapng matter here.
  const notCaptures: Array<[string, Uint8Array, boolean]> = [
    ['a text file', new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n'), true],
    ['an empty file', new Uint8Array(0), false],
    ['three bytes', Uint8Array.of(0xd4, 0xc3, 0xb2), false],
    ['a pcapng header with a bad byte-order magic', new PcapngWriter(true).sectionHeader().map((b, i) => (i >= 8 && i < 12 ? 0x55 : b)), true],
    ['a pcap of version 1.0', Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 1, 0, 0, 0, ...new Array<number>(16).fill(0)), true],
  ];
  for (const [what, bytes, tsharkRefuses] of notCaptures) {
    it(`${what} is a NotACaptureFileError${tsharkRefuses ? ', and tshark refuses it too' : ''}`, () => {
      const reader = createCaptureReader({ onPacket: () => undefined });
      let error: unknown;
      try {
        reader.feed(bytes);
        reader.end();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NotACaptureFileError);
      expect((error as Error).message).toBe('not a capture file (pcap or pcapng)');
      if (tsharkRefuses) expect(runTool('tshark', ['-r', writeTemp(tempDir(), 'x', bytes)]).status).not.toBe(0);
    });
  }
});
