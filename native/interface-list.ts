/**
 * The interfaces libpcap can capture on (pcap_findalldevs through cap), with
 * the flags cap does not report filled in from Linux sysfs.
 */
import { readFileSync } from 'node:fs';
import { loadCap, type CapDevice } from './cap-binding';

export interface InterfaceAddress {
  address: string;
  netmask: string | null;
  family: 'IPv4' | 'IPv6';
}

export interface CaptureInterfaceInfo {
  name: string;
  description: string | null;
  addresses: InterfaceAddress[];
  loopback: boolean;
  /** IFF_UP from /sys/class/net/NAME/flags; null where the system does not say (pseudo-devices such as 'any', non-Linux). */
  up: boolean | null;
}

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

/** Throws CaptureError('unavailable') when cap is not built. */
export function listCaptureInterfaces(): CaptureInterfaceInfo[] {
  const devices = loadCap().Cap.deviceList();
  return devices.map(toInterfaceInfo);
}

export function toInterfaceInfo(device: CapDevice): CaptureInterfaceInfo {
  const flags = readSysfsFlags(device.name);
  return {
    name: device.name,
    description: device.description ?? null,
    addresses: (device.addresses ?? []).map((a) => ({
      address: a.addr,
      netmask: a.netmask ?? null,
      family: a.addr.includes(':') ? 'IPv6' : 'IPv4',
    })),
    loopback: device.flags === 'PCAP_IF_LOOPBACK' || (flags !== null && (flags & IFF_LOOPBACK) !== 0),
    up: flags === null ? null : (flags & IFF_UP) !== 0,
  };
}

function readSysfsFlags(name: string): number | null {
  // Names come from libpcap, but keep them from walking the file system anyway.
  if (process.platform !== 'linux' || !/^[\w.:@-]+$/.test(name)) return null;
  try {
    const text = readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim();
    const value = Number.parseInt(text, 16);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}
