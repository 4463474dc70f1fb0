/**
 * Turns one TCP connection's events (open, bytes each way, FIN, RST) into the
 * packets a capture of it would hold: Ethernet or raw IP, IPv4 or IPv6, TCP
 * with the three-way handshake, MSS-sized segments, sequence and
 * acknowledgment numbers and valid checksums. The proxy and the probe record
 * each leg of a tunnel this way, so the engine, the pcapng file and Wireshark
 * see ordinary TCP connections.
 *
 * Pure: no I/O. Frames go to a sink; the bytes handed over are valid only
 * during the call (one scratch buffer is reused, as capture readers do, and
 * shared by all synthesizers: a sink must not make another frame meanwhile).
 */
import { LinkType } from '../capture/packet';

export type TcpSide = 'client' | 'server';

export interface TcpEndpointAddress {
  /** IPv4 dotted quad or IPv6 text (the two ends of one connection share a family). */
  ip: string;
  port: number;
}

/** Receives each synthesized frame; `data` is valid only during the call. */
export type FrameSink = (data: Uint8Array, timestampNs: bigint) => void;

/**
 * Takes over a `send`'s data segments at once, when there are several or
 * one large one (a recorder that encodes them natively, say): `headers` starts with the first segment's link, IP
 * and TCP headers (`headerLength` bytes: every field as that segment has it
 * except lengths and checksums, flags ACK); segment i carries `payload`
 * bytes [i * mss, (i + 1) * mss) with sequence number + i * mss, IPv4
 * identification + i, PSH on the last; all at `timestampNs`. The frames
 * must be exactly the ones the sink would have been given. False: not
 * taken, the sink gets them one by one. `headers` is valid only during the call.
 */
export type SegmentRunSink = (headers: Uint8Array, headerLength: number, linkHeaderLength: number, payload: Uint8Array, mss: number, timestampNs: bigint) => boolean;

