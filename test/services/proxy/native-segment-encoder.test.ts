import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinkType } from '../../../electron/core/capture/packet';
import { TcpPacketSynthesizer, type TcpPacketSynthesizerOptions } from '../../../electron/core/net/tcp-packet-synthesizer';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import { nativeSegmentEncoder, type SegmentEncoder } from '../../../electron/services/proxy/native-tunnel-relay';

/**
 * The relay addon's segment encoder (native/tunnel-relay/segment_encoder.c)
 * must give exactly the frames the synthesizer makes in JavaScript, as
 * pcapng Enhanced Packet Blocks: the recording is the same whichever runs.
 */
const encoder = nativeSegmentEncoder();

interface Frame {
  bytes: Buffer;
  timeNs: bigint;
}

type Script = (s: TcpPacketSynthesizer) => void;

/** The frames of `script` made in JavaScript. */
function framesInJs(options: Omit<TcpPacketSynthesizerOptions, 'sink'>, script: Script): Frame[] {
  const frames: Frame[] = [];
  script(new TcpPacketSynthesizer({ ...options, sink: (data, timeNs) => frames.push({ bytes: Buffer.from(data), timeNs }) }));
  return frames;
}

/** The same with every data run through the encoder, read back from its blocks (whose framing is checked on the way). */
function framesNatively(encode: SegmentEncoder, options: Omit<TcpPacketSynthesizerOptions, 'sink'>, script: Script): Frame[] {
  const frames: Frame[] = [];
  const out = new Uint8Array(8 * 1024 * 1024);
  const view = new DataView(out.buffer);
  let used = 0;
  script(new TcpPacketSynthesizer({
    ...options,
    sink: (data, timeNs) => frames.push({ bytes: Buffer.from(data), timeNs }),
    segmentRun: (headers, _headerLength, link, payload, mss, timeNs) => {
      const start = used;
      used += encode(out, start, headers, link, payload, mss, Number(timeNs >> 32n), Number(timeNs & 0xffffffffn));
      for (let at = start; at < used;) {
        const total = view.getUint32(at + 4, true);
        const length = view.getUint32(at + 20, true);
        expect(view.getUint32(at, true)).toBe(6);
        expect(view.getUint32(at + 8, true)).toBe(0);
        expect(view.getUint32(at + 24, true)).toBe(length);
        expect(total).toBe(32 + ((length + 3) & ~3));
        expect([...out.subarray(at + 28 + length, at + total - 4)].every((b) => b === 0)).toBe(true);
        expect(view.getUint32(at + total - 4, true)).toBe(total);
        const time = (BigInt(view.getUint32(at + 12, true)) << 32n) | BigInt(view.getUint32(at + 16, true));
        frames.push({ bytes: Buffer.from(out.subarray(at + 28, at + 28 + length)), timeNs: time });
        at += total;
      }
      return true;
    },
  }));
  return frames;
}

const T0 = 1_700_000_000_123_456_789n;

/** Chunks both ways, FIN, more bytes after it (dropped), the other FIN. */
function conversation(chunks: Uint8Array[]): Script {
  return (s) => {
    s.open(T0);
    chunks.forEach((c, i) => s.send(i % 2 ? 'server' : 'client', c, T0 + BigInt(i) * 1_000n));
    s.close('client', T0 + 10_000_000n);
    s.send('client', Uint8Array.of(1, 2, 3), T0 + 10_000_001n);
    s.send('server', Uint8Array.of(4, 5), T0 + 10_000_002n);
    s.close('server', T0 + 10_000_003n);
  };
}

const lengths = [1, 2, 3, 4, 5, 1439, 1440, 1441, 1459, 1460, 1461, 2920, 2921, 4000, 65536, 100_001];

