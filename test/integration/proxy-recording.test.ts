import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LinkType, type Packet } from '../../electron/core/capture/packet';
import { PcapngWriter } from '../../electron/core/capture/pcapng-writer';
import { TcpPacketSynthesizer, type TcpSide } from '../../electron/core/net/tcp-packet-synthesizer';
import { tunnelComment, type TunnelLeg } from '../../electron/core/session/tunnel-link';
import { LegRecorder } from '../../electron/services/proxy/leg-recorder';

/**
 * The proxy records off its relay path: leg events are queued with their
 * time and turned into packets at the end of the event-loop turn, and the
 * file is written in batches. Whatever the batching, the file must hold
 * exactly the blocks that synthesizing each event at once would give.
 */

const dir = mkdtempSync(join(tmpdir(), 'tlswb-recording-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type LegEvent =
  | { leg: number; kind: 'open' }
  | { leg: number; kind: 'sent'; from: TcpSide; data: Uint8Array }
  | { leg: number; kind: 'close' | 'reset'; from: TcpSide }
  | { kind: 'secrets'; line: string }
  | { kind: 'turn' }
  /** Long enough for the file's timed flush of a partial batch. */
  | { kind: 'pause' };

interface LegSpec { client: string; server: string; tunnel?: { id: number; leg: TunnelLeg } }

const legs: LegSpec[] = [
  { client: '127.0.0.1:50001', server: '127.0.0.1:3128', tunnel: { id: 1, leg: 'client' } },
  { client: '127.0.0.1:50002', server: '127.0.0.9:443', tunnel: { id: 1, leg: 'upstream' } },
  { client: '[::1]:50003', server: '[2001:db8::7]:443' },
  { client: '[::ffff:10.0.0.1]:50004', server: '[::ffff:10.0.0.2]:8443', tunnel: { id: 2, leg: 'client' } },
];

function endpoint(text: string): { ip: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text)!;
  return { ip: m[1]!.startsWith('::ffff:') ? m[1]!.slice(7) : m[1]!, port: Number(m[2]) };
}

/** A repeatable mix: chunks of every awkward size on every leg, secrets, half-closes, a reset, turns and pauses in between. */
function events(): LegEvent[] {
  let seed = 7;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const sizes = [1, 2, 3, 517, 1459, 1460, 1461, 2920, 16384, 70001];
  const out: LegEvent[] = legs.map((_, leg) => ({ leg, kind: 'open' }));
  for (let i = 0; i < 400; i++) {
    const r = next(100);
    if (r < 85) {
      const data = new Uint8Array(sizes[next(sizes.length)]!).map(() => next(256));
      out.push({ leg: next(legs.length), kind: 'sent', from: next(2) ? 'client' : 'server', data });
    } else if (r < 92) out.push({ kind: 'secrets', line: `CLIENT_RANDOM ${'ab'.repeat(32)} ${String(i % 37).padStart(96, '0')}` });
    else out.push({ kind: 'turn' });
    if (i % 100 === 50) out.push({ kind: 'pause' });
  }
  out.push({ leg: 0, kind: 'close', from: 'client' }, { leg: 1, kind: 'close', from: 'server' }, { leg: 2, kind: 'reset', from: 'server' });
  return out;
}

/** The same events synthesized one by one into a PcapngWriter: what the file must hold. */
function expectedFile(list: LegEvent[], times: bigint[]): Uint8Array {
  const w = new PcapngWriter(true);
  const blocks: Uint8Array[] = [
    w.sectionHeader({ userAppl: 'tlswb test' }),
    w.interfaceDescription({ linkType: LinkType.ETHERNET, name: 'tlswb-proxy', description: 'TCP legs synthesized by tlswb', tsresol: 9 }).block,
  ];
  const seen = new Set<string>();
  const synths = legs.map((spec) => {
    let comment = spec.tunnel ? tunnelComment(spec.tunnel.id, spec.tunnel.leg) : undefined;
    return new TcpPacketSynthesizer({
      client: endpoint(spec.client), server: endpoint(spec.server),
      sink: (data, timestampNs) => {
        blocks.push(w.enhancedPacket({ interfaceId: 0, timestampNs, data, comment }));
        comment = undefined;
      },
    });
  });
  let t = 0;
  for (const e of list) {
    if (e.kind === 'turn' || e.kind === 'pause') continue;
    if (e.kind === 'secrets') {
      const line = `${e.line}\n`;
      if (!seen.has(line)) blocks.push(w.decryptionSecrets(line));
      seen.add(line);
      continue;
    }
    const time = times[t++]!;
    if (e.kind === 'open') synths[e.leg]!.open(time);
    else if (e.kind === 'sent') synths[e.leg]!.send(e.from, e.data, time);
    else if (e.kind === 'close') synths[e.leg]!.close(e.from, time);
    else synths[e.leg]!.reset(e.from, time);
  }
  return Buffer.concat(blocks);
}

describe('leg recording', () => {
  it('writes, batched and after the relay, exactly the blocks of synthesizing each event at once', async () => {
    const file = join(dir, 'legs.pcapng');
    const packets: Array<{ frame: number; timestampNs: bigint; bytes: number }> = [];
    const recorder = await LegRecorder.create({
      file, application: 'tlswb test',
      onPacket: (p: Packet) => packets.push({ frame: p.frame, timestampNs: p.timestampNs, bytes: p.data.length }),
    });
    // The recorder's clock, read once per leg event, made repeatable.
    const times: bigint[] = [];
    let now = 1_764_000_000_000_000_000n;
    Object.defineProperty(recorder.clock, 'nowNs', { value: () => {
      now += 1_234n;
      times.push(now);
      return now;
    } });
    const list = events();
    const recorded = legs.map((spec) => recorder.leg(endpoint(spec.client), endpoint(spec.server), spec.tunnel));
    for (const e of list) {
      if (e.kind === 'turn') await new Promise((resolve) => setImmediate(resolve));
      else if (e.kind === 'pause') await new Promise((resolve) => setTimeout(resolve, 120));
      else if (e.kind === 'secrets') recorder.secrets(e.line);
      else if (e.kind === 'open') recorded[e.leg]!.open();
      else if (e.kind === 'sent') recorded[e.leg]!.sent(e.from, e.data);
      else if (e.kind === 'close') recorded[e.leg]!.close(e.from);
      else recorded[e.leg]!.reset(e.from);
    }
    // Nothing is synthesized during the turn that produced the events.
    const framesBeforeTurnEnds = recorder.frames;
    await recorder.close();
    expect(recorder.frames).toBeGreaterThan(framesBeforeTurnEnds);

    const expected = expectedFile(list, times);
    const actual = readFileSync(file);
    expect(actual.length).toBe(expected.length);
    expect(Buffer.compare(actual, expected)).toBe(0);
    // The engine's feed: every frame once, in order, with non-decreasing times.
    expect(packets.map((p) => p.frame)).toEqual(Array.from({ length: recorder.frames }, (_, i) => i + 1));
    for (let i = 1; i < packets.length; i++) expect(packets[i]!.timestampNs >= packets[i - 1]!.timestampNs).toBe(true);
  });

  it('keeps what was queued when it closes in the same turn', async () => {
    const file = join(dir, 'same-turn.pcapng');
    const recorder = await LegRecorder.create({ file });
    const leg = recorder.leg({ ip: '127.0.0.1', port: 40000 }, { ip: '127.0.0.1', port: 443 });
    leg.open();
    leg.sent('client', new Uint8Array(3000).fill(1));
    leg.close('client');
    leg.close('server');
    expect(recorder.frames).toBe(0);
    await recorder.close();
    // 3 handshake + 3 segments + ACK + 2 x (FIN + ACK)
    expect(recorder.frames).toBe(3 + 3 + 1 + 4);
  });
});