export interface TcpPacketSynthesizerOptions {
  client: TcpEndpointAddress;
  server: TcpEndpointAddress;
  sink: FrameSink;
  /** Optional: takes each `send`'s data segments in one call (see SegmentRunSink); the ACK after them still goes to `sink`. */
  segmentRun?: SegmentRunSink;
  /** LINKTYPE_ETHERNET (default) or LINKTYPE_RAW. */
  linkType?: typeof LinkType.ETHERNET | typeof LinkType.RAW;
  /** Largest TCP payload per segment; default 1460 (IPv4) / 1440 (IPv6), as on Ethernet. */
  mss?: number;
  /** Initial sequence numbers; default derived from the ports (any value works; fixed ones make tests repeatable). */
  clientIsn?: number;
  serverIsn?: number;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

const ETHERNET_HEADER = 14;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const TCP_HEADER = 20;
/** SYNs carry the MSS option (kind 2, length 4): 4 more header bytes. */
const MSS_OPTION = 4;
const WINDOW = 65535;
/** Bytes of exportState()'s layout. */
const TCP_STATE_BYTES = 56;
/** Chunks longer than this go to segmentRun (when given), however many segments they make. */
const RUN_FROM_BYTES = 1460;

/**
 * Locally administered MACs, one per side, so Ethernet frames look like any LAN capture: 02:00:00:00:00:01 (client)
 * and 02:00:00:00:00:02 (server), written as their first four bytes and their last two (cheaper than a
 * TypedArray#set per MAC: the proxy makes dozens of frames per tunnel).
 */
const MAC_HIGH = 0x02000000;
const CLIENT_MAC_LOW = 0x0001;
const SERVER_MAC_LOW = 0x0002;

interface Direction {
  /** Next sequence number this side sends. */
  seq: number;
  /** Bytes of address (4 or 16). */
  address: Uint8Array;
  port: number;
  /** The MAC's last two bytes (see MAC_HIGH). */
  macLow: number;
  /** An IPv4 address as one big-endian 32-bit number (written without a TypedArray#set); 0 for IPv6. */
  ipv4: number;
  /** IPv4 identification, counted per direction. */
  ipId: number;
  finSent: boolean;
}

interface Scratch {
  bytes: Uint8Array;
  words: Uint32Array;
}

/**
 * Frame memory shared by every synthesizer: a frame is written completely
 * (every header field, then the payload) and handed to the sink before the
 * next one is begun, so one buffer serves all of them and a proxy opening
 * thousands of legs allocates none. A larger MSS than any before grows it
 * once (synthesizers made earlier keep the smaller one). One of its own per
 * synthesizer made a large MSS cost two zero-filled 64 KiB buffers per
 * proxied connection: more CPU per round trip than the segments it saved.
 */
const SHARED_SCRATCH_BYTES = 4 + ETHERNET_HEADER + IPV6_HEADER + TCP_HEADER + MSS_OPTION + 1460;
let sharedScratch: Scratch | null = null;

function scratchFor(bytes: number): Scratch {
  if (!sharedScratch || sharedScratch.bytes.length < bytes) {
    const buffer = new ArrayBuffer((Math.max(bytes, SHARED_SCRATCH_BYTES) + 3) & ~3);
    sharedScratch = { bytes: new Uint8Array(buffer), words: new Uint32Array(buffer) };
  }
  return sharedScratch;
}

/** exportState()'s layout (documented there) of these fields. */
function stateBytes(linkHeader: number, ipv6: boolean, state: number, mss: number,
  client: Pick<Direction, 'seq' | 'ipId' | 'finSent' | 'port' | 'address'>, server: Pick<Direction, 'seq' | 'ipId' | 'finSent' | 'port' | 'address'>): Uint8Array {
  const out = new Uint8Array(TCP_STATE_BYTES);
  const v = new DataView(out.buffer);
  out[0] = 1;
  out[1] = linkHeader;
  out[2] = ipv6 ? 6 : 4;
  out[3] = state;
  v.setUint16(4, mss, true);
  out[6] = client.finSent ? 1 : 0;
  out[7] = server.finSent ? 1 : 0;
  v.setUint32(8, client.seq, true);
  v.setUint32(12, server.seq, true);
  v.setUint16(16, client.ipId, true);
  v.setUint16(18, server.ipId, true);
  v.setUint16(20, client.port, true);
  v.setUint16(22, server.port, true);
  out.set(client.address, 24);
  out.set(server.address, 40);
  return out;
}

/**
 * One synthesized TCP connection. Call `open` once, then `send`/`close`/`reset`
 * in the order things happened; timestamps should not go backwards.
 */
export class TcpPacketSynthesizer {
  private readonly sink: FrameSink;
  private readonly segmentRun: SegmentRunSink | null;
  private readonly linkHeader: number;
  private readonly ipv6: boolean;
  private readonly ipHeader: number;
  private readonly mss: number;
  private readonly sides: { client: Direction; server: Direction };
  /** Reused for every frame: link + IP + TCP (+ SYN option) + one MSS of payload. */
  private readonly frame: Uint8Array;
  /**
   * The frame's memory seen as bytes and as 32-bit words from the start of its
   * buffer. The frame starts `frameOffset` bytes in, so that its TCP header is
   * 4-byte aligned and the checksum can add whole words (see segmentSum).
   */
  private readonly bufferBytes: Uint8Array;
  private readonly bufferWords: Uint32Array;
  private readonly frameOffset: number;
  /** Ones' complement sum of both addresses: the same for either direction's pseudo-header. */
  private readonly addressSum: number;
  private state: 'new' | 'open' | 'ended' = 'new';

