/** Runs decoder + connection table over a capture and collects what tests compare with tshark. */
import { createHash, type Hash } from 'node:crypto';
import type { Packet } from '../../../../electron/core/capture/packet';
import { PacketDecoder } from '../../../../electron/core/net/packet-decoder';
import {
  TcpConnectionTable,
  type TcpCloseReason,
  type TcpConnection,
  type TcpConnectionTableOptions,
} from '../../../../electron/core/net/tcp-connection-table';

export interface DirectionResult {
  bytes: number;
  md5: string;
  missing: number;
  /** Every delivered byte, kept for tests that look inside. */
  data: Uint8Array[];
  /** Frames that delivered data, in order. */
  frames: number[];
}

export interface ConnectionResult {
  conn: TcpConnection;
  closedBy: TcpCloseReason | null;
  dirs: [DirectionResult, DirectionResult];
}

export interface TcpRun {
  /** frame -> connection id, for each TCP segment */
  streamOf: Map<number, number>;
  connections: ConnectionResult[];
  decoder: PacketDecoder;
  table: TcpConnectionTable;
}

export function runTcp(packets: Packet[], options?: TcpConnectionTableOptions): TcpRun {
  const decoder = new PacketDecoder();
  const connections: ConnectionResult[] = [];
  const hashes: [Hash, Hash][] = [];
  const streamOf = new Map<number, number>();
  const empty = (): DirectionResult => ({ bytes: 0, md5: '', missing: 0, data: [], frames: [] });
  const table = new TcpConnectionTable(
    {
      onOpen(c) {
        connections[c.id] = { conn: c, closedBy: null, dirs: [empty(), empty()] };
        hashes[c.id] = [createHash('md5'), createHash('md5')];
      },
      onSegment(c, _dir, _seg, frame) {
        streamOf.set(frame, c.id);
      },
      onData(c, dir, data, frame) {
        const d = connections[c.id]!.dirs[dir];
        d.bytes += data.length;
        d.data.push(data.slice());
        d.frames.push(frame);
        hashes[c.id]![dir].update(data);
      },
      onGap(c, dir, n) {
        connections[c.id]!.dirs[dir].missing += n;
      },
      onClose(c, how) {
        const r = connections[c.id]!;
        r.closedBy = how;
        r.dirs[0].md5 = hashes[c.id]![0].digest('hex');
        r.dirs[1].md5 = hashes[c.id]![1].digest('hex');
      },
    },
    options,
  );
  for (const p of packets) {
    const seg = decoder.decode(p);
    if (seg !== null) table.push(seg, p.frame, p.timestampNs);
  }
  table.finish();
  return { streamOf, connections, decoder, table };
}

/** "ip:port" as tshark's follow prints an endpoint (IPv6 in brackets). */
export function endpointText(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
