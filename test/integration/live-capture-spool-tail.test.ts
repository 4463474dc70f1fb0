import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../electron/core/capture/capture-reader';
import { PcapngWriter } from '../../electron/core/capture/pcapng-writer';
import { SessionAnalyzer } from '../../electron/core/session/analyzer';
import { readCaptureFile } from '../../electron/services/capture-file';
import { SpoolTail } from '../../electron/services/capture-spool-tail';
import { PcapngStreamEncoder } from '../../native/pcapng-stream-encoder';
import { analyzeWithCli, repoRoot } from '../support/oracle';
import { tsharkPacketCount } from './live-capture-support';

/**
 * The parent side of live capture follows the spool file the helper writes.
 * These tests write a real capture into a file the way the helper does (in
 * pieces that split blocks anywhere) and check what the tail hands on.
 */

const fixture = join(repoRoot, 'test', 'fixtures', 'live-capture', 'pcapplusplus-tls.pcap');
const dir = mkdtempSync(join(tmpdir(), 'tlswb-spool-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fixture as the helper's pcapng stream (SHB, IDB, EPBs), in one buffer. */
async function helperStream(): Promise<Buffer> {
  const parts: Buffer[] = [];
  const encoder = new PcapngStreamEncoder((b) => parts.push(Buffer.from(b)));
  encoder.header({ userAppl: 'test' }, { linkType: 1, snaplen: 65535, name: 'eth0' });
  await readCaptureFile(fixture, { onPacket: (p) => encoder.packet(p.timestampNs, p.data, p.data.length, p.originalLength) });
  encoder.flush();
  return Buffer.concat(parts);
}

function analyzerOver(tailPath: string): { tail: SpoolTail; analyzer: SessionAnalyzer; delivered: number[] } {
  const analyzer = new SessionAnalyzer();
  const reader = createCaptureReader({ onPacket: (p) => analyzer.push(p) });
  const delivered: number[] = [];
  const tail = new SpoolTail(tailPath, (bytes) => {
    delivered.push(bytes.length);
    reader.feed(bytes);
  });
  return { tail, analyzer, delivered };
}

describe('following the spool file the capture helper writes', () => {
  it('hands on whole blocks only, however the writes split them, and the analysis equals the whole file\'s', async () => {
    const stream = await helperStream();
    const path = join(dir, 'growing.pcapng');
    writeFileSync(path, '');
    const { tail, analyzer } = analyzerOver(path);
    const boundaries = new Set([0]);
    for (let b = 0; b < stream.length; b += stream.readUInt32LE(b + 4)) boundaries.add(b + stream.readUInt32LE(b + 4));
    // Odd piece sizes put block ends everywhere: inside headers, lengths, packet bytes and trailers.
    let offset = 0;
    for (let piece = 1; offset < stream.length; piece = (piece * 7 + 3) % 997 + 1) {
      const end = Math.min(stream.length, offset + piece);
      appendFileSync(path, stream.subarray(offset, end));
      offset = end;
      tail.readAvailable(1000);
      // What was handed on always ends on a block boundary, as close to the end as whole blocks go.
      expect(boundaries.has(tail.offset)).toBe(true);
      expect([...boundaries].some((b) => b > tail.offset && b <= offset)).toBe(false);
    }
    expect(tail.offset).toBe(stream.length);
    expect(tail.behind).toBe(0);
    tail.close();
    analyzer.finish();
    const whole = analyzeWithCli(fixture);
    expect(analyzer.sessions.map((s) => s.sni)).toEqual(whole.sessions.map((s) => s.sni));
    expect(analyzer.sessions.map((s) => s.messages.length)).toEqual(whole.sessions.map((s) => s.messages.length));
  });

  it('cuts the block a killed writer left half-written, so that tshark reads the file to its end', async () => {
    const stream = await helperStream();
    const path = join(dir, 'killed.pcapng');
    // The helper was killed 10 bytes into its last block.
    const lastBlockLength = stream.readUInt32LE(stream.length - 4);
    const cut = stream.length - lastBlockLength + 10;
    writeFileSync(path, stream.subarray(0, cut));
    expect(() => tsharkPacketCount(path)).toThrow(/cut short|damaged|corrupt/);
    const { tail } = analyzerOver(path);
    while (tail.readAvailable(1000));
    expect(tail.trimPartialBlock()).toBe(10);
    tail.close();
    expect(statSync(path).size).toBe(stream.length - lastBlockLength);
    const packets = analyzeWithCli(fixture).file.packets;
    expect(tsharkPacketCount(path)).toBe(packets - 1);
    expect(analyzeWithCli(path).file.damaged).toBeNull();
  });

  it('frames a big-endian section as well', () => {
    const writer = new PcapngWriter(false);
    const shb = writer.sectionHeader({});
    const idb = writer.interfaceDescription({ linkType: 1, snaplen: 65535 });
    const frame = readFileSync(fixture).subarray(40, 100);
    const blocks = [shb, idb.block,
      writer.enhancedPacket({ interfaceId: idb.id, timestampNs: 1_700_000_000_000_000_000n, data: frame })];
    const path = join(dir, 'big-endian.pcapng');
    writeFileSync(path, Buffer.concat([...blocks, blocks[2]!.subarray(0, 20)]));
    const { tail, delivered } = analyzerOver(path);
    tail.readAvailable(1000);
    const whole = blocks.reduce((n, b) => n + b.length, 0);
    expect(tail.offset).toBe(whole);
    expect(delivered).toEqual([whole]);
    tail.close();
  });

  it('passes bytes that are no pcapng block on to the reader, which stops there, instead of waiting forever', () => {
    const path = join(dir, 'garbage.pcapng');
    const writer = new PcapngWriter(true);
    const shb = writer.sectionHeader({});
    const garbage = Buffer.alloc(64, 0xff);
    writeFileSync(path, Buffer.concat([shb, garbage]));
    const damage: string[] = [];
    const reader = createCaptureReader({ onPacket: () => undefined });
    const tail = new SpoolTail(path, (bytes) => reader.feed(bytes));
    expect(tail.readAvailable(1000)).toBe(false);
    if (reader.damaged) damage.push(reader.damaged.reason);
    expect(tail.offset).toBe(shb.length + garbage.length);
    expect(damage.length).toBe(1);
    appendFileSync(path, shb);
    expect(tail.readAvailable(1000)).toBe(false);
    expect(tail.offset).toBe(shb.length + garbage.length);
    tail.close();
  });
});
