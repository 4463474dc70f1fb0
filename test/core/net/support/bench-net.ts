/**
 * Throughput of decode + TCP reassembly (not a test: no timing assertions).
 *   npx tsx test/core/net/support/bench-net.ts [capture] [packets]
 * Repeats the capture (default: the fixture anyconnect-vpn.pcap) with the
 * last byte of each IP address changed per copy, so that every copy is new
 * connections, up to the packet count (default 300,000).
 */
import type { Packet } from '../../../../electron/core/capture/packet';
import { PacketDecoder } from '../../../../electron/core/net/packet-decoder';
import { TcpConnectionTable } from '../../../../electron/core/net/tcp-connection-table';
import { readCapture } from './read-capture';

const file = process.argv[2] ?? new URL('../../../fixtures/net/anyconnect-vpn.pcap', import.meta.url).pathname;
const target = Number(process.argv[3] ?? 300_000);
const base = readCapture(file);
const packets: Packet[] = [];
let bytes = 0;
for (let k = 0; packets.length < target; k++) {
  for (const p of base) {
    if (packets.length >= target) break;
    const data = p.data.slice();
    if (p.linkType === 1 && data[12] === 0x08 && data[13] === 0x00 && data.length > 34) {
      data[29]! ^= k & 0xff;
      data[33]! ^= k & 0xff;
    } else if (p.linkType === 1 && data[12] === 0x86 && data[13] === 0xdd && data.length > 54) {
      data[37]! ^= k & 0xff;
      data[53]! ^= k & 0xff;
    }
    bytes += data.length;
    packets.push({ ...p, frame: packets.length + 1, data, timestampNs: p.timestampNs + BigInt(k) * 1_000_000_000_000n });
  }
}

function run(): { ms: number; cpuMs: number; segments: number; delivered: number; connections: number } {
  const decoder = new PacketDecoder();
  let delivered = 0;
  let connections = 0;
  const table = new TcpConnectionTable({
    onOpen() {
      connections++;
    },
    onData(_c, _d, data) {
      delivered += data.length;
    },
    onGap() {},
    onClose() {},
  });
  let segments = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const p of packets) {
    const seg = decoder.decode(p);
    if (seg !== null) {
      segments++;
      table.push(seg, p.frame, p.timestampNs);
    }
  }
  table.finish();
  const cpu = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, segments, delivered, connections };
}

for (let i = 0; i < 3; i++) {
  const r = run();
  console.log(
    `${packets.length} packets (${(bytes / 1048576).toFixed(1)} MiB), ${r.segments} TCP segments, ` +
      `${r.connections} connections, ${(r.delivered / 1048576).toFixed(1)} MiB delivered: ${r.ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU`,
  );
}
