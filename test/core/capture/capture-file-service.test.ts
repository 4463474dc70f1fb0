/**
 * readCaptureFile streams files, gzip and standard input into the reader;
 * damage (including a cut gzip stream) is a result, unreadable input a
 * CaptureFileError with a one-line message. PcapngFileWriter writes files
 * tshark reads.
 */
import { chmodSync, createReadStream, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CaptureFileError, readCaptureFile } from '../../../electron/services/capture-file';
import { PcapngFileWriter } from '../../../electron/services/pcapng-file-writer';
import { fixture, tempDir, tsharkFrames, writeTemp } from './capture-test-helpers';

async function frameNumbers(path: string, options = {}): Promise<{ frames: number[]; result: Awaited<ReturnType<typeof readCaptureFile>> }> {
  const frames: number[] = [];
  const result = await readCaptureFile(path, { onPacket: (p) => frames.push(p.frame) }, options);
  return { frames, result };
}

async function captureFileError(promise: Promise<unknown>): Promise<CaptureFileError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof CaptureFileError) return e;
    throw e;
  }
  throw new Error('expected a CaptureFileError');
}

describe('readCaptureFile', () => {
  it('reads a pcapng file in small chunks as tshark does', async () => {
    const path = fixture('pcapplusplus-pcapng-example.pcapng');
    const { frames, result } = await frameNumbers(path, { chunkBytes: 97 });
    expect(frames).toEqual(tsharkFrames(path).frames.map((f) => f.frame));
    expect(result).toEqual({ packets: 159, linkTypes: [1, 113], damaged: null, format: 'pcapng', compressed: false });
  });

  it('gunzips a gzip-compressed pcap on the fly', async () => {
    const path = fixture('zeek-tls-fragmented-handshake.pcap.gz');
    const { frames, result } = await frameNumbers(path, { chunkBytes: 4096 });
    expect(frames).toHaveLength(tsharkFrames(path).frames.length);
    expect(result).toEqual({ packets: 416, linkTypes: [1], damaged: null, format: 'pcap', compressed: true });
  });

  it('reports a cut gzip stream as damage after the last whole packet, as tshark stops there', async () => {
    const whole = readFileSync(fixture('zeek-tls-fragmented-handshake.pcap.gz'));
    const path = writeTemp(tempDir(), 'cut.pcap.gz', whole.subarray(0, 20000));
    const tshark = tsharkFrames(path);
    expect(tshark.run.stderr).toContain('cut short');
    const { frames, result } = await frameNumbers(path, { chunkBytes: 1000 });
    expect(frames).toEqual(tshark.frames.map((f) => f.frame));
    expect(result.damaged).toEqual({ afterPacket: tshark.frames.length, reason: expect.stringMatching(/^gzip data is truncated or corrupt/) });
  });

  it("reads '-' from the given standard input stream", async () => {
    const path = fixture('pcapplusplus-tls.pcap');
    const stdin = createReadStream(path, { highWaterMark: 1 });
    const { frames, result } = await frameNumbers('-', { stdin });
    expect(frames).toHaveLength(44);
    expect(result.damaged).toBeNull();
  });

  it('reads a gzip stream on standard input', async () => {
    const dir = tempDir();
    const gz = writeTemp(dir, 'tls.pcap.gz', gzipSync(readFileSync(fixture('ndpi-steam.pcapng'))));
    const { result } = await frameNumbers('-', { stdin: createReadStream(gz, { highWaterMark: 1 }) });
    expect(result).toMatchObject({ packets: 48, format: 'pcapng', compressed: true, damaged: null });
  });

  it('stops at damage and says where', async () => {
    const { frames, result } = await frameNumbers(fixture('suricata-bug-1450-04-tls_DER-incomplete-header.pcap'));
    expect(frames).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.damaged).toEqual({ afterPacket: 6, reason: 'record length 4325376 exceeds the maximum of 262144 bytes' });
  });

  it('stops reading standard input at damage, without waiting for the pipe to close', async () => {
    const damaged = readFileSync(fixture('suricata-bug-1450-04-tls_DER-incomplete-header.pcap'));
    for (const bytes of [damaged, gzipSync(damaged)]) {
      const pipe = new PassThrough();
      pipe.write(bytes); // and never end()
      const { result } = await frameNumbers('-', { stdin: pipe });
      expect(result.damaged?.afterPacket).toBe(6);
    }
  });

  it('lets an exception from a handler through unchanged', async () => {
    const boom = new Error('consumer failed');
    await expect(
      readCaptureFile(fixture('pcapplusplus-tls.pcap'), {
        onPacket: (p) => {
          if (p.frame === 3) throw boom;
        },
      }),
    ).rejects.toBe(boom);
  });

  describe('unreadable input is a CaptureFileError with a one-line message', () => {
    it('no such file', async () => {
      const e = await captureFileError(frameNumbers('/nonexistent/x.pcap'));
      expect([e.kind, e.message]).toEqual(['not-found', 'no such file: /nonexistent/x.pcap']);
    });

    it('a directory', async () => {
      const dir = tempDir();
      const e = await captureFileError(frameNumbers(dir));
      expect(e.kind).toBe('read-error');
      expect(e.message).toBe(`is a directory, not a capture file: ${dir}`);
    });

    it('a text file, plain or gzipped, and gzip garbage', async () => {
      const dir = tempDir();
      const text = new TextEncoder().encode('hello, this is not a capture\n');
      for (const [name, bytes] of [
        ['notes.txt', text],
        ['notes.txt.gz', gzipSync(text)],
        ['garbage.gz', Uint8Array.of(0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)],
        ['empty.pcap', new Uint8Array(0)],
      ] as const) {
        const path = writeTemp(dir, name, bytes);
        const e = await captureFileError(frameNumbers(path));
        expect(e.kind, name).toBe('not-a-capture');
        expect(e.message.startsWith(`not a capture file (pcap or pcapng): ${path}`), e.message).toBe(true);
        expect(e.message).not.toContain('\n');
      }
    });

    it.skipIf(process.getuid?.() === 0)('a file without read permission', async () => {
      const dir = tempDir();
      const path = writeTemp(dir, 'secret.pcap', readFileSync(fixture('pcapplusplus-tls.pcap')));
      chmodSync(path, 0o000);
      const e = await captureFileError(frameNumbers(path));
      expect([e.kind, e.message]).toEqual(['permission', `permission denied: ${path}`]);
    });
  });
});