  constructor(options: TcpPacketSynthesizerOptions) {
    const clientAddress = parseIpAddress(options.client.ip);
    const serverAddress = parseIpAddress(options.server.ip);
    if (!clientAddress) throw new RangeError(`not an IP address: ${options.client.ip}`);
    if (!serverAddress) throw new RangeError(`not an IP address: ${options.server.ip}`);
    if (clientAddress.length !== serverAddress.length) throw new RangeError('client and server addresses are of different IP versions');
    this.sink = options.sink;
    this.segmentRun = options.segmentRun ?? null;
    this.ipv6 = clientAddress.length === 16;
    this.ipHeader = this.ipv6 ? IPV6_HEADER : IPV4_HEADER;
    this.linkHeader = (options.linkType ?? LinkType.ETHERNET) === LinkType.ETHERNET ? ETHERNET_HEADER : 0;
    const defaultMss = this.ipv6 ? 1440 : 1460;
    this.mss = Math.max(1, Math.min(options.mss ?? defaultMss, 65535 - this.ipHeader - TCP_HEADER - MSS_OPTION));
    const clientIsn = (options.clientIsn ?? isnFrom(options.client.port, options.server.port)) >>> 0;
    const serverIsn = (options.serverIsn ?? isnFrom(options.server.port, options.client.port)) >>> 0;
    this.sides = {
      client: { seq: clientIsn, address: clientAddress, port: options.client.port, macLow: CLIENT_MAC_LOW, ipv4: ipv4Number(clientAddress), ipId: 1, finSent: false },
      server: { seq: serverIsn, address: serverAddress, port: options.server.port, macLow: SERVER_MAC_LOW, ipv4: ipv4Number(serverAddress), ipId: 1, finSent: false },
    };
    const frameLength = this.linkHeader + this.ipHeader + TCP_HEADER + MSS_OPTION + this.mss;
    this.frameOffset = (4 - ((this.linkHeader + this.ipHeader) & 3)) & 3;
    const scratch = scratchFor(this.frameOffset + frameLength);
    this.bufferBytes = scratch.bytes;
    this.bufferWords = scratch.words;
    this.frame = new Uint8Array(scratch.bytes.buffer, this.frameOffset, frameLength);
    this.addressSum = onesComplementSum(serverAddress, 0, serverAddress.length, onesComplementSum(clientAddress, 0, clientAddress.length, 0));
  }

  /** True once a RST was sent or both sides sent FIN: nothing more is synthesized. */
  get ended(): boolean {
    return this.state === 'ended';
  }

  /**
   * Everything the next frames depend on, for a recorder that goes on in C
   * (native/tunnel-relay/leg_recording.h reads the same layout), little-endian:
   *  0 u8  layout version (1)
   *  1 u8  link header bytes: 14 (Ethernet) or 0 (raw IP)
   *  2 u8  IP version: 4 or 6
   *  3 u8  state: 0 new, 1 open, 2 ended
   *  4 u16 mss (clamped, as segments are cut)
   *  6 u8  client sent FIN | 7 u8 server sent FIN
   *  8 u32 client's next sequence number | 12 u32 server's
   * 16 u16 client's next IPv4 identification | 18 u16 server's
   * 20 u16 client port | 22 u16 server port
   * 24 client address (4 bytes for IPv4, else 16) | 40 server address (likewise)
   * This synthesizer is not told what the other one made: the caller stops using it.
   */
  exportState(): Uint8Array {
    return stateBytes(this.linkHeader, this.ipv6, this.state === 'new' ? 0 : this.state === 'open' ? 1 : 2, this.mss, this.sides.client, this.sides.server);
  }

  /**
   * exportState() of a synthesizer made with `options` and not used yet,
   * without making one (no frame memory): for a leg a native recorder opens.
   */
  static initialState(options: Omit<TcpPacketSynthesizerOptions, 'sink' | 'segmentRun'>): Uint8Array {
    const clientAddress = parseIpAddress(options.client.ip);
    const serverAddress = parseIpAddress(options.server.ip);
    if (!clientAddress) throw new RangeError(`not an IP address: ${options.client.ip}`);
    if (!serverAddress) throw new RangeError(`not an IP address: ${options.server.ip}`);
    if (clientAddress.length !== serverAddress.length) throw new RangeError('client and server addresses are of different IP versions');
    const ipv6 = clientAddress.length === 16;
    const linkHeader = (options.linkType ?? LinkType.ETHERNET) === LinkType.ETHERNET ? ETHERNET_HEADER : 0;
    const mss = Math.max(1, Math.min(options.mss ?? (ipv6 ? 1440 : 1460), 65535 - (ipv6 ? IPV6_HEADER : IPV4_HEADER) - TCP_HEADER - MSS_OPTION));
    const clientIsn = (options.clientIsn ?? isnFrom(options.client.port, options.server.port)) >>> 0;
    const serverIsn = (options.serverIsn ?? isnFrom(options.server.port, options.client.port)) >>> 0;
    return stateBytes(linkHeader, ipv6, 0, mss,
      { seq: clientIsn, ipId: 1, finSent: false, port: options.client.port, address: clientAddress },
      { seq: serverIsn, ipId: 1, finSent: false, port: options.server.port, address: serverAddress });
  }

