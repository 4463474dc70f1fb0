import { describe, expect, it } from 'vitest';
import { TcpFlag, type TcpSegment } from '../../../electron/core/net/tcp-segment';
import {
  TcpConnectionTable,
  type TcpConnection,
  type TcpConnectionTableOptions,
} from '../../../electron/core/net/tcp-connection-table';

const A = { ip: '10.0.0.1', port: 40000 };
const B = { ip: '10.0.0.2', port: 443 };
const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;

function seg(from: { ip: string; port: number }, to: { ip: string; port: number }, seq: number, flags: number, text = '', claimed?: number): TcpSegment {
  const payload = Uint8Array.from(text, (c) => c.charCodeAt(0));
  return {
    ipVersion: 4, srcIp: from.ip, dstIp: to.ip, srcAddrHash: hashOf(from.ip), dstAddrHash: hashOf(to.ip),
    srcPort: from.port, dstPort: to.port, seq: seq >>> 0, ack: 0, flags, window: 1000, payload,
    payloadLength: claimed ?? payload.length,
  };
}

function hashOf(ip: string): number {
  return ip.split('.').reduce((h, x) => ((h << 8) | Number(x)) >>> 0, 0);
}

type Event = string;

/** A table whose listener writes every event as a line of text. */
function recorder(options?: TcpConnectionTableOptions) {
  const events: Event[] = [];
  const text = new Map<string, string>();
  const conns: TcpConnection[] = [];
  const table = new TcpConnectionTable(
    {
      onOpen(c) {
        conns.push(c);
        events.push(`open ${c.id} a=${c.a.ip}:${c.a.port} syn=${c.synSeen}`);
      },
      onData(c, dir, data, frame) {
        const s = String.fromCharCode(...data);
        events.push(`data ${c.id}/${dir} ${JSON.stringify(s)} @${frame}`);
        text.set(`${c.id}/${dir}`, (text.get(`${c.id}/${dir}`) ?? '') + s);
      },
      onGap(c, dir, n, frame) {
        events.push(`gap ${c.id}/${dir} ${n} @${frame}`);
      },
      onClose(c, how, frame) {
        events.push(`close ${c.id} ${how} @${frame}`);
      },
    },
    options,
  );
  let frame = 0;
  const push = (s: TcpSegment, timeNs = 0n) => table.push(s, ++frame, timeNs);
  return { events, text, conns, table, push };
}

