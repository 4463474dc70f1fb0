/**
 * Reassembly of fragmented IP datagrams (IPv4, RFC 791 §3.2; IPv6 Fragment
 * header, RFC 8200 §4.5), as tshark does with ip.defragment / ipv6.defragment
 * on (their defaults): the frame carrying the fragment that completes the
 * datagram is the one that shows the upper layer.
 *
 * Every fragment is hostile: the table holds at most `maxDatagrams` unfinished
 * datagrams (the oldest is dropped past that, and any older than `timeoutNs` of
 * capture time), each at most `maxFragments` fragments and 64 KiB of payload.
 * Where fragments overlap, the fragment with the lower offset wins (for equal
 * offsets, the one that came first), as Wireshark's reassemble.c builds the
 * datagram: each fragment in offset order only adds the bytes past the end of
 * those before it.
 */

export interface IpFragmentLimits {
  maxDatagrams: number;
  maxFragments: number;
  timeoutNs: bigint;
}

const DEFAULT_LIMITS: IpFragmentLimits = {
  maxDatagrams: 1024,
  maxFragments: 256,
  timeoutNs: 60_000_000_000n,
};

/** The largest payload a fragmented datagram can have (16-bit lengths, 8-byte offset units). */
export const MAX_DATAGRAM_PAYLOAD = 65535;

interface Fragment {
  offset: number;
  data: Uint8Array;
}

interface PendingDatagram {
  /** In arrival order. */
  fragments: Fragment[];
  /** Payload length once the last fragment (more-fragments clear) arrived; -1 before. */
  totalLength: number;
  firstTimeNs: bigint;
}

export type FragmentOutcome =
  | { kind: 'pending' }
  | { kind: 'complete'; payload: Uint8Array }
  | { kind: 'rejected'; reason: string };

const PENDING: FragmentOutcome = { kind: 'pending' };

export class IpFragmentReassembler {
  private readonly pending = new Map<string, PendingDatagram>();
  private readonly limits: IpFragmentLimits;
  /** Datagrams dropped unfinished (evicted or timed out). */
  dropped = 0;

  constructor(limits: Partial<IpFragmentLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Add one fragment (`data` is copied). `key` names the datagram: source,
   * destination, protocol and identification, as the RFCs define it.
   */
  add(key: string, offset: number, data: Uint8Array, more: boolean, timeNs: bigint): FragmentOutcome {
    if (offset + data.length > MAX_DATAGRAM_PAYLOAD) {
      return { kind: 'rejected', reason: 'fragment ends past 65535 bytes' };
    }
    this.expire(timeNs);
    let d = this.pending.get(key);
    if (d === undefined) {
      if (this.pending.size >= this.limits.maxDatagrams) this.dropOldest();
      d = { fragments: [], totalLength: -1, firstTimeNs: timeNs };
      this.pending.set(key, d);
    }
    if (d.fragments.length >= this.limits.maxFragments) {
      this.pending.delete(key);
      this.dropped++;
      return { kind: 'rejected', reason: `more than ${this.limits.maxFragments} fragments in one datagram` };
    }
    const end = offset + data.length;
    if (!more) {
      if (d.totalLength >= 0 && d.totalLength !== end) {
        // Two "last" fragments that disagree: keep the first, as for data.
      } else {
        d.totalLength = end;
      }
    }
    d.fragments.push({ offset, data: data.slice() });
    if (d.totalLength < 0 || !covers(d.fragments, d.totalLength)) return PENDING;

    this.pending.delete(key);
    const payload = new Uint8Array(d.totalLength);
    // In offset order (a stable sort: equal offsets keep arrival order), each fragment
    // only adds the bytes past what lower fragments already filled.
    let filled = 0;
    for (const f of d.fragments.slice().sort((x, y) => x.offset - y.offset)) {
      const end = Math.min(f.offset + f.data.length, d.totalLength);
      if (end <= filled) continue;
      const start = Math.max(filled, f.offset);
      payload.set(f.data.subarray(start - f.offset, end - f.offset), start);
      filled = end;
    }
    return { kind: 'complete', payload };
  }

  private expire(now: bigint): void {
    // Map iteration is insertion order, so the oldest datagrams come first.
    for (const [key, d] of this.pending) {
      if (now - d.firstTimeNs <= this.limits.timeoutNs) break;
      this.pending.delete(key);
      this.dropped++;
    }
  }

  private dropOldest(): void {
    const first = this.pending.keys().next();
    if (!first.done) {
      this.pending.delete(first.value);
      this.dropped++;
    }
  }
}

/** Whether the fragments together cover every byte of [0, total). */
function covers(fragments: Fragment[], total: number): boolean {
  const sorted = fragments.slice().sort((x, y) => x.offset - y.offset);
  let reached = 0;
  for (const f of sorted) {
    if (f.offset > reached) return false;
    const end = f.offset + f.data.length;
    if (end > reached) reached = end;
    if (reached >= total) return true;
  }
  return reached >= total;
}