  /** The three-way handshake: SYN, SYN-ACK, ACK. */
  open(timeNs: bigint): void {
    if (this.state !== 'new') return;
    this.state = 'open';
    const { client, server } = this.sides;
    this.segment(client, server, SYN, null, timeNs);
    client.seq = (client.seq + 1) >>> 0;
    this.segment(server, client, SYN | ACK, null, timeNs);
    server.seq = (server.seq + 1) >>> 0;
    this.segment(client, server, ACK, null, timeNs);
  }

  /** `data` from one side, in MSS-sized segments (PSH on the last), then the other side's ACK. */
  send(from: TcpSide, data: Uint8Array, timeNs: bigint): void {
    if (data.length === 0) return;
    if (this.state === 'new') this.open(timeNs);
    if (this.state !== 'open') return;
    const [src, dst] = this.pair(from);
    if (src.finSent) return;
    // A small chunk is made here: cheaper than a call into native code for it. A large one (a
    // 64 KiB read on a leg with loopback's MSS is one or two segments) is copied and summed faster there.
    if (this.segmentRun && data.length > RUN_FROM_BYTES && this.sendRun(src, dst, data, timeNs)) {
      this.segment(dst, src, ACK, null, timeNs);
      return;
    }
    for (let at = 0; at < data.length; at += this.mss) {
      const end = Math.min(at + this.mss, data.length);
      this.segment(src, dst, end === data.length ? PSH | ACK : ACK, data.subarray(at, end), timeNs);
      src.seq = (src.seq + (end - at)) >>> 0;
    }
    this.segment(dst, src, ACK, null, timeNs);
  }

  /** FIN from one side and the other side's ACK. Both sides closed ends the connection. */
  close(from: TcpSide, timeNs: bigint): void {
    if (this.state === 'new') this.open(timeNs);
    if (this.state !== 'open') return;
    const [src, dst] = this.pair(from);
    if (src.finSent) return;
    this.segment(src, dst, FIN | ACK, null, timeNs);
    src.seq = (src.seq + 1) >>> 0;
    src.finSent = true;
    this.segment(dst, src, ACK, null, timeNs);
    if (dst.finSent) this.state = 'ended';
  }

  /** RST from one side (an aborted connection). */
  reset(from: TcpSide, timeNs: bigint): void {
    if (this.state !== 'open') {
      this.state = 'ended';
      return;
    }
    const [src, dst] = this.pair(from);
    this.segment(src, dst, RST | ACK, null, timeNs);
    this.state = 'ended';
  }

  /** `data`'s segments through segmentRun: the first one's headers, then the state as if each had been made here. */
  private sendRun(src: Direction, dst: Direction, data: Uint8Array, timeNs: bigint): boolean {
    const tcpAt = this.headers(src, dst, ACK, data.length <= this.mss ? data.length : this.mss);
    if (!this.segmentRun!(this.frame, tcpAt + TCP_HEADER, this.linkHeader, data, this.mss, timeNs)) return false;
    const segments = Math.ceil(data.length / this.mss);
    src.seq = (src.seq + data.length) >>> 0;
    if (!this.ipv6) src.ipId = (src.ipId + segments) & 0xffff;
    return true;
  }

  private pair(from: TcpSide): [Direction, Direction] {
    return from === 'client' ? [this.sides.client, this.sides.server] : [this.sides.server, this.sides.client];
  }

