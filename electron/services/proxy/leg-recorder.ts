/**
 * Records the legs of proxied connections as synthesized TCP/IP packets: into
 * a pcapng file (optional) and into whatever consumes packets (the engine).
 * Every leg is one ordinary TCP connection (core/net/tcp-packet-synthesizer);
 * TLS secrets go into Decryption Secrets Blocks of the same file, written
 * before the packets they decrypt, so `tshark -r` decrypts with no options.
 * Secrets are never written anywhere else.
 */
import { hrtime } from 'node:process';
import { LinkType, type Packet } from '../../core/capture/packet';
import { TcpPacketSynthesizer, type TcpEndpointAddress, type TcpSide } from '../../core/net/tcp-packet-synthesizer';
import { tunnelComment, type TunnelLeg } from '../../core/session/tunnel-link';
import { BatchedPcapngFile } from './batched-pcapng-file';

export interface LegRecorderOptions {
  /** pcapng file to write (created or truncated); none: packets only go to `onPacket`. */
  file?: string;
  /** Each synthesized packet, in frame order (`data` valid only during the call). */
  onPacket?: (packet: Packet) => void;
  /** shb_userappl of the file. */
  application?: string;
}

/** Wall-clock nanoseconds that never go backwards (wall clock at start + monotonic time since). */
export class MonotonicClock {
  private readonly startWallNs = BigInt(Date.now()) * 1_000_000n;
  private readonly startMonoNs = hrtime.bigint();

  nowNs(): bigint {
    return this.startWallNs + (hrtime.bigint() - this.startMonoNs);
  }
}

export class LegRecorder {
  readonly clock = new MonotonicClock();
  private frame = 0;
  private readonly packet: Packet = { frame: 0, interfaceId: 0, linkType: LinkType.ETHERNET, timestampNs: 0n, data: new Uint8Array(0), originalLength: 0 };
  private closed = false;
  private readonly secretsSeen = new Set<string>();

  private constructor(
    private readonly writer: BatchedPcapngFile | null,
    private readonly onPacket: ((p: Packet) => void) | null,
  ) {}

  static async create(options: LegRecorderOptions = {}): Promise<LegRecorder> {
    let writer: BatchedPcapngFile | null = null;
    if (options.file !== undefined) {
      writer = await BatchedPcapngFile.open(options.file, { userAppl: options.application ?? 'tlswb' },
        { linkType: LinkType.ETHERNET, name: 'tlswb-proxy', description: 'TCP legs synthesized by tlswb' });
    }
    return new LegRecorder(writer, options.onPacket ?? null);
  }

  /** Frames recorded so far. */
  get frames(): number {
    return this.frame;
  }

  /** A new leg: one TCP connection from `client` to `server`. `tunnel` marks its first packet (see tunnel-link). */
  leg(client: TcpEndpointAddress, server: TcpEndpointAddress, tunnel?: { id: number; leg: TunnelLeg }): RecordedLeg {
    let comment = tunnel ? tunnelComment(tunnel.id, tunnel.leg) : undefined;
    const synth = new TcpPacketSynthesizer({
      client: { ip: unmapIpv4(client.ip), port: client.port },
      server: { ip: unmapIpv4(server.ip), port: server.port },
      sink: (data, timestampNs) => {
        this.emit(data, timestampNs, comment);
        comment = undefined;
      },
    });
    return new RecordedLeg(synth, this.clock);
  }

  /**
   * TLS key log lines (NSS format) for the file's Decryption Secrets Block.
   * Duplicates are dropped. Nothing is kept or written without a file.
   */
  secrets(keylogLine: string): void {
    if (!this.writer || this.closed) return;
    const line = keylogLine.endsWith('\n') ? keylogLine : `${keylogLine}\n`;
    if (this.secretsSeen.has(line)) return;
    this.secretsSeen.add(line);
    this.writer.secrets(line);
  }

  /** Resolves once written data reached the OS (back-pressure for busy proxies). */
  drained(): Promise<void> {
    return this.writer ? this.writer.drained() : Promise.resolve();
  }

  /** Flushes and closes the file; later packets are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer?.close();
  }

  private emit(data: Uint8Array, timestampNs: bigint, comment: string | undefined): void {
    if (this.closed) return;
    this.frame++;
    this.writer?.packet(data, timestampNs, comment);
    if (this.onPacket) {
      const p = this.packet;
      p.frame = this.frame;
      p.timestampNs = timestampNs;
      p.data = data;
      p.originalLength = data.length;
      this.onPacket(p);
    }
  }
}

/** One leg's events, time-stamped when they happen. */
export class RecordedLeg {
  constructor(
    private readonly synth: TcpPacketSynthesizer,
    private readonly clock: MonotonicClock,
  ) {}

  open(): void {
    this.synth.open(this.clock.nowNs());
  }

  sent(from: TcpSide, data: Uint8Array): void {
    this.synth.send(from, data, this.clock.nowNs());
  }

  close(from: TcpSide): void {
    this.synth.close(from, this.clock.nowNs());
  }

  reset(from: TcpSide): void {
    this.synth.reset(from, this.clock.nowNs());
  }
}

/** "::ffff:1.2.3.4" (a dual-stack socket's IPv4 peer) as "1.2.3.4". */
export function unmapIpv4(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
