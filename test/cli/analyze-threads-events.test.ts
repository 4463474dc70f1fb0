/**
 * `tlswb analyze --json` on two threads runs the TCP table on one thread and
 * the TLS analysis on the other, which replays the table's events from
 * byte batches (electron/cli/tcp-event-batch.ts). The replay must hand the
 * listener exactly what the table handed the writer: same events, order,
 * connections, bytes, frames and times, whatever the batch sizes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../electron/core/capture/capture-reader';
import { PacketDecoder } from '../../electron/core/net/packet-decoder';
import { TcpConnectionTable, type TcpConnection, type TcpListener } from '../../electron/core/net/tcp-connection-table';
import { TcpEventReader, TcpEventWriter, type TcpEventBatches } from '../../electron/cli/tcp-event-batch';
import { projectRoot } from '../support/run-cli';

const fixture = (name: string) => join(projectRoot, 'test', 'fixtures', 'corpus', name);

/** What a listener saw, as text, one line an event (connections by their own fields, payload as hex). */
class EventLog implements TcpListener {
  readonly lines: string[] = [];
  /** Connection objects seen, by id: the replay must give one object per connection. */
  private readonly objects = new Map<number, TcpConnection>();

  private conn(c: TcpConnection): string {
    const known = this.objects.get(c.id);
    if (known === undefined) this.objects.set(c.id, c);
    else if (known !== c) throw new Error(`connection ${c.id}: another object than at its open`);
    return `${c.id} ${c.a.ip}:${c.a.port} ${c.b.ip}:${c.b.port} syn=${c.synSeen} v${c.ipVersion} ${c.firstFrame} ${c.startTimeNs}`;
  }

  onOpen(c: TcpConnection): void {
    this.lines.push(`open ${this.conn(c)}`);
  }
  onData(c: TcpConnection, dir: 0 | 1, data: Uint8Array, frame: number, timeNs: bigint): void {
    this.lines.push(`data ${this.conn(c)} ${dir} ${frame} ${timeNs} ${Buffer.from(data).toString('hex')}`);
  }
  onBytes(c: TcpConnection, dir: 0 | 1, bytes: Uint8Array, start: number, end: number, frame: number, timeNs: bigint): void {
    this.onData(c, dir, bytes.subarray(start, end), frame, timeNs);
  }
  onGap(c: TcpConnection, dir: 0 | 1, missing: number, frame: number, timeNs: bigint): void {
    this.lines.push(`gap ${this.conn(c)} ${dir} ${missing} ${frame} ${timeNs}`);
  }
  onDrained(c: TcpConnection, frame: number, timeNs: bigint): void {
    this.lines.push(`drained ${this.conn(c)} ${frame} ${timeNs}`);
  }
  onClose(c: TcpConnection, how: string, frame: number, timeNs: bigint): void {
    this.lines.push(`close ${this.conn(c)} ${how} ${frame} ${timeNs}`);
  }
}

/** Feeds a capture's packets (and comments) to `listener` through a TCP table; `beforePacket` as the analyzer's push would. */
function runTable(file: string, listener: TcpListener, beforePacket: () => void, comment: (text: string, frame: number | null) => void): void {
  const decoder = new PacketDecoder();
  const table = new TcpConnectionTable(listener);
  const reader = createCaptureReader({
    onPacket: (p) => {
      beforePacket();
      const seg = decoder.decode(p);
      if (seg) table.push(seg, p.frame, p.timestampNs);
    },
    onComment: comment,
  });
  let bytes: Uint8Array = readFileSync(file);
  if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
  reader.feed(bytes);
  reader.end();
  table.finish();
}