  /** One frame: headers, payload, checksums, to the sink. */
  private segment(src: Direction, dst: Direction, flags: number, payload: Uint8Array | null, timeNs: bigint): void {
    const f = this.frame;
    const optionLength = flags & SYN ? MSS_OPTION : 0;
    const tcpLength = TCP_HEADER + optionLength + (payload ? payload.length : 0);
    const tcpAt = this.headers(src, dst, flags, payload ? payload.length : 0);
    if (!this.ipv6) {
      src.ipId = (src.ipId + 1) & 0xffff;
      const ipAt = this.linkHeader;
      put16(f, ipAt + 10, ~onesComplementSum(f, ipAt, ipAt + IPV4_HEADER, 0) & 0xffff);
    }
    if (payload) f.set(payload, tcpAt + TCP_HEADER + optionLength);
    const end = tcpAt + tcpLength;
    // Checksum over the pseudo-header (addresses, protocol, TCP length) and the segment.
    const sum = this.addressSum + IPPROTO_TCP + tcpLength + segmentSum(this.bufferWords, this.bufferBytes, this.frameOffset + tcpAt, tcpLength);
    // A result of zero stays 0x0000: writing 0xffff for it is UDP's rule (RFC 768), and tshark
    // flags it in TCP ("0xffff instead of 0x0000", RFC 1624).
    const checksum = ~fold(sum) & 0xffff;
    put16(f, tcpAt + 16, checksum);
    this.sink(f.subarray(0, end), timeNs);
  }

