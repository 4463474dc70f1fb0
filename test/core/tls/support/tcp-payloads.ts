import { execFileSync } from 'node:child_process';
import type { Side } from '../../../../electron/core/session/model';

/** One in-order chunk of a TCP direction, as the session analyzer would feed it. */
export type StreamEvent =
  | { kind: 'data'; side: Side; data: Uint8Array; frame: number; timeNs: bigint }
  | { kind: 'gap'; side: Side; missing: number };

export interface TcpStream {
  stream: number;
  /** "ip:port" of the client. */
  client: string;
  events: StreamEvent[];
}

interface Segment {
  frame: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  syn: boolean;
  ack: boolean;
  payload: Uint8Array;
  timeNs: bigint;
}

/**
 * The TCP payload of every stream of a capture, per direction and in order,
 * with tshark as the packet decoder (so only the TLS decoder is under test):
 * retransmitted bytes dropped, out-of-order segments put back in order, holes
 * reported as gaps. The client is the SYN's sender, else the side whose first
 * bytes are a ClientHello, else the higher port.
 */
export function tcpStreams(file: string): TcpStream[] {
  const out = execFileSync('tshark', [
    '-n', '-r', file, '-Y', 'tcp', '-T', 'fields', '-E', 'occurrence=l', '-E', 'separator=/t',
    '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport',
    '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport',
    '-e', 'tcp.seq_raw', '-e', 'tcp.flags.syn', '-e', 'tcp.flags.ack', '-e', 'tcp.payload', '-e', 'frame.time_epoch',
  ], { maxBuffer: 1 << 30 }).toString();
  const byStream = new Map<number, Segment[]>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [frame, stream, ip4, ip6, port, dip4, dip6, dport, seq, syn, ack, payload, time] = line.split('\t');
    const list = byStream.get(Number(stream)) ?? [];
    byStream.set(Number(stream), list);
    list.push({
      frame: Number(frame),
      src: `${ip4 || ip6}:${port}`,
      dst: `${dip4 || dip6}:${dport}`,
      srcPort: Number(port),
      dstPort: Number(dport),
      seq: Number(seq),
      syn: syn === '1' || syn === 'True',
      ack: ack === '1' || ack === 'True',
      payload: payload ? Buffer.from(payload.replace(/:/g, ''), 'hex') : new Uint8Array(0),
      timeNs: epochToNs(time ?? '0'),
    });
  }
  const streams: TcpStream[] = [];
  for (const [stream, segs] of byStream) streams.push({ stream, client: clientOf(segs), events: reassemble(segs) });
  return streams.sort((a, b) => a.stream - b.stream);
}

function epochToNs(t: string): bigint {
  const [s, f = ''] = t.split('.');
  return BigInt(s!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
}

function clientOf(segs: Segment[]): string {
  const syn = segs.find((s) => s.syn && !s.ack);
  if (syn) return syn.src;
  const firstData = new Map<string, Uint8Array>();
  for (const s of segs) if (s.payload.length > 0 && !firstData.has(s.src)) firstData.set(s.src, s.payload);
  for (const [src, p] of firstData) {
    if ((p[0] === 0x16 && p[5] === 1) || (p[0]! & 0x80 && p[2] === 1)) return src;
  }
  // Neither: the higher port is the client's.
  const first = segs[0]!;
  return first.srcPort > first.dstPort ? first.src : first.dst;
}

function reassemble(segs: Segment[]): StreamEvent[] {
  const client = clientOf(segs);
  const events: StreamEvent[] = [];
  const next = new Map<string, number>();
  const pending = new Map<string, Segment[]>();
  // Bytes that waited behind a hole count as arriving with the segment that filled it (as in tshark).
  let trigger: Segment | null = null;
  const deliver = (side: Side, s: Segment, from: number): void => {
    const by = trigger ?? s;
    events.push({ kind: 'data', side, data: s.payload.subarray(from), frame: by.frame, timeNs: by.timeNs });
  };
  const take = (side: Side, src: string, s: Segment): boolean => {
    const n = next.get(src)!;
    const end = (s.seq + s.payload.length) >>> 0;
    const rel = (s.seq - n) | 0; // wrap-safe difference
    if (rel > 0) return false;
    const relEnd = (end - n) | 0;
    if (relEnd > 0) {
      deliver(side, s, -rel);
      next.set(src, end);
    }
    return true;
  };
  for (let s of segs) {
    const side: Side = s.src === client ? 'client' : 'server';
    if (s.syn) {
      // Data on a SYN (TCP Fast Open) starts after the SYN's own sequence number.
      next.set(s.src, (s.seq + 1) >>> 0);
      s = { ...s, seq: (s.seq + 1) >>> 0 };
    }
    if (s.payload.length === 0) continue;
    if (!next.has(s.src)) next.set(s.src, s.seq);
    const list = pending.get(s.src) ?? [];
    pending.set(s.src, list);
    if (!take(side, s.src, s)) {
      list.push(s);
      continue;
    }
    trigger = s;
    for (let progressed = true; progressed;) {
      progressed = false;
      for (let k = 0; k < list.length; k++) {
        if (take(side, s.src, list[k]!)) {
          list.splice(k, 1);
          progressed = true;
          break;
        }
      }
    }
    trigger = null;
  }
  // Whatever stays pending sits after a hole that never filled.
  for (const [src, list] of pending) {
    const side: Side = src === client ? 'client' : 'server';
    list.sort((a, b) => ((a.seq - b.seq) | 0));
    for (const s of list) {
      const n = next.get(src)!;
      const rel = (s.seq - n) | 0;
      if (rel > 0) {
        events.push({ kind: 'gap', side, missing: rel });
        next.set(src, s.seq);
      }
      take(side, src, s);
    }
  }
  return events;
}
