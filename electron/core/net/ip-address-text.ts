/**
 * IP addresses as text, the way tshark prints them, with small caches so that a
 * capture of 300,000 packets between a handful of hosts formats each address
 * once rather than once a packet.
 */

/** Dotted quad of the IPv4 address held as an unsigned 32-bit number. */
export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/**
 * RFC 5952 text of the 16-byte IPv6 address at `bytes[offset..offset+16)`:
 * lowercase hex, leading zeros dropped, the longest run of two or more zero
 * groups (the first if tied) written as `::`. IPv4-mapped (::ffff:a.b.c.d) and
 * IPv4-compatible addresses keep their dotted tail, as tshark prints them.
 */
export function formatIpv6(bytes: Uint8Array, offset: number): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!;

  // Longest run of zero groups (length >= 2).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;

  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) keep the dotted tail, as inet_ntop and
  // Wireshark's ip6_to_str print them.
  const dottedTail = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff));
  const last = dottedTail ? 6 : 8;

  let out: string;
  if (bestStart < 0) {
    out = hexGroups(groups, 0, last);
  } else {
    out = `${hexGroups(groups, 0, bestStart)}::${hexGroups(groups, bestStart + bestLen, last)}`;
  }
  if (dottedTail) {
    const sep = out.endsWith(':') ? '' : ':';
    out += `${sep}${bytes[offset + 12]}.${bytes[offset + 13]}.${bytes[offset + 14]}.${bytes[offset + 15]}`;
  }
  return out;
}

function hexGroups(groups: number[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += (i > from ? ':' : '') + groups[i]!.toString(16);
  return out;
}

/** Cache size bound (IPv4: slots; IPv6: past it the cache starts over): hostile captures have many addresses. */
const MAX_CACHED = 4096;

/** Formats addresses with a cache; one instance per decoder. */
export class IpAddressTextCache {
  /**
   * IPv4: direct-mapped, by a hash of the address (a Map keyed by the address
   * would box every key above 2^30, 127.0.0.1 included, on every lookup).
   */
  private readonly v4Keys = new Int32Array(MAX_CACHED);
  private readonly v4Texts: (string | null)[] = new Array<string | null>(MAX_CACHED).fill(null);
  private readonly v6 = new Map<number, { bytes: Uint8Array; text: string }>();

  ipv4(addr: number): string {
    const key = addr | 0;
    const at = (Math.imul(key, 0x9e3779b1) >>> 20) & (MAX_CACHED - 1);
    const cached = this.v4Texts[at]!;
    if (cached !== null && this.v4Keys[at] === key) return cached;
    const text = formatIpv4(addr);
    this.v4Keys[at] = key;
    this.v4Texts[at] = text;
    return text;
  }

  /** `hash` must be `ipv6Hash(bytes, offset)`. */
  ipv6(bytes: Uint8Array, offset: number, hash: number): string {
    const hit = this.v6.get(hash);
    if (hit !== undefined && sameBytes16(hit.bytes, bytes, offset)) return hit.text;
    if (this.v6.size >= MAX_CACHED) this.v6.clear();
    const text = formatIpv6(bytes, offset);
    this.v6.set(hash, { bytes: bytes.slice(offset, offset + 16), text });
    return text;
  }
}

/** A 32-bit hash (FNV-1a over four words) of the 16-byte address at `offset`. */
export function ipv6Hash(b: Uint8Array, offset: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i += 4) {
    const w = (b[offset + i]! << 24) | (b[offset + i + 1]! << 16) | (b[offset + i + 2]! << 8) | b[offset + i + 3]!;
    h = Math.imul(h ^ w, 0x01000193);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

function sameBytes16(a: Uint8Array, b: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[offset + i]) return false;
  return true;
}