  /**
   * A frame's headers for `payloadLength` bytes of payload, checksums zero
   * (the IPv4 identification is src's, not advanced); returns where TCP starts.
   * Ethernet II: dst MAC (6) | src MAC (6) | EtherType (2)
   * IPv4 (RFC 791 3.1): Version/IHL | TOS | Total Length | Identification | Flags/Fragment Offset |
   *   TTL | Protocol | Header Checksum | Source Address | Destination Address
   * IPv6 (RFC 8200 3): Version/Traffic Class/Flow Label (4) | Payload Length | Next Header | Hop Limit |
   *   Source Address (16) | Destination Address (16)
   * TCP (RFC 9293 3.1): Source Port | Destination Port | Sequence Number | Acknowledgment Number |
   *   Data Offset/Reserved/Flags | Window | Checksum | Urgent Pointer | Options
   */
  private headers(src: Direction, dst: Direction, flags: number, payloadLength: number): number {
    const f = this.frame;
    const optionLength = flags & SYN ? MSS_OPTION : 0;
    const tcpLength = TCP_HEADER + optionLength + payloadLength;
    let at = 0;
    if (this.linkHeader) {
      put32(f, 0, MAC_HIGH);
      put16(f, 4, dst.macLow);
      put32(f, 6, MAC_HIGH);
      put16(f, 10, src.macLow);
      put16(f, 12, this.ipv6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
      at = ETHERNET_HEADER;
    }
    if (this.ipv6) {
      put32(f, at, 0x60000000);
      put16(f, at + 4, tcpLength);
      f[at + 6] = IPPROTO_TCP;
      f[at + 7] = 64;
      f.set(src.address, at + 8);
      f.set(dst.address, at + 24);
    } else {
      f[at] = 0x45;
      f[at + 1] = 0;
      put16(f, at + 2, IPV4_HEADER + tcpLength);
      put16(f, at + 4, src.ipId);
      put16(f, at + 6, 0x4000); // Don't Fragment
      f[at + 8] = 64;
      f[at + 9] = IPPROTO_TCP;
      put16(f, at + 10, 0);
      put32(f, at + 12, src.ipv4);
      put32(f, at + 16, dst.ipv4);
    }
    at += this.ipHeader;
    const tcpAt = at;
    put16(f, at, src.port);
    put16(f, at + 2, dst.port);
    put32(f, at + 4, src.seq);
    put32(f, at + 8, flags & ACK ? dst.seq : 0);
    f[at + 12] = ((TCP_HEADER + optionLength) / 4) << 4;
    f[at + 13] = flags;
    put16(f, at + 14, WINDOW);
    put16(f, at + 16, 0);
    put16(f, at + 18, 0);
    if (optionLength) {
      f[at + 20] = 2;
      f[at + 21] = 4;
      put16(f, at + 22, this.mss);
    }
    return tcpAt;
  }
}

/** Sum of 16-bit big-endian words of `b[from..to)` (odd tail padded with zero) added to `sum`, folded. */
function onesComplementSum(b: Uint8Array, from: number, to: number, sum: number): number {
  let s = sum;
  let i = from;
  for (; i + 1 < to; i += 2) {
    s += (b[i]! << 8) | b[i + 1]!;
    // Fold now and then so the number stays a small integer.
    if (s > 0x7fffffff) s = (s & 0xffff) + (s >>> 16);
  }
  if (i < to) s += b[i]! << 8;
  return fold(s);
}

/**
 * The ones' complement sum (RFC 1071) of `length` bytes at `from` (a multiple
 * of 4) of the buffer behind `words`/`bytes`, as big-endian 16-bit words,
 * folded to 16 bits. It adds whole 32-bit words in the machine's byte order:
 * RFC 1071 2(B) and 2(C): the sum is independent of byte order up to one swap
 * at the end, and 32-bit words fold to 16 bits afterwards (2^16 = 1 mod
 * 2^16 - 1). A double holds the total exactly (2^53 is far above 65536
 * words of 2^32), so nothing folds inside the loop. The result is the same
 * number a byte-by-byte big-endian sum gives, zero only when all bytes are.
 */
function segmentSum(words: Uint32Array, bytes: Uint8Array, from: number, length: number): number {
  let s = 0;
  let w = from >>> 2;
  const stop = w + (length >>> 2);
  for (; w + 4 <= stop; w += 4) s += words[w]! + words[w + 1]! + words[w + 2]! + words[w + 3]!;
  for (; w < stop; w++) s += words[w]!;
  const at = stop << 2;
  const rest = length & 3;
  if (LITTLE_ENDIAN) {
    if (rest >= 2) s += bytes[at]! | (bytes[at + 1]! << 8);
    if (rest & 1) s += bytes[at + (rest & 2)]!;
  } else {
    if (rest >= 2) s += (bytes[at]! << 8) | bytes[at + 1]!;
    if (rest & 1) s += bytes[at + (rest & 2)]! << 8;
  }
  // To 16 bits without 32-bit integer operations first (the total may exceed 2^32).
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return LITTLE_ENDIAN ? ((s & 0xff) << 8) | (s >>> 8) : s;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** A 4-byte address as a big-endian 32-bit number; 0 for a 16-byte one (IPv6 headers copy the bytes). */
function ipv4Number(address: Uint8Array): number {
  return address.length === 4 ? ((address[0]! << 24) | (address[1]! << 16) | (address[2]! << 8) | address[3]!) >>> 0 : 0;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** A repeatable, spread-out initial sequence number (real stacks randomize; any value is valid). */
function isnFrom(a: number, b: number): number {
  return Math.imul((a << 16) ^ b ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
}

/**
 * The 4 or 16 bytes of an IPv4 dotted quad or an IPv6 address (RFC 4291 2.2
 * text forms: full, `::`-compressed, with a dotted IPv4 tail; a `%zone` is
 * dropped); an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, as Node reports
 * IPv4 peers of a dual-stack socket) gives the IPv4 bytes. Null when not an address.
 */
export function parseIpAddress(text: string): Uint8Array | null {
  const v4 = parseIpv4(text);
  if (v4) return v4;
  const v6 = parseIpv6(text);
  if (!v6) return null;
  const mapped = v6.subarray(0, 10).every((x) => x === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(input: string): Uint8Array | null {
  const zone = input.indexOf('%');
  const text = zone >= 0 ? input.slice(0, zone) : input;
  if (text.length === 0 || text.length > 45) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) put16(out, 2 * i, groups[i]!);
  return out;
}
