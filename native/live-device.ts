/**
 * One open libpcap capture through cap: a device, a BPF filter, packets as
 * they arrive. cap hands every packet in the same reused buffer, so `onPacket`
 * gets a view valid only during the call (as `Packet.data` everywhere).
 */
import { loadCap, type CapHandle } from './cap-binding';
import { CaptureError, describeOpenFailure } from './capture-errors';
import { linkTypeFromCapName } from './link-type-names';
import { originalLengthOf } from './original-length';
import { PacketClock } from './packet-clock';

/** cap 0.2.1 always opens with this snap length (pcap_set_snaplen(65535)). */
export const CAP_SNAPLEN = 65535;

export interface LiveDeviceOptions {
  interfaceName: string;
  /** BPF filter (pcap-filter(7)); '' for everything. */
  filter: string;
  /** Bytes kept of each packet (at most 65535, cap's own snap length). */
  snaplen: number;
  /** libpcap's kernel buffer (pcap_set_buffer_size). */
  bufferBytes: number;
  /** `tsHigh`/`tsLow`: nanoseconds since the epoch, as two 32-bit halves (PacketClock). */
  onPacket(tsHigh: number, tsLow: number, data: Buffer, capturedLength: number, originalLength: number): void;
}

export interface LiveDevice {
  linkType: number;
  linkTypeName: string;
  snaplen: number;
  clock: PacketClock;
  close(): void;
}

/** Opens the device; throws CaptureError (unavailable, permission, no-such-interface, bad-filter, failed). */
export function openLiveDevice(options: LiveDeviceOptions): LiveDevice {
  const { Cap } = loadCap();
  const handle: CapHandle = new Cap();
  // Large enough for any packet cap can deliver; a bigger one is cut and flagged "truncated".
  const buffer = Buffer.alloc(CAP_SNAPLEN + 1);
  let linkTypeName: string;
  try {
    linkTypeName = handle.open(options.interfaceName, options.filter, options.bufferBytes, buffer);
  } catch (e: unknown) {
    // Not close(): after a failed open cap 0.2.1 aborts in uv_poll_stop (or
    // crashes on a null pcap handle). The half-made handle is left to exit.
    throw describeOpenFailure(e instanceof Error ? e.message : String(e),
      { interfaceName: options.interfaceName, filter: options.filter });
  }
  const linkType = linkTypeFromCapName(linkTypeName);
  if (linkType === null) {
    handle.close();
    throw new CaptureError('failed', `cannot capture on '${options.interfaceName}': unknown link type '${linkTypeName}'`);
  }
  const snaplen = Math.max(1, Math.min(options.snaplen, CAP_SNAPLEN));
  const clock = new PacketClock();
  const onPacket = options.onPacket;
  handle.on('packet', (nbytes: number) => {
    // Stamp first: the closer to arrival, the better.
    clock.stamp();
    const originalLength = nbytes < CAP_SNAPLEN ? nbytes : originalLengthOf(linkType, buffer, nbytes, CAP_SNAPLEN);
    onPacket(clock.high, clock.low, buffer, nbytes < snaplen ? nbytes : snaplen, originalLength);
  });
  let closed = false;
  return {
    linkType,
    linkTypeName,
    snaplen,
    clock,
    close() {
      if (closed) return;
      closed = true;
      handle.close();
      handle.removeAllListeners('packet');
    },
  };
}