/** Batches in a ring of `slots` slots of `slotBytes` (larger events in a buffer of their own), replayed as they are sent. */
function ringBatches(slots: number, slotBytes: number, replay: (batch: Uint8Array) => void): TcpEventBatches & { own: number } {
  const ring = new ArrayBuffer(slots * slotBytes);
  let sent = 0;
  const batches = {
    own: 0,
    next: (bytes: number) => {
      if (bytes > slotBytes) {
        batches.own++;
        return new Uint8Array(bytes);
      }
      return new Uint8Array(ring, (sent % slots) * slotBytes, slotBytes);
    },
    send: (buffer: Uint8Array, length: number) => {
      if (buffer.buffer === ring) sent++;
      replay(buffer.subarray(0, length));
    },
  };
  return batches;
}

describe('TCP table events through byte batches', () => {
  const captures = ['firefox.pcap', 'tls_heur__trojan-tcp-tls.pcapng', 'vxlan.pcap', '6in4tunnel.pcap', 'many_interfaces-1.pcapng', 'dhe.pcap.gz'];
  for (const name of captures) {
    for (const slotBytes of [1 << 20, 300]) {
      it(`replays exactly what the table handed over: ${name}, ${slotBytes}-byte slots`, () => {
        const direct = new EventLog();
        runTable(fixture(name), direct, () => {}, (text, frame) => direct.lines.push(`comment ${frame} ${text}`));

        const replayed = new EventLog();
        let closedSinceMark = false;
        const replayedMarks: number[] = [];
        const reader = new TcpEventReader({
          events: replayed,
          beforePacket: () => replayedMarks.push(replayed.lines.length),
          comment: (text, frame) => replayed.lines.push(`comment ${frame} ${text}`),
        });
        const batches = ringBatches(4, slotBytes, (batch) => reader.read(batch));
        const writer = new TcpEventWriter(batches);
        // The writer marks only packets that follow a close or drain: the places the analyzer hands sessions over.
        const expectedMarks: number[] = [];
        const marking: TcpListener = {
          onOpen: (c) => writer.onOpen(c),
          onData: (c, d, data, f, t) => writer.onData(c, d, data, f, t),
          onBytes: (c, d, b, s, e, f, t) => writer.onBytes(c, d, b, s, e, f, t),
          onGap: (c, d, m, f, t) => writer.onGap(c, d, m, f, t),
          onDrained: (c, f, t) => {
            closedSinceMark = true;
            writer.onDrained(c, f, t);
          },
          onClose: (c, h, f, t) => {
            closedSinceMark = true;
            writer.onClose(c, h, f, t);
          },
        };
        const counted = new EventLog();
        const both: TcpListener = {
          onOpen: (c) => (counted.onOpen(c), marking.onOpen(c)),
          onData: (c, d, data, f, t) => (counted.onData(c, d, data, f, t), marking.onData(c, d, data, f, t)),
          onBytes: (c, d, b, s, e, f, t) => (counted.onBytes(c, d, b, s, e, f, t), marking.onBytes!(c, d, b, s, e, f, t)),
          onGap: (c, d, m, f, t) => (counted.onGap(c, d, m, f, t), marking.onGap(c, d, m, f, t)),
          onDrained: (c, f, t) => (counted.onDrained(c, f, t), marking.onDrained!(c, f, t)),
          onClose: (c, h, f, t) => (counted.onClose(c, h, f, t), marking.onClose(c, h, f, t)),
        };
        runTable(
          fixture(name),
          both,
          () => {
            if (closedSinceMark) expectedMarks.push(counted.lines.length);
            closedSinceMark = false;
            writer.beforePacket();
          },
          (text, frame) => {
            counted.lines.push(`comment ${frame} ${text}`);
            writer.comment(text, frame);
          },
        );
        writer.flush();

        expect(direct.lines.length).toBeGreaterThan(10);
        expect(direct.lines.some((l) => l.startsWith('data '))).toBe(true);
        expect(replayed.lines).toEqual(direct.lines);
        expect(counted.lines).toEqual(direct.lines);
        expect(replayedMarks).toEqual(expectedMarks);
        if (slotBytes === 300) expect(batches.own).toBeGreaterThan(0);
      });
    }
  }
});
