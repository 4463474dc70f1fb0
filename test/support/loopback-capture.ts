import { connect } from 'node:net';
import { spawnTracked } from './spawned-process';

/**
 * Records loopback traffic with dumpcap, as Wireshark would: start it, wait
 * until it says "Capturing on", run the traffic, then `stop()` (wait ~300 ms
 * for the last packets, SIGINT, wait for exit, read its drop counts).
 *
 * "Capturing on" comes before the capture really is live: traffic started at
 * once loses its first packets. So, given a `probe` address inside the filter,
 * it knocks there (a TCP connection attempt: SYN and RST, no TLS) until
 * dumpcap's running count ("Packets: N") shows it arrived.
 */
export interface CaptureStats {
  file: string;
  packets: number | null;
  dropped: number | null;
  dumpcapOutput: string;
}

export interface LoopbackCapture {
  file: string;
  stop(): Promise<CaptureStats>;
}

export interface CaptureOptions {
  /** Output file (.pcapng, or .pcap with `format: 'pcap'`). */
  file: string;
  /** BPF filter, e.g. `host 127.5.6.7 and tcp port 443`. */
  filter: string;
  format?: 'pcapng' | 'pcap';
  /** Kernel buffer size in MiB (dumpcap -B). */
  bufferMiB?: number;
  /** Milliseconds to wait before stopping, so the last packets reach the file. */
  settleMs?: number;
  /** An address the filter matches where nothing listens yet (see above). */
  probe?: { host: string; port: number };
}

function knock(host: string, port: number): void {
  const socket = connect({ host, port });
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.destroy());
  setTimeout(() => socket.destroy(), 500).unref();
}

export async function startLoopbackCapture(options: CaptureOptions): Promise<LoopbackCapture> {
  const args = ['-i', 'lo', '-f', options.filter, '-w', options.file];
  if (options.format === 'pcap') args.push('-P');
  if (options.bufferMiB) args.push('-B', String(options.bufferMiB));
  const dumpcap = spawnTracked('dumpcap', 'dumpcap', args);
  await dumpcap.waitForOutput(/Capturing on/, 15_000);
  if (options.probe) {
    const { host, port } = options.probe;
    knock(host, port);
    const knocking = setInterval(() => knock(host, port), 200);
    try {
      await dumpcap.waitForOutput(/Packets: [1-9]/, 15_000);
    } finally {
      clearInterval(knocking);
    }
  }
  return {
    file: options.file,
    async stop() {
      await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 300));
      await dumpcap.stop('SIGINT', 5000);
      return { file: options.file, ...parseDumpcapStats(dumpcap.output()), dumpcapOutput: dumpcap.output() };
    },
  };
}

/** dumpcap's closing lines: "Packets captured: 12" and "Packets received/dropped on interface 'lo': 12/0 (...)". */
export function parseDumpcapStats(text: string): { packets: number | null; dropped: number | null } {
  const captured = /Packets captured: (\d+)/.exec(text);
  const receivedDropped = /received\/dropped on interface .*?: (\d+)\/(\d+) \(pcap:(\d+)\/dumpcap:(\d+)\/flushed:(\d+)/.exec(text);
  const dropped = receivedDropped
    ? Number(receivedDropped[2]) + Number(receivedDropped[3]) + Number(receivedDropped[4])
    : null;
  return { packets: captured ? Number(captured[1]) : receivedDropped ? Number(receivedDropped[1]) : null, dropped };
}
