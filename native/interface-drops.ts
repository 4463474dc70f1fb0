/**
 * libpcap's "dropped by the interface" (pcap_stats ps_ifdrop), computed as
 * libpcap 1.10 computes it on Linux, since cap 0.2.1 does not expose
 * pcap_stats: the growth, since the capture opened, of the interface's
 * /sys/class/net/IFACE/statistics/rx_missed_errors + rx_fifo_errors (packets
 * the NIC or its driver had no room for; software drops are not counted).
 *
 * null where it cannot be known: not Linux, or no such counters (the `any`
 * pseudo-device, an interface that went away). Many virtual drivers (lo, veth)
 * never count these, so 0 there means "none the driver knows of".
 */
import { readFileSync } from 'node:fs';

const COUNTERS = ['rx_missed_errors', 'rx_fifo_errors'] as const;

export class InterfaceDropCounter {
  private readonly baseline: number | null;

  constructor(
    private readonly interfaceName: string,
    private readonly sysClassNet = '/sys/class/net',
  ) {
    this.baseline = this.total();
  }

  /** Packets the interface dropped since this counter was made, or null when unknown. */
  read(): number | null {
    if (this.baseline === null) return null;
    const now = this.total();
    return now === null ? null : Math.max(0, now - this.baseline);
  }

  private total(): number | null {
    // An interface name is one path component; anything else is not one we can look up.
    if (process.platform !== 'linux' || !this.interfaceName || /[/\0]/.test(this.interfaceName)
      || this.interfaceName === '.' || this.interfaceName === '..') return null;
    let sum = 0;
    for (const counter of COUNTERS) {
      let text: string;
      try {
        text = readFileSync(`${this.sysClassNet}/${this.interfaceName}/statistics/${counter}`, 'utf8');
      } catch {
        return null;
      }
      const n = Number(text.trim());
      if (!Number.isSafeInteger(n) || n < 0) return null;
      sum += n;
    }
    return sum;
  }
}
