/**
 * A live capture through the project's own libpcap binding (native/pcap-ring/),
 * preferred over `cap` when it is built: TPACKET_V3 blocks instead of one
 * snaplen-sized ring frame per packet, kernel timestamps, original lengths,
 * pcap_stats, and pcapng blocks written in C (see pcap_ring.c for why).
 * Without it (not built), the helper falls back to `cap` (live-device.ts).
 */
import { fileURLToPath } from 'node:url';
import { describeOpenFailure } from './capture-errors';
import { firstLoadableAddon } from './first-loadable-addon';

interface PcapRingBinding {
  open(device: string, filter: string, snaplen: number, bufferBytes: number, timeoutMs: number): [unknown, number, number, string];
  dispatch(handle: unknown, out: Buffer): [number, number, number];
  stats(handle: unknown): [number, number, number];
  close(handle: unknown): void;
}

export interface RingDeviceOptions {
  interfaceName: string;
  filter: string;
  snaplen: number;
  bufferBytes: number;
  /** Longest a packet waits in a part-filled kernel block before it is handed over (pcap_set_timeout). */
  timeoutMs: number;
}

/** libpcap's own counters (pcap_stats), cumulative since open. */
export interface RingStatistics {
  /** ps_recv: packets the kernel saw pass the filter (including those it then dropped). */
  received: number;
  /** ps_drop: dropped because the ring was full. */
  droppedByKernel: number;
  /** ps_ifdrop: dropped by the interface or its driver (Linux: rx_missed + rx_fifo errors since open). */
  droppedByInterface: number;
}

export interface RingDevice {
  linkType: number;
  /** libpcap's name of the link type (pcap_datalink_val_to_name), e.g. 'EN10MB', 'LINUX_SLL'; for messages. */
  linkTypeName: string;
  snaplen: number;
  /** The largest block `read` can write: `out` must have room for at least this. */
  largestBlock: number;
  /** Writes whole pcapng EPBs (interface 0, ns timestamps) into `out`; returns [bytes, packets, captured bytes]. Never blocks. */
  read(out: Buffer): [number, number, number];
  stats(): RingStatistics;
  close(): void;
}

/** DLT_* values that are not their LINKTYPE_* number (Linux's; pcap_datalink returns DLTs). */
const LINKTYPE_OF_DLT: ReadonlyMap<number, number> = new Map([
  [11, 100], // DLT_ATM_RFC1483
  [12, 101], // DLT_RAW
]);

let binding: PcapRingBinding | null | undefined;

/** The built binding, or null (then capture goes through cap). TLSWB_PCAP_RING names it explicitly ('off' disables). */
export function loadPcapRing(env: NodeJS.ProcessEnv = process.env): PcapRingBinding | null {
  if (binding !== undefined) return binding;
  binding = null;
  if (env.TLSWB_PCAP_RING === 'off') return binding;
  // An explicit TLSWB_PCAP_RING; else next to the bundled helper (dist/native/), then the build folder beside the sources.
  binding = firstLoadableAddon<PcapRingBinding>(env.TLSWB_PCAP_RING ? [env.TLSWB_PCAP_RING] : [
    fileURLToPath(new URL('./pcap_ring.node', import.meta.url)),
    fileURLToPath(new URL('../../native/pcap-ring/build/Release/pcap_ring.node', import.meta.url)),
    fileURLToPath(new URL('./pcap-ring/build/Release/pcap_ring.node', import.meta.url)),
  ]);
  return binding;
}

/** Opens the device, or returns null when the binding is not built; throws CaptureError as live-device.ts does. */
export function openRingDevice(options: RingDeviceOptions, env?: NodeJS.ProcessEnv): RingDevice | null {
  const ring = loadPcapRing(env);
  if (ring === null) return null;
  let opened: [unknown, number, number, string];
  try {
    opened = ring.open(options.interfaceName, options.filter, options.snaplen, options.bufferBytes, options.timeoutMs);
  } catch (e: unknown) {
    throw describeOpenFailure(e instanceof Error ? e.message : String(e), { interfaceName: options.interfaceName, filter: options.filter });
  }
  const [handle, dlt, snaplen, dltName] = opened;
  let closed = false;
  return {
    linkType: LINKTYPE_OF_DLT.get(dlt) ?? dlt,
    linkTypeName: dltName,
    snaplen,
    largestBlock: 32 + ((snaplen + 3) & ~3),
    read: (out) => ring.dispatch(handle, out),
    stats() {
      const [received, droppedByKernel, droppedByInterface] = ring.stats(handle);
      return { received, droppedByKernel, droppedByInterface };
    },
    close() {
      if (closed) return;
      closed = true;
      ring.close(handle);
    },
  };
}