describe('PcapngFileWriter', () => {
  it('spools packets and secrets into a file tshark and readCaptureFile read', async () => {
    const source: Array<{ timestampNs: bigint; data: Uint8Array; originalLength: number }> = [];
    await readCaptureFile(fixture('pcapplusplus-tls.pcap'), {
      onPacket: (p) => source.push({ timestampNs: p.timestampNs, data: p.data.slice(), originalLength: p.originalLength }),
    });
    const path = `${tempDir()}/spool.pcapng`;
    const writer = await PcapngFileWriter.open(path, { userAppl: 'tlswb test' });
    const id = writer.addInterface({ linkType: 1, name: 'lo' });
    writer.writeSecrets(`CLIENT_RANDOM ${'aa'.repeat(32)} ${'bb'.repeat(48)}\n`);
    for (const p of source) {
      if (!writer.writePacket({ interfaceId: id, ...p })) await writer.drained();
    }
    await writer.close();

    const tshark = tsharkFrames(path);
    expect(tshark.run.stderr).toBe('');
    expect(tshark.frames.map((f) => f.timeNs)).toEqual(source.map((p) => p.timestampNs));
    const secrets: string[] = [];
    const result = await readCaptureFile(path, { onPacket: () => undefined, onSecrets: (_t, d) => secrets.push(new TextDecoder().decode(d)) });
    expect(result).toMatchObject({ packets: 44, linkTypes: [1], damaged: null });
    expect(secrets).toHaveLength(1);
  });

  it('rejects when the file cannot be created', async () => {
    await expect(PcapngFileWriter.open(`${tempDir()}/missing/spool.pcapng`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
