/**
 * The HAProxy PROXY protocol header a load balancer puts in front of a
 * connection's first bytes (https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt).
 * The TLS that follows it is an ordinary stream: the header is only skipped.
 *
 * Version 1 (2.1), one text line of at most 107 bytes:
 *   "PROXY" SP ("TCP4" | "TCP6" | "UNKNOWN") [SP src SP dst SP sport SP dport] CRLF
 * Version 2 (2.2), binary:
 *   uint8  sig[12] = \x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A;
 *   uint8  ver_cmd;   // high nibble 2
 *   uint8  fam;
 *   uint16 len;       // bytes of addresses and TLVs that follow
 */
import { ByteReader } from '../bytes/byte-reader';

const V1_PREFIX = [0x50, 0x52, 0x4f, 0x58, 0x59, 0x20]; // "PROXY "
const V1_MAX_LINE = 107;
const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
const V2_FIXED = 16;

/**
 * Length of the PROXY protocol header `data` starts with, or 0 when it starts
 * with none (or with one cut short: the header is taken only when whole in the
 * first segment, as load balancers send it).
 */
export function proxyProtocolHeaderLength(data: Uint8Array): number {
  if (startsWith(data, V1_PREFIX)) {
    const end = Math.min(data.length - 1, V1_MAX_LINE - 1);
    for (let i = V1_PREFIX.length; i < end; i++) {
      if (data[i] === 0x0d && data[i + 1] === 0x0a) return i + 2;
    }
    return 0;
  }
  if (startsWith(data, V2_SIGNATURE) && data.length >= V2_FIXED) {
    const r = new ByteReader(data);
    r.skip(V2_SIGNATURE.length);
    const verCmd = r.u8();
    r.u8(); // fam
    const len = r.u16();
    if (verCmd >> 4 !== 2 || V2_FIXED + len > data.length) return 0;
    return V2_FIXED + len;
  }
  return 0;
}

function startsWith(data: Uint8Array, prefix: number[]): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}
