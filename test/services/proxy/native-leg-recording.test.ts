import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LinkType } from '../../../electron/core/capture/packet';
import { TcpPacketSynthesizer, type TcpPacketSynthesizerOptions, type TcpSide } from '../../../electron/core/net/tcp-packet-synthesizer';
import { BatchedPcapngFile } from '../../../electron/services/proxy/batched-pcapng-file';
import { nativeLegEventRecorder } from '../../../electron/services/proxy/native-tunnel-relay';
import { seededRandom } from '../../support/fuzz-mutations';

/**
 * The relay's leg recorder (native/tunnel-relay/leg_recording.c) must write
 * exactly the blocks TcpPacketSynthesizer + BatchedPcapngFile write for the
 * same events, from whatever state the synthesizer hands over: two files,
 * one written all in JavaScript, one handed over to C after k events, must
 * be the same bytes.
 */
const recordLegEvent = nativeLegEventRecorder();
const dir = mkdtempSync(join(tmpdir(), 'tlswb-leg-recording-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Op = { op: 'open' } | { op: 'send'; side: TcpSide; length: number } | { op: 'close'; side: TcpSide } | { op: 'reset'; side: TcpSide };

function script(rand: () => number, mss: number): Op[] {
  const lengths = [0, 1, 2, 3, mss - 1, mss, mss + 1, 2 * mss + 3, 65536, 1 + Math.floor(rand() * 5000)].filter((n) => n >= 0 && n <= 200_000);
  const ops: Op[] = rand() < 0.8 ? [{ op: 'open' }] : [];
  const n = 1 + Math.floor(rand() * 14);
  for (let i = 0; i < n; i++) {
    const side: TcpSide = rand() < 0.5 ? 'client' : 'server';
    const r = rand();
    if (r < 0.65) ops.push({ op: 'send', side, length: lengths[Math.floor(rand() * lengths.length)]! });
    else if (r < 0.9) ops.push({ op: 'close', side });
    else ops.push({ op: 'reset', side });
  }
  // Often both FINs (in either order) and something after them.
  if (rand() < 0.5) ops.push({ op: 'close', side: 'server' }, { op: 'close', side: 'client' }, { op: 'send', side: 'client', length: 5 });
  return ops;
}

function bytesFor(rand: () => number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  // Zeros now and then: a TCP checksum of zero must stay 0x0000 in both.
  if (rand() < 0.2) return b;
  for (let i = 0; i < length; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function apply(s: TcpPacketSynthesizer, o: Op, data: Uint8Array, t: bigint): void {
  if (o.op === 'open') s.open(t);
  else if (o.op === 'send') s.send(o.side, data, t);
  else if (o.op === 'close') s.close(o.side, t);
  else s.reset(o.side, t);
}

const OPS = { open: 0, send: 1, close: 2, reset: 3 } as const;

async function fileOf(name: string, fill: (file: BatchedPcapngFile) => void): Promise<Buffer> {
  const path = join(dir, name);
  const file = await BatchedPcapngFile.open(path, { userAppl: 'test' }, { linkType: LinkType.ETHERNET, name: 'x' }, null);
  fill(file);
  await file.close();
  return readFileSync(path);
}

const T0 = 1_700_000_000_000_000_000n;

/** Case `seed`: the all-JavaScript file and the handed-over one, and the frames the C part made. */
async function compare(seed: number): Promise<{ js: Buffer; handed: Buffer; nativeFrames: number }> {
  const rand = seededRandom(seed);
  const ipv6 = rand() < 0.5;
  const raw = rand() < 0.3;
  const mss = [7, 536, 1460, 16_384, 65_483][Math.floor(rand() * 5)]!;
  const options: Omit<TcpPacketSynthesizerOptions, 'sink'> = {
    client: { ip: ipv6 ? 'fd00::1:2' : '10.1.2.3', port: 1 + Math.floor(rand() * 65535) },
    server: { ip: ipv6 ? '2001:db8::ff' : '192.0.2.200', port: 1 + Math.floor(rand() * 65535) },
    linkType: raw ? LinkType.RAW : LinkType.ETHERNET,
    mss,
    clientIsn: Math.floor(rand() * 2 ** 32),
    serverIsn: rand() < 0.2 ? 0xffffffff : Math.floor(rand() * 2 ** 32),
  };
  const ops = script(rand, mss);
  const data = ops.map((o) => (o.op === 'send' ? bytesFor(rand, o.length) : new Uint8Array(0)));
  const times = ops.map((_, i) => T0 + BigInt(i) * 1_234_567n + BigInt(Math.floor(rand() * 1000)));
  const k = rand() < 0.25 ? 0 : Math.floor(rand() * (ops.length + 1));
  // A leg the relay opens itself (k = 0: its initial state, not a synthesizer's) has its tunnel comment on its first frame.
  const comment = k === 0 && rand() < 0.7 ? `tlswb tunnel ${seed} ${rand() < 0.5 ? 'client' : 'upstream'} leg` : undefined;
  const js = await fileOf(`js-${seed}`, (file) => {
    let first = comment;
    const s = new TcpPacketSynthesizer({ ...options, sink: (frame, t) => {
      file.packet(frame, t, first);
      first = undefined;
    } });
    ops.forEach((o, i) => apply(s, o, data[i]!, times[i]!));
  });
  let nativeFrames = 0;
  const handed = await fileOf(`c-${seed}`, (file) => {
    const s = new TcpPacketSynthesizer({ ...options, sink: (frame, t) => file.packet(frame, t) });
    for (let i = 0; i < k; i++) apply(s, ops[i]!, data[i]!, times[i]!);
    const state = k === 0 ? TcpPacketSynthesizer.initialState(options) : s.exportState();
    let pending = comment === undefined ? undefined : new TextEncoder().encode(comment);
    for (let i = k; i < ops.length; i++) {
      const o = ops[i]!;
      const side = o.op === 'open' || o.side === 'client' ? 0 : 1;
      const blocks = pending ? recordLegEvent!(state, OPS[o.op], side, data[i]!, times[i]!, pending) : recordLegEvent!(state, OPS[o.op], side, data[i]!, times[i]!);
      if (blocks.length) pending = undefined;
      nativeFrames += file.appendBlocks(blocks);
    }
  });
  return { js, handed, nativeFrames };
}

describe.skipIf(!recordLegEvent)('the relay records a leg in C byte for byte as the synthesizer does', () => {
  it('for 400 seeded event sequences (IPv4/IPv6, Ethernet/raw, MSS 7 to 65,483, FINs, RSTs, events after the end, opened in C with a comment)', async () => {
    let frames = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { js, handed, nativeFrames } = await compare(seed);
      frames += nativeFrames;
      if (!js.equals(handed)) {
        let at = 0;
        while (js[at] === handed[at]) at++;
        expect.fail(`seed ${seed}: files differ from byte ${at} (lengths ${js.length} / ${handed.length})`);
      }
    }
    // The comparison covered real work in C, not only empty hand-overs.
    expect(frames).toBeGreaterThan(5000);
  });

  it('initialState is exportState of a synthesizer not used yet, made without one', () => {
    for (const options of [
      { client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 443 } },
      { client: { ip: '::ffff:10.0.0.1', port: 1 }, server: { ip: '10.0.0.2', port: 2 }, mss: 65483 },
      { client: { ip: 'fd00::1', port: 5 }, server: { ip: '2001:db8::2', port: 6 }, mss: 1, linkType: LinkType.RAW },
      { client: { ip: 'fd00::1', port: 5 }, server: { ip: '2001:db8::2', port: 6 }, mss: 70_000, clientIsn: 7, serverIsn: 0xffffffff },
    ] as const) {
      expect(TcpPacketSynthesizer.initialState(options)).toEqual(new TcpPacketSynthesizer({ ...options, sink: () => undefined }).exportState());
    }
  });

  it('rejects a state that is not one (wrong version, link or MSS) with an error, not a crash', () => {
    const s = new TcpPacketSynthesizer({ client: { ip: '10.0.0.1', port: 1 }, server: { ip: '10.0.0.2', port: 2 }, sink: () => undefined });
    const good = s.exportState();
    const bad = (patch: (b: Uint8Array) => void): Uint8Array => {
      const b = good.slice();
      patch(b);
      return b;
    };
    for (const state of [good.subarray(0, 55), bad((b) => { b[0] = 2; }), bad((b) => { b[1] = 13; }), bad((b) => { b[2] = 5; }),
      bad((b) => { b[3] = 3; }), bad((b) => { b[4] = 0; b[5] = 0; }), bad((b) => { b[4] = 0xff; b[5] = 0xff; })]) {
      expect(() => recordLegEvent!(state, 1, 0, Uint8Array.of(1), 1n)).toThrow(/not a leg state/);
    }
    expect(() => recordLegEvent!(good, 9, 0, Uint8Array.of(1), 1n)).toThrow(/bad arguments/);
    expect(() => recordLegEvent!(good, 1, 0, Uint8Array.of(1), 1n, new Uint8Array(129))).toThrow(/bad comment/);
    expect(recordLegEvent!(good, 1, 0, Uint8Array.of(1), 1n).length).toBeGreaterThan(0);
  });
});