describe.skipIf(!encoder)('native segment encoder', () => {
  const encode = encoder!;
  const cases: [string, Omit<TcpPacketSynthesizerOptions, 'sink'>][] = [
    ['IPv4 over Ethernet', { client: { ip: '10.0.0.1', port: 50000 }, server: { ip: '93.184.216.34', port: 443 } }],
    ['IPv6 over Ethernet', { client: { ip: '2001:db8::1', port: 50001 }, server: { ip: '2001:db8::2:1', port: 8443 } }],
    ['IPv4 raw', { client: { ip: '127.0.0.1', port: 40000 }, server: { ip: '127.0.0.1', port: 8080 }, linkType: LinkType.RAW }],
    ['IPv6 raw', { client: { ip: '::1', port: 40001 }, server: { ip: '::1', port: 80 }, linkType: LinkType.RAW }],
    // Sequence numbers wrap inside a run.
    ['IPv4, sequence numbers about to wrap', { client: { ip: '192.168.1.2', port: 1 }, server: { ip: '192.168.1.3', port: 65535 }, clientIsn: 0xffffff00, serverIsn: 0xfffffff0 }],
  ];
  for (const [name, options] of cases) {
    it(`gives the synthesizer's frames byte for byte: ${name}`, () => {
      const chunks = lengths.map((n) => randomBytes(n));
      const script = conversation(chunks);
      const native = framesNatively(encode, options, script);
      const js = framesInJs(options, script);
      expect(native.length).toBe(js.length);
      for (let i = 0; i < js.length; i++) {
        expect(native[i]!.timeNs).toBe(js[i]!.timeNs);
        expect(native[i]!.bytes.equals(js[i]!.bytes), `frame ${i}`).toBe(true);
      }
    });
  }

  it('gives the same frames for all-zero and all-ones payloads (checksums of 0x0000 and 0xffff sums)', () => {
    const options = { client: { ip: '0.0.0.0', port: 0 }, server: { ip: '0.0.0.0', port: 0 }, clientIsn: 0, serverIsn: 0, linkType: LinkType.RAW } as const;
    for (const fill of [0x00, 0xff]) {
      const script = conversation([Buffer.alloc(5000, fill), Buffer.alloc(3, fill), Buffer.alloc(1461, fill)]);
      const native = framesNatively(encode, options, script);
      const js = framesInJs(options, script);
      expect(native.map((f) => f.bytes.toString('hex'))).toEqual(js.map((f) => f.bytes.toString('hex')));
    }
  });

  it('counts IPv4 identifications on past 65535 (small MSS, many segments)', () => {
    const options = { client: { ip: '10.1.1.1', port: 9 }, server: { ip: '10.1.1.2', port: 10 }, mss: 1 };
    const [long, short] = [randomBytes(70_000), randomBytes(10)];
    const script: Script = (s) => {
      s.open(T0);
      s.send('client', long, T0);
      s.send('client', short, T0 + 1n);
    };
    const native = framesNatively(encode, options, script);
    const js = framesInJs(options, script);
    expect(native.length).toBe(js.length);
    expect(native.every((f, i) => f.bytes.equals(js[i]!.bytes))).toBe(true);
  });

  it('refuses an output without room, and headers that are not link | IP | TCP, without writing', () => {
    const headers = new Uint8Array(54);
    headers[14] = 0x45;
    const out = new Uint8Array(100);
    expect(() => encode(out, 0, headers, 14, new Uint8Array(100), 1460, 0, 0)).toThrow(RangeError);
    expect(() => encode(out, 101, headers, 14, new Uint8Array(1), 1460, 0, 0)).toThrow(RangeError);
    expect(() => encode(new Uint8Array(4096), 0, headers.subarray(0, 40), 14, new Uint8Array(1), 1460, 0, 0)).toThrow(RangeError);
    const notIp = new Uint8Array(54);
    expect(() => encode(new Uint8Array(4096), 0, notIp, 14, new Uint8Array(1), 1460, 0, 0)).toThrow(RangeError);
    expect(() => encode(new Uint8Array(4096), 0, headers, 14, new Uint8Array(1), 0, 0, 0)).toThrow(RangeError);
    expect(out.every((b) => b === 0)).toBe(true);
  });
});

describe('native segment encoder availability', () => {
  it('is built with the relay (npm run build), else recording runs in JavaScript', () => {
    expect(encoder).not.toBeNull();
  });
});

