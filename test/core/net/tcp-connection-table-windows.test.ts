/**
 * The table's window path: a decoder's segment carries its payload as
 * `payloadBytes[payloadStart, payloadEnd)` of the whole packet, and a listener
 * with `onBytes` gets in-order bytes as such a window too (no view per
 * segment). What is delivered must be exactly what `onData` gets from plain
 * segments: never a byte of the packet around the payload.
 */
import { describe, expect, it } from 'vitest';
import { DecodedTcpSegment, TcpFlag, type TcpSegment } from '../../../electron/core/net/tcp-segment';
import { TcpConnectionTable } from '../../../electron/core/net/tcp-connection-table';

const A = { ip: '10.0.0.1', port: 40000, hash: 0x0a000001 };
const B = { ip: '10.0.0.2', port: 443, hash: 0x0a000002 };
const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;

interface Step {
  from: typeof A;
  to: typeof A;
  seq: number;
  flags: number;
  text?: string;
  /** The IP header's payload length when the capture cut the packet short. */
  claimed?: number;
}

function fill(s: TcpSegment, st: Step): void {
  s.ipVersion = 4;
  s.srcIp = st.from.ip;
  s.dstIp = st.to.ip;
  s.srcAddrHash = st.from.hash;
  s.dstAddrHash = st.to.hash;
  s.srcPort = st.from.port;
  s.dstPort = st.to.port;
  s.seq = st.seq >>> 0;
  s.ack = 0;
  s.flags = st.flags;
  s.window = 1000;
}

const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** Every delivery and gap, as text, from plain segments through `onData`. */
function plainRun(steps: Step[]): string[] {
  const out: string[] = [];
  const table = new TcpConnectionTable({
    onOpen() {},
    onData(_c, dir, data, frame) {
      out.push(`${dir} ${String.fromCharCode(...data)} @${frame}`);
    },
    onGap(_c, dir, n, frame) {
      out.push(`${dir} gap ${n} @${frame}`);
    },
    onClose() {},
  });
  steps.forEach((st, i) => {
    const payload = bytesOf(st.text ?? '');
    const s = { payload, payloadLength: st.claimed ?? payload.length } as TcpSegment;
    fill(s, st);
    table.push(s, i + 1, 0n);
  });
  table.finish();
  return out;
}

/** The same, from one reused decoder segment whose payload sits inside junk, through `onBytes`. */
function windowRun(steps: Step[]): string[] {
  const out: string[] = [];
  const table = new TcpConnectionTable({
    onOpen() {},
    onData() {
      throw new Error('onBytes is given: onData must not be called');
    },
    onBytes(_c, dir, bytes, start, end, frame) {
      out.push(`${dir} ${String.fromCharCode(...bytes.subarray(start, end))} @${frame}`);
    },
    onGap(_c, dir, n, frame) {
      out.push(`${dir} gap ${n} @${frame}`);
    },
    onClose() {},
  });
  const seg = new DecodedTcpSegment();
  steps.forEach((st, i) => {
    const text = st.text ?? '';
    // A packet: 54 bytes of "headers" and 6 bytes of trailer around the payload.
    const packet = bytesOf(`${'#'.repeat(54)}${text}!!!!!!`);
    fill(seg, st);
    seg.setPayload(packet, 54, 54 + text.length);
    seg.payloadLength = st.claimed ?? text.length;
    table.push(seg, i + 1, 0n);
  });
  table.finish();
  return out;
}

describe('TcpConnectionTable, payload windows', () => {
  it('delivers in-order, retransmitted, overlapping, out-of-order and cut-short segments as plain segments do', () => {
    const steps: Step[] = [
      { from: A, to: B, seq: 100, flags: SYN },
      { from: B, to: A, seq: 900, flags: SYN | ACK },
      { from: A, to: B, seq: 101, flags: ACK, text: 'abcd' },
      { from: A, to: B, seq: 101, flags: ACK, text: 'XXXX' }, // retransmission: nothing new
      { from: A, to: B, seq: 103, flags: ACK, text: 'YYef' }, // overlaps two delivered bytes: "ef" is new
      { from: A, to: B, seq: 111, flags: ACK, text: 'kl' }, // held out of order
      { from: A, to: B, seq: 107, flags: ACK, text: 'ghi' }, // still a hole at 110
      { from: A, to: B, seq: 110, flags: ACK, text: 'jZ' }, // fills it, in order: the held "kl" then gives only "l"
      { from: B, to: A, seq: 901, flags: ACK, text: 'OK', claimed: 5 }, // snap length: 3 bytes lost
      { from: B, to: A, seq: 906, flags: ACK, text: 'next' },
      { from: A, to: B, seq: 113, flags: FIN | ACK },
      { from: B, to: A, seq: 910, flags: FIN | ACK },
    ];
    const plain = plainRun(steps);
    expect(plain).toEqual([
      '0 abcd @3',
      '0 ef @5',
      '0 ghi @7',
      '0 jZ @8',
      '0 l @8',
      '1 OK @9',
      '1 gap 3 @9',
      '1 next @10',
    ]);
    expect(windowRun(steps)).toEqual(plain);
  });
});
