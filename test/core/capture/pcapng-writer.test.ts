/**
 * The pcapng writer's files are read by capinfos and tshark without a
 * warning, and packets, timestamps, comments and secrets round-trip through
 * tshark and through the project's reader.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../electron/core/bytes/byte-writer';
import { PcapngWriter, SecretsType } from '../../../electron/core/capture/pcapng-writer';
import { fixture, readInChunks, runTool, tempDir, tsharkFrames, writeTemp } from './capture-test-helpers';

const KEY_LOG = `CLIENT_RANDOM ${'11'.repeat(32)} ${'22'.repeat(48)}\n`;

interface Copied {
  timestampNs: bigint;
  data: Uint8Array;
  originalLength: number;
}

function corpusPackets(): Copied[] {
  const out: Copied[] = [];
  readInChunks(readFileSync(fixture('pcapplusplus-tls.pcap')), 1 << 16, {
    onPacket: (p) => out.push({ timestampNs: p.timestampNs, data: p.data.slice(), originalLength: p.originalLength }),
  });
  return out;
}

/** A capture the way the proxy or the capture spool writes one: SHB, IDB (ns), secrets, packets. */
function writeCapture(littleEndian: boolean): { bytes: Uint8Array; packets: Copied[] } {
  const packets = corpusPackets();
  // Nanosecond digits the µs source lacks, to see that nothing is rounded away.
  packets.forEach((p, i) => (p.timestampNs += BigInt(i * 7 + 1)));
  const w = new PcapngWriter(littleEndian);
  const out = new ByteWriter(1 << 16);
  out.bytes(w.sectionHeader({ hardware: 'x86_64', os: 'Linux', userAppl: 'tlswb 0.1.0', comment: 'written by a test' }));
  const { id, block } = w.interfaceDescription({ linkType: 1, snaplen: 65535, name: 'lo', tsresol: 9 });
  out.bytes(block);
  out.bytes(w.decryptionSecrets(KEY_LOG));
  packets.forEach((p, i) =>
    out.bytes(w.enhancedPacket({ interfaceId: id, ...p, comment: i === 3 ? 'the fourth packet' : undefined })),
  );
  return { bytes: out.finish(), packets };
}

describe('pcapng writer', () => {
  for (const littleEndian of [true, false]) {
    const order = littleEndian ? 'little-endian' : 'big-endian';

    it(`writes a ${order} file capinfos and tshark read without a warning`, () => {
      const { bytes, packets } = writeCapture(littleEndian);
      const path = writeTemp(tempDir(), 'written.pcapng', bytes);

      const capinfos = runTool('capinfos', [path]);
      expect(capinfos.status).toBe(0);
      expect(capinfos.stderr).toBe('');
      expect(capinfos.stdout).toMatch(/File type:\s+Wireshark\/\.\.\. - pcapng/);
      expect(capinfos.stdout).toMatch(/Number of packets:\s+44/);
      expect(capinfos.stdout).toMatch(/File timestamp precision:\s+nanoseconds \(9\)/);
      expect(capinfos.stdout).toMatch(/Capture hardware:\s+x86_64/);
      expect(capinfos.stdout).toMatch(/Capture application:\s+tlswb 0\.1\.0/);
      expect(capinfos.stdout).toMatch(/Capture comment:\s+written by a test/);
      expect(capinfos.stdout).toMatch(/Interface #0 info:\s+Name = lo/);
      expect(capinfos.stdout).toMatch(/Number of decryption secrets in file: 1/);

      const tshark = tsharkFrames(path);
      expect(tshark.run.stderr).toBe('');
      expect(tshark.frames.map((f) => f.timeNs)).toEqual(packets.map((p) => p.timestampNs));
      expect(tshark.frames.map((f) => f.len)).toEqual(packets.map((p) => p.originalLength));

      const read = readInChunks(bytes, 1000);
      expect(read.frames).toEqual(tshark.frames);
      expect(read.comments).toEqual([
        { text: 'written by a test', frame: null },
        { text: 'the fourth packet', frame: 4 },
      ]);
      expect(read.secrets.map((s) => [s.type, new TextDecoder().decode(s.data)])).toEqual([[SecretsType.TLS_KEY_LOG, KEY_LOG]]);
    });
  }

  it('writes the same Decryption Secrets Block as editcap --inject-secrets, and a packet comment tshark shows', () => {
    const dir = tempDir();
    const keys = writeTemp(dir, 'keys.txt', new TextEncoder().encode(KEY_LOG));
    const injected = `${dir}/injected.pcapng`;
    expect(runTool('editcap', ['--inject-secrets', `tls,${keys}`, fixture('pcapplusplus-tls.pcap'), injected]).status).toBe(0);
    const editcapDsb = findBlock(readFileSync(injected), 0x0000000a);
    expect(new PcapngWriter(true).decryptionSecrets(KEY_LOG)).toEqual(editcapDsb);

    const path = writeTemp(dir, 'written.pcapng', writeCapture(true).bytes);
    const comment = runTool('tshark', ['-r', path, '-Y', 'frame.comment', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.comment']);
    expect(comment.stdout).toBe('4\tthe fourth packet\n');
  });

  it('keeps interfaces with other resolutions in their own units', () => {
    const w = new PcapngWriter();
    const parts = [w.sectionHeader()];
    const micro = w.interfaceDescription({ linkType: 101, tsresol: 6, name: 'tun0' });
    parts.push(micro.block);
    const ts = 1_700_000_000_123_456_000n;
    parts.push(w.enhancedPacket({ interfaceId: micro.id, timestampNs: ts, data: Uint8Array.of(0x45, 0, 0, 20), originalLength: 20 }));
    const read = readInChunks(new ByteWriter().bytes(parts[0]!).bytes(parts[1]!).bytes(parts[2]!).finish(), 7);
    expect(read.interfaces[0]).toMatchObject({ linkType: 101, tsresol: 6, name: 'tun0' });
    expect(read.frames[0]).toMatchObject({ timeNs: ts, len: 20, capLen: 4 });
    expect(() => w.enhancedPacket({ interfaceId: 5, timestampNs: ts, data: new Uint8Array(1) })).toThrow(RangeError);
  });
});

/** The first block of `type` in a little-endian pcapng file. */
function findBlock(bytes: Uint8Array, type: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = 0; off + 12 <= bytes.length; off += view.getUint32(off + 4, true)) {
    if (view.getUint32(off, true) === type) return new Uint8Array(bytes.subarray(off, off + view.getUint32(off + 4, true)));
  }
  throw new Error(`no block of type ${type}`);
}
