// The table reuses the reassembly streams of closed connections for new ones:
// a connection on reused streams must see exactly what it would on fresh ones,
// whatever state the previous owner left (a FIN, held out-of-order bytes, a
// moved base after several SYNs, bogus data, a RST).
import { describe, expect, it } from 'vitest';
import { TcpFlag, type TcpSegment } from '../../../electron/core/net/tcp-segment';
import { TcpConnectionTable } from '../../../electron/core/net/tcp-connection-table';

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;

interface Endpoint {
  ip: string;
  port: number;
}

function seg(from: Endpoint, to: Endpoint, seq: number, ack: number, flags: number, text = ''): TcpSegment {
  const payload = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const hash = (ip: string): number => ip.split('.').reduce((h, x) => ((h << 8) | Number(x)) >>> 0, 0);
  return {
    ipVersion: 4, srcIp: from.ip, dstIp: to.ip, srcAddrHash: hash(from.ip), dstAddrHash: hash(to.ip),
    srcPort: from.port, dstPort: to.port, seq: seq >>> 0, ack: ack >>> 0, flags, window: 1000, payload,
    payloadLength: payload.length,
  };
}

/** One connection's life, as segments with their capture times (ns). */
type Script = [TcpSegment, bigint][];

/** Every event for connections opened while `replay` ran, as text with ids relative to the first of them. */
function record(before: Script[], replay: Script): string[] {
  const events: string[] = [];
  let firstId: number | null = null;
  let recording = false;
  const rel = (id: number) => id - (firstId ?? id);
  const table = new TcpConnectionTable(
    {
      onOpen(c) {
        if (recording) {
          firstId ??= c.id;
          events.push(`open ${rel(c.id)} a=${c.a.ip}:${c.a.port}`);
        }
      },
      onData(c, dir, data, frame) {
        if (recording && firstId !== null && c.id >= firstId) events.push(`data ${rel(c.id)}/${dir} ${String.fromCharCode(...data)} @${frame}`);
      },
      onGap(c, dir, n, frame) {
        if (recording && firstId !== null && c.id >= firstId) events.push(`gap ${rel(c.id)}/${dir} ${n} @${frame}`);
      },
      onClose(c, how, frame) {
        if (recording && firstId !== null && c.id >= firstId) events.push(`close ${rel(c.id)} ${how} @${frame}`);
      },
    },
    { closeLingerNs: 1_000n },
  );
  let frame = 0;
  for (const script of before) for (const [s, t] of script) table.push(s, ++frame, t);
  // Far enough later that every earlier connection's linger ended: their streams are spare now.
  table.closeLingering(1_000_000n);
  recording = true;
  const base = frame;
  for (const [s, t] of replay) table.push(s, ++frame, t);
  table.finish();
  // Frames relative to the replay's first packet.
  return events.map((e) => e.replace(/@(\d+)/, (_, f: string) => `@${Number(f) - base}`));
}

function conn(n: number): { c: Endpoint; s: Endpoint } {
  return { c: { ip: `10.0.${n}.1`, port: 40000 + n }, s: { ip: `10.0.${n}.2`, port: 443 } };
}

/** Earlier connections that leave their streams in every state a close can leave them. */
function previousOwners(): Script[] {
  const scripts: Script[] = [];
  // Both FINs, with out-of-order bytes still held beyond a hole when it closed.
  {
    const { c, s } = conn(1);
    scripts.push([
      [seg(c, s, 100, 0, SYN), 1n],
      [seg(s, c, 700, 101, SYN | ACK), 2n],
      [seg(c, s, 101, 701, ACK, 'abcdefghijklmnopqrstuvwxyz'), 3n],
      [seg(c, s, 130, 701, ACK, 'held'), 4n],
      [seg(s, c, 701, 127, ACK | FIN, 'xyz0123456789'), 5n],
      [seg(c, s, 134, 715, ACK | FIN), 6n],
    ]);
  }
  // Several SYN-ACKs with different ISNs (the base moves), data too far ahead (bogus), then a RST.
  {
    const { c, s } = conn(2);
    scripts.push([
      [seg(c, s, 5000, 0, SYN), 7n],
      [seg(s, c, 9000, 5001, SYN | ACK), 8n],
      [seg(s, c, 12000, 5001, SYN | ACK), 9n],
      [seg(c, s, 5001, 12001, ACK, 'hello'), 10n],
      [seg(s, c, 12001 + (1 << 30) + 10, 5006, ACK, 'bogus'), 11n],
      [seg(c, s, 5006, 12001, RST), 12n],
    ]);
  }
  // Never closed by itself: ended by a new SYN on the same ports (port reuse), with a hole open.
  {
    const { c, s } = conn(3);
    scripts.push([
      [seg(c, s, 300, 0, SYN), 13n],
      [seg(s, c, 800, 301, SYN | ACK), 14n],
      [seg(c, s, 305, 801, ACK, 'late'), 15n],
      [seg(c, s, 9999, 0, SYN), 16n],
      [seg(c, s, 10000, 0, RST), 17n],
    ]);
  }
  return scripts;
}

/** A connection that uses every part of a stream: SYNs, holes, overlap, acked holes, FINs. */
function newcomer(): Script {
  const { c, s } = conn(9);
  return [
    [seg(c, s, 1000, 0, SYN), 2_000_000n],
    [seg(s, c, 4000, 1001, SYN | ACK), 2_000_001n],
    [seg(c, s, 1001, 4001, ACK, 'AB'), 2_000_002n],
    [seg(c, s, 1006, 4001, ACK, 'FG'), 2_000_003n],
    [seg(c, s, 1003, 4001, ACK, 'CDE'), 2_000_004n],
    [seg(s, c, 4005, 1008, ACK, 'late'), 2_000_005n],
    [seg(c, s, 1008, 4001, ACK, 'H'), 2_000_006n],
    [seg(c, s, 1009, 4009, ACK | FIN), 2_000_007n],
    [seg(s, c, 4009, 1010, ACK | FIN), 2_000_008n],
  ];
}

/** The newcomer without its handshake: each direction starts at its first segment. */
function midstreamNewcomer(): Script {
  return newcomer().filter(([s]) => (s.flags & SYN) === 0);
}

describe('TcpConnectionTable stream reuse', () => {
  it('a connection on the streams of closed ones sees what it sees on new streams', () => {
    const fresh = record([], newcomer());
    // Each owner alone, so that the newcomer gets its very streams (the spares are a stack).
    for (const owner of previousOwners()) expect(record([owner], newcomer())).toEqual(fresh);
    expect(record(previousOwners(), newcomer())).toEqual(fresh);
    const midstream = record([], midstreamNewcomer());
    for (const owner of previousOwners()) expect(record([owner], midstreamNewcomer())).toEqual(midstream);
    // The newcomer's own story, so that both sides of the comparison are not merely empty.
    expect(fresh).toEqual([
      'open 0 a=10.0.9.1:40009',
      'data 0/0 AB @3',
      'data 0/0 CDE @5',
      'data 0/0 FG @5',
      'data 0/0 H @7',
      // The client's ACK of 4009 gives up the server's hole before 'late' (an "ACKed unseen segment").
      'gap 0/1 4 @6',
      'data 0/1 late @6',
      'close 0 fin @9',
    ]);
  });
});