/** Frame data of every Enhanced Packet Block of a pcapng file (little-endian, as BatchedPcapngFile writes). */
function blockFrames(file: Buffer): string[] {
  const frames: string[] = [];
  for (let at = 0; at + 12 <= file.length;) {
    const total = file.readUInt32LE(at + 4);
    if (file.readUInt32LE(at) === 6) frames.push(file.subarray(at + 28, at + 28 + file.readUInt32LE(at + 20)).toString('hex'));
    at += total;
  }
  return frames;
}

describe.skipIf(!encoder)('LegRecorder with the native segment encoder', () => {
  it('records the same frames, numbered the same, to the file and to onPacket, as without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlswb-segments-'));
    try {
      const chunks = lengths.map((n) => randomBytes(n));
      const run = async (segmentEncoder: SegmentEncoder | null, file: string): Promise<{ packets: string[]; frames: number[]; count: number }> => {
        const packets: string[] = [];
        const frames: number[] = [];
        const recorder = await LegRecorder.create({
          file, segmentEncoder,
          onPacket: (p) => {
            packets.push(Buffer.from(p.data).toString('hex'));
            frames.push(p.frame);
          },
        });
        const leg = recorder.leg({ ip: '::ffff:127.0.0.1', port: 41000 }, { ip: '127.0.0.1', port: 8080 }, { id: 1, leg: 'client' });
        leg.open();
        chunks.forEach((c, i) => leg.sent(i % 2 ? 'server' : 'client', c, T0 + BigInt(i)));
        leg.close('client', T0 + 100n);
        leg.close('server', T0 + 101n);
        await recorder.close();
        return { packets, frames, count: recorder.frames };
      };
      const withEncoder = await run(encoder, join(dir, 'native.pcapng'));
      const withoutEncoder = await run(null, join(dir, 'js.pcapng'));
      expect(withEncoder.packets).toEqual(withoutEncoder.packets);
      expect(withEncoder.frames).toEqual(withoutEncoder.frames);
      expect(withEncoder.count).toBe(withoutEncoder.count);
      expect(withEncoder.frames).toEqual(withEncoder.frames.map((_, i) => i + 1));
      const fromFile = blockFrames(readFileSync(join(dir, 'native.pcapng')));
      expect(fromFile).toEqual(blockFrames(readFileSync(join(dir, 'js.pcapng'))));
      expect(fromFile).toEqual(withEncoder.packets);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the synthesizer\'s shared frame memory', () => {
  it('gives each synthesizer its own frames when a larger MSS grows it in between (and the encoder agrees at that MSS)', () => {
    const small = { client: { ip: '10.0.0.1', port: 1000 }, server: { ip: '10.0.0.2', port: 443 } };
    const large = { client: { ip: '10.0.0.3', port: 1001 }, server: { ip: '10.0.0.4', port: 443 }, mss: 65483 };
    const chunks = [randomBytes(100_000), randomBytes(5), randomBytes(65_483), randomBytes(65_484)];
    const script = conversation(chunks);
    const alone = [framesInJs(small, script), framesInJs(large, script), framesInJs(small, script)];
    // Interleaved: made small, large (grows the memory), small; each sends in turn.
    const got: Buffer[][] = [[], [], []];
    const synths = [small, large, small].map((o, i) => new TcpPacketSynthesizer({ ...o, sink: (d) => got[i]!.push(Buffer.from(d)) }));
    synths.forEach((s) => s.open(T0));
    chunks.forEach((c, k) => synths.forEach((s) => s.send(k % 2 ? 'server' : 'client', c, T0 + BigInt(k) * 1_000n)));
    synths.forEach((s) => {
      s.close('client', T0 + 10_000_000n);
      s.send('client', Uint8Array.of(1, 2, 3), T0 + 10_000_001n);
      s.send('server', Uint8Array.of(4, 5), T0 + 10_000_002n);
      s.close('server', T0 + 10_000_003n);
    });
    for (let i = 0; i < 3; i++) expect(got[i]!.map((b) => b.toString('hex'))).toEqual(alone[i]!.map((f) => f.bytes.toString('hex')));
    if (encoder) {
      const native = framesNatively(encoder, large, script);
      expect(native.map((f) => f.bytes.toString('hex'))).toEqual(alone[1]!.map((f) => f.bytes.toString('hex')));
    }
  });
});