describe('TcpConnectionTable', () => {
  it('names the SYN sender a, and delivers in-order bytes at once', () => {
    const r = recorder();
    r.push(seg(A, B, 100, SYN));
    r.push(seg(B, A, 900, SYN | ACK));
    r.push(seg(A, B, 101, ACK, 'GET'));
    r.push(seg(B, A, 901, ACK, 'OK'));
    expect(r.events).toEqual(['open 0 a=10.0.0.1:40000 syn=true', 'data 0/0 "GET" @3', 'data 0/1 "OK" @4']);
  });

  it('names the receiver a when a SYN-ACK is the first packet seen', () => {
    const r = recorder();
    r.push(seg(B, A, 900, SYN | ACK));
    r.push(seg(A, B, 101, ACK, 'hi'));
    expect(r.conns[0]!.a).toEqual(A);
    expect(r.conns[0]!.synSeen).toBe(true);
    expect(r.events[1]).toBe('data 0/0 "hi" @2');
  });

  it('without a SYN, starts at the first sequence number seen, a being the first sender', () => {
    const r = recorder();
    r.push(seg(B, A, 5000, ACK, 'abc'));
    r.push(seg(B, A, 5003, ACK, 'def'));
    expect(r.conns[0]!.a).toEqual(B);
    expect(r.conns[0]!.synSeen).toBe(false);
    expect(r.text.get('0/0')).toBe('abcdef');
  });

  it('holds out-of-order data and delivers it with the frame that filled the hole', () => {
    const r = recorder();
    r.push(seg(A, B, 100, SYN));
    r.push(seg(A, B, 107, ACK, 'world')); // frame 2
    r.push(seg(A, B, 104, ACK, '-, ')); // frame 3: still a hole at 101..104
    r.push(seg(A, B, 101, ACK, 'abc')); // frame 4 fills it
    expect(r.events.slice(1)).toEqual([
      'data 0/0 "abc" @4',
      'data 0/0 "-, " @4',
      'data 0/0 "world" @4',
    ]);
  });

  it('ignores retransmissions and keeps the first copy of overlapping bytes', () => {
    const r = recorder();
    r.push(seg(A, B, 100, SYN));
    r.push(seg(A, B, 101, ACK, 'abcd'));
    r.push(seg(A, B, 101, ACK, 'XXXX')); // full retransmission, different bytes
    r.push(seg(A, B, 103, ACK, 'YYef')); // overlaps 2 delivered bytes
    r.push(seg(A, B, 111, ACK, 'kl')); // held
    r.push(seg(A, B, 110, ACK, 'ZZZ')); // overlaps the held "k": "Z" at 110 fills, "kl" wins
    r.push(seg(A, B, 107, ACK, 'ghi')); // fills 107..110
    expect(r.text.get('0/0')).toBe('abcdefghiZkl');
  });

  it('follows sequence numbers across the 2^32 wrap', () => {
    const r = recorder();
    r.push(seg(A, B, 0xfffffffa, SYN));
    r.push(seg(A, B, 0xfffffffb, ACK, 'abc'));
    r.push(seg(A, B, 0x00000001, ACK, 'ghi')); // after the wrap, out of order
    r.push(seg(A, B, 0xfffffffe, ACK, 'def')); // straddles the wrap
    r.push(seg(A, B, 0xfffffffc, ACK, 'zz')); // old
    expect(r.text.get('0/0')).toBe('abcdefghi');
    expect(r.events.at(-1)).toBe('data 0/0 "ghi" @4');
  });

  it('gives up a hole as a gap when too much is held, then continues after it', () => {
    const r = recorder({ reassembly: { maxBufferedBytes: 8 } });
    r.push(seg(A, B, 100, SYN));
    r.push(seg(A, B, 111, ACK, 'abcde')); // hole 101..111
    r.push(seg(A, B, 116, ACK, 'fghij')); // 10 bytes held > 8
    // The gap is reported before the frame that came after it; held bytes keep the frames that carried them.
    expect(r.events.slice(1)).toEqual(['gap 0/0 10 @2', 'data 0/0 "abcde" @2', 'data 0/0 "fghij" @3']);
    r.push(seg(A, B, 105, ACK, 'late')); // the missing bytes, too late: already given up
    expect(r.text.get('0/0')).toBe('abcdefghij');
    expect(r.table.bufferedBytes).toBe(0);
  });

  it('reports bytes the capture cut off (snap length) as a gap', () => {
    const r = recorder();
    r.push(seg(A, B, 100, SYN));
    r.push(seg(A, B, 101, ACK, 'abc', 10)); // 7 bytes not captured
    r.push(seg(A, B, 111, ACK, 'xyz'));
    expect(r.events.slice(1)).toEqual(['data 0/0 "abc" @2', 'gap 0/0 7 @2', 'data 0/0 "xyz" @3']);
  });

  it('at the end of input, reports remaining holes and closes with "end"', () => {
    const r = recorder();
    r.push(seg(A, B, 100, SYN));
    r.push(seg(A, B, 105, ACK, 'tail'));
    r.table.finish();
    expect(r.events.slice(1)).toEqual(['gap 0/0 4 @2', 'data 0/0 "tail" @2', 'close 0 end @2']);
  });

  it('closes after both FINs and a linger, delivering what arrives meanwhile', () => {
    const r = recorder({ closeLingerNs: 1000n });
    r.push(seg(A, B, 100, SYN), 0n);
    r.push(seg(B, A, 900, SYN | ACK), 0n);
    r.push(seg(A, B, 101, FIN | ACK, 'bye'), 10n);
    r.push(seg(B, A, 901, FIN | ACK), 20n);
    r.push(seg(B, A, 901, ACK, 'late'), 30n); // in flight: still delivered
    expect(r.events.some((e) => e.startsWith('close'))).toBe(false);
    r.push(seg({ ip: '1.1.1.1', port: 1 }, B, 1, ACK), 5000n); // any later packet ends the linger
    expect(r.events).toContain('data 0/1 "late" @5');
    expect(r.events).toContain('close 0 fin @5');
  });

  it('ends a connection on a RST in its window, but not on one far outside it', () => {
    const r = recorder({ closeLingerNs: 0n });
    r.push(seg(A, B, 100, SYN), 0n);
    r.push(seg(A, B, 3_000_000_000, RST), 1n); // stale (challenge-ACK answer): ignored
    r.push(seg(A, B, 101, ACK, 'still here'), 2n);
    r.push(seg(A, B, 111, RST), 3n);
    r.push(seg(A, B, 111, ACK, 'gone'), 4n);
    expect(r.table.ignoredResets).toBe(1);
    expect(r.text.get('0/0')).toBe('still here');
    expect(r.events.at(-1)).toBe('close 0 rst @4');
  });

  it('opens a new connection when a SYN with another ISN reuses the ports', () => {
    const r = recorder();
    r.push(seg(A, B, 100, SYN));
    r.push(seg(A, B, 101, ACK, 'one'));
    r.push(seg(A, B, 100, SYN)); // retransmitted SYN: same connection
    r.push(seg(A, B, 7000, SYN)); // new ISN: new connection
    r.push(seg(A, B, 7001, ACK, 'two'));
    expect(r.conns.map((c) => c.id)).toEqual([0, 1]);
    expect(r.events).toContain('close 0 end @3');
    expect(r.text.get('1/0')).toBe('two');
  });

  it('releases a closed connection after its linger but still counts its late segments as that connection', () => {
    const r = recorder({ closeLingerNs: 10n });
    r.push(seg(A, B, 100, SYN), 0n);
    r.push(seg(A, B, 101, ACK, 'one'), 1n);
    r.push(seg(A, B, 104, FIN | ACK), 2n);
    r.push(seg(B, A, 900, FIN | ACK), 3n);
    expect(r.table.openCount).toBe(1); // lingering
    r.push(seg(B, A, 901, ACK), 20n); // after the linger: closes, then arrives as a late segment
    expect(r.events).toContain('close 0 fin @4');
    expect(r.table.openCount).toBe(0);
    expect(r.table.size).toBe(1); // the tombstone
    r.push(seg(A, B, 105, ACK, 'late'), 21n);
    expect(r.conns.map((c) => c.id)).toEqual([0]);
    expect(r.text.get('0/0')).toBe('one');
    r.push(seg(A, B, 100, SYN), 22n); // the same SYN again: still the old connection
    expect(r.conns.map((c) => c.id)).toEqual([0]);
    r.push(seg(A, B, 5000, SYN), 23n); // a new ISN: a new connection
    r.push(seg(A, B, 5001, ACK, 'two'), 24n);
    expect(r.conns.map((c) => c.id)).toEqual([0, 1]);
    expect(r.text.get('1/0')).toBe('two');
    expect(r.table.openCount).toBe(1);
  });

  it('keeps a closed connection\'s base sequence numbers of 2^31 and more, and none for a side that never sent', () => {
    const r = recorder({ closeLingerNs: 10n });
    const isn = 0xffffff00; // above 2^31: not a small integer
    r.push(seg(A, B, isn, SYN), 0n);
    r.push(seg(A, B, isn + 1, ACK, 'one'), 1n);
    r.push(seg(A, B, isn + 4, RST), 2n);
    r.push(seg(A, B, isn + 4, ACK), 20n); // after the linger: closes, then arrives as a late segment
    expect(r.events).toContain('close 0 rst @3');
    expect(r.table.openCount).toBe(0);
    r.push(seg(B, A, 0x80000000, SYN), 21n); // B never sent: no base to differ from, still the old connection
    r.push(seg(A, B, isn, SYN), 22n); // A's very SYN again: still the old connection
    expect(r.conns.map((c) => c.id)).toEqual([0]);
    r.push(seg(A, B, 0x90000000, SYN), 23n); // a new ISN: a new connection
    r.push(seg(A, B, 0x90000001, ACK, 'two'), 24n);
    expect(r.conns.map((c) => c.id)).toEqual([0, 1]);
    expect(r.text.get('0/0')).toBe('one');
    expect(r.text.get('1/0')).toBe('two');
  });

  it('restarts a direction whose first data does not follow the SYN-ACK it anchored on', () => {
    const r = recorder();
    r.push(seg(A, B, 100, SYN));
    r.push(seg(B, A, 900, SYN | ACK));
    r.push(seg(B, A, 5_000_000, SYN | ACK)); // another ISN before any data: the latest wins
    r.push(seg(B, A, 901, ACK, 'data')); // but the data follows the first one
    expect(r.text.get('0/1')).toBe('data');
  });

  it('keeps the table bounded, evicting the longest idle connection first', () => {
    const r = recorder({ maxConnections: 100 });
    for (let i = 0; i < 1000; i++) r.push(seg({ ip: '10.1.0.1', port: 1000 + i }, B, 1, ACK, 'x'));
    expect(r.table.size).toBeLessThanOrEqual(100);
    expect(r.table.evicted).toBeGreaterThan(0);
    expect(r.events.filter((e) => e.startsWith('close')).length).toBe(r.table.evicted);
  });

  it('bounds memory under a flood of far-apart out-of-order segments', () => {
    const r = recorder({ reassembly: { maxBufferedSegments: 64 } });
    r.push(seg(A, B, 0, SYN));
    const chunk = 'y'.repeat(100);
    for (let i = 0; i < 20_000; i++) r.push(seg(A, B, 2 + i * 200, ACK, chunk)); // every other 100 bytes missing
    expect(r.table.bufferedBytes).toBeLessThanOrEqual(65 * 100);
    r.table.finish();
    expect(r.table.bufferedBytes).toBe(0);
  });

  it('keeps connections apart that share ports but not addresses', () => {
    const r = recorder();
    const C = { ip: '10.0.0.3', port: 40000 };
    r.push(seg(A, B, 1, ACK, 'from A'));
    r.push(seg(C, B, 1, ACK, 'from C'));
    expect(r.conns.length).toBe(2);
    expect(r.text.get('1/0')).toBe('from C');
  });
});
