/**
 * The `cap` libpcap binding (an optional dependency), loaded on first use so
 * that everything else works where it could not be built (no libpcap headers):
 * then capture says how to fix it instead of failing at import time.
 */
import { createRequire } from 'node:module';
import { CaptureError } from './capture-errors';

/** One address of an interface, as `Cap.deviceList()` reports it. */
export interface CapAddress {
  addr: string;
  netmask?: string;
  broadaddr?: string;
  dstaddr?: string;
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: CapAddress[];
  /** 'PCAP_IF_LOOPBACK' or absent: the only flag cap 0.2.1 reports. */
  flags?: string;
}

/** A `Cap` instance: an EventEmitter emitting ('packet', nbytes, truncated). */
export interface CapHandle {
  /** Returns the link type name ('ETHERNET', 'LINKTYPE_LINUX_SLL', 'NULL', 'RAW', 'Unknown linktype N', ...). */
  open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}

export interface CapModule {
  Cap: { new (): CapHandle; deviceList(): CapDevice[] };
}

export const CAP_FIX = 'apt install libpcap-dev && npm rebuild cap';

let loaded: CapModule | null = null;

/** The binding, or a CaptureError of kind 'unavailable' saying how to build it. */
export function loadCap(): CapModule {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  try {
    loaded = require('cap') as CapModule;
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new CaptureError('unavailable',
      `live capture is unavailable: the libpcap binding 'cap' is not built (${why}); to fix: ${CAP_FIX}`);
  }
  return loaded;
}
