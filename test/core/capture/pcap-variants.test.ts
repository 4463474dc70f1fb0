/**
 * pcap variants the corpus lacks, made from a corpus capture: nanosecond
 * timestamps (editcap -F nsecpcap) and big-endian files (byte-swapped), read
 * exactly as tshark reads them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, pcapToBigEndian, readInChunks, runTool, tempDir, tsharkFrames, writeTemp } from './capture-test-helpers';

const SOURCE = fixture('pcapplusplus-tls.pcap');

function nanosecondPcap(dir: string): string {
  const out = `${dir}/tls-nsec.pcap`;
  const run = runTool('editcap', ['-F', 'nsecpcap', SOURCE, out]);
  expect(run.status).toBe(0);
  return out;
}

describe('pcap variants', () => {
  it('reads a nanosecond pcap (magic a1b23c4d) as tshark does', () => {
    const path = nanosecondPcap(tempDir());
    const bytes = readFileSync(path);
    expect([...bytes.subarray(0, 4)]).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
    const read = readInChunks(bytes, 333);
    expect(read.interfaces[0]!.tsresol).toBe(9);
    expect(read.frames).toEqual(tsharkFrames(path).frames);
    expect(read.summary.packets).toBe(44);
  });

  it('reads big-endian pcap files, microsecond and nanosecond, as tshark does', () => {
    const dir = tempDir();
    for (const [name, source] of [['be-usec.pcap', SOURCE], ['be-nsec.pcap', nanosecondPcap(dir)]] as const) {
      const bigEndian = pcapToBigEndian(readFileSync(source));
      const path = writeTemp(dir, name, bigEndian);
      const expected = tsharkFrames(path);
      expect(expected.run.stderr).toBe('');
      expect(expected.frames).toHaveLength(44);
      const read = readInChunks(bigEndian, 1000);
      expect(read.frames, name).toEqual(expected.frames);
      expect(read.frames).toEqual(readInChunks(readFileSync(source), 1000).frames);
    }
  });

  it('masks the FCS bits off the link type and reports the FCS length', () => {
    const bytes = new Uint8Array(readFileSync(SOURCE));
    // LinkType field: FCS present (bit 26), FCS length 2 words (bits 28-31), Ethernet.
    new DataView(bytes.buffer).setUint32(20, 0x24000001, true);
    const read = readInChunks(bytes, 4096);
    expect(read.interfaces[0]!.linkType).toBe(1);
    expect(read.interfaces[0]!.fcsBytes).toBe(4);
    expect(read.summary.linkTypes).toEqual([1]);
  });

  it('reads a header-only pcap as an empty capture', () => {
    const read = readInChunks(readFileSync(SOURCE).subarray(0, 24), 24);
    expect(read.summary).toEqual({ format: 'pcap', packets: 0, linkTypes: [1], damaged: null });
  });
});
