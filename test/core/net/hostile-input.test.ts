/**
 * Mutated real packets (flipped bytes, cut lengths, lying originalLength)
 * through the decoder and the connection table: nothing throws, nothing is
 * counted as an internal error, held memory stays bounded.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Packet } from '../../../electron/core/capture/packet';
import { PacketDecoder } from '../../../electron/core/net/packet-decoder';
import { TcpConnectionTable } from '../../../electron/core/net/tcp-connection-table';
import { readCapture } from './support/read-capture';
import { seededRandom } from '../../support/fuzz-mutations';

const fixtures = ['vxlan.pcap', 'tls_invalid_reads.pcap', 'null-ipv6-tls-alpn-h2.pcap', 'pppoe.pcap', 'gtp6_gtp_0x32.pcap', 'sll-trojan-tcp-tls.pcapng'];

describe('hostile packets', () => {
  it.each(fixtures)('mutations of %s never throw and never hit an internal error', (name) => {
    const packets = readCapture(join(__dirname, '../../fixtures/net', name));
    const random = seededRandom(name.length * 7919);
    const decoder = new PacketDecoder({ fragments: { maxDatagrams: 16 } });
    const table = new TcpConnectionTable(
      { onOpen() {}, onData() {}, onGap() {}, onClose() {} },
      { maxConnections: 64, reassembly: { maxBufferedBytes: 1 << 16 } },
    );
    let frame = 0;
    for (let round = 0; round < 40; round++) {
      for (const p of packets) {
        const data = p.data.slice();
        const flips = 1 + Math.floor(random() * 4);
        for (let i = 0; i < flips; i++) data[Math.floor(random() * data.length)] = Math.floor(random() * 256);
        const cut = random() < 0.3 ? Math.floor(random() * data.length) : data.length;
        const linkType = random() < 0.05 ? [0, 1, 101, 108, 113, 228, 229, 276][Math.floor(random() * 8)]! : p.linkType;
        const mutated: Packet = {
          ...p,
          frame: ++frame,
          linkType,
          data: data.subarray(0, cut),
          originalLength: random() < 0.1 ? Math.floor(random() * 70000) : p.originalLength,
        };
        const seg = decoder.decode(mutated);
        if (seg !== null) {
          expect(seg.payload.length).toBeLessThanOrEqual(seg.payloadLength);
          table.push(seg, mutated.frame, mutated.timestampNs);
        }
      }
    }
    table.finish();
    expect(decoder.drops.internal).toBe(0);
    expect(decoder.pendingFragments).toBeLessThanOrEqual(16);
    expect(table.bufferedBytes).toBe(0);
  });
});
