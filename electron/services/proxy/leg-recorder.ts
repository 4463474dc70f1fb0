/**
 * Records the legs of proxied connections as synthesized TCP/IP packets: into
 * a pcapng file (optional) and into whatever consumes packets (the engine).
 * Every leg is one ordinary TCP connection (core/net/tcp-packet-synthesizer);
 * TLS secrets go into Decryption Secrets Blocks of the same file, written
 * before the packets they decrypt, so `tshark -r` decrypts with no options.
 * Secrets are never written anywhere else.
 *
 * Recording stays off the relay's hot path: each event (bytes one way, FIN,
 * RST, a secret) is queued with its timestamp when it happens, and the
 * queue is turned into packets once per event-loop turn (setImmediate), after
 * the proxy has relayed everything that turn brought. Events keep their order
 * and time, so the packets are the same as if synthesized at once; the bytes
 * handed to `RecordedLeg.sent` are kept until then, so callers must not reuse
 * them (socket chunks and fresh Buffers never are).
 *
 * A recorder that only writes a file (`takesBlocks`) may also hand a leg
 * over to the native relay (RecordedLeg.exportState), which records it from
 * then on and returns ready-made blocks (appendBlocks).
 */
import { hrtime } from 'node:process';
import { LinkType, type Packet } from '../../core/capture/packet';
import { TcpPacketSynthesizer, type SegmentRunSink, type TcpEndpointAddress, type TcpSide } from '../../core/net/tcp-packet-synthesizer';
import { tunnelComment, type TunnelLeg } from '../../core/session/tunnel-link';
import { BatchedPcapngFile } from './batched-pcapng-file';
import { nativeSegmentEncoder, type SegmentEncoder } from './native-tunnel-relay';

export interface LegRecorderOptions {
  /** pcapng file to write (created or truncated); none: packets only go to `onPacket`. */
  file?: string;
  /** Each synthesized packet, in frame order (`data` valid only during the call). */
  onPacket?: (packet: Packet) => void;
  /** shb_userappl of the file. */
  application?: string;
  /** Each TLS key log line as it arrives (the live proxy's analyzer decrypts with them). */
  onSecrets?: (keylogLine: string) => void;
  /**
   * Encodes data segments natively (the relay addon's; the same bytes, a
   * fraction of the CPU). Default: the addon's when built; null: in JavaScript.
   */
  segmentEncoder?: SegmentEncoder | null;
  /**
   * Whether a relay may record legs itself and hand over ready-made blocks
   * (appendBlocks): only a recorder that writes a file and feeds no
   * `onPacket` can take them. Default: yes unless TLSWB_NATIVE_RECORDING=off.
   */
  nativeRecording?: boolean;
}

/** Wall-clock nanoseconds that never go backwards (wall clock at start + monotonic time since). */
export class MonotonicClock {
  private readonly startWallNs = BigInt(Date.now()) * 1_000_000n;
  private readonly startMonoNs = hrtime.bigint();

  nowNs(): bigint {
    return this.startWallNs + (hrtime.bigint() - this.startMonoNs);
  }
}

const utf8 = new TextEncoder();

/** Key log lines remembered for dropping duplicates (a connection's own lines come together). */
const MAX_SECRETS_REMEMBERED = 4096;

/** Kinds of queued events. */
const OPEN = 0;
const SEND = 1;
const CLOSE = 2;
const RESET = 3;
const SECRETS = 4;

export class LegRecorder {
  readonly clock = new MonotonicClock();
  private frame = 0;
  private readonly packet: Packet = { frame: 0, interfaceId: 0, linkType: LinkType.ETHERNET, timestampNs: 0n, data: new Uint8Array(0), originalLength: 0 };
  private closed = false;
  /** See holding(). */
  private readonly held = new Set<{ release(): void }>();
  /** Key log lines written lately (duplicates are dropped); forgotten in bulk so a long run stays bounded. */
  private readonly secretsSeen = new Set<string>();
  /** Events not yet synthesized, in the order they happened (parallel arrays, reused every turn). */
  private readonly queuedKind: number[] = [];
  private readonly queuedLeg: (TcpPacketSynthesizer | null)[] = [];
  private readonly queuedSide: TcpSide[] = [];
  private readonly queuedData: (Uint8Array | string | null)[] = [];
  private readonly queuedTime: bigint[] = [];
  private queued = 0;
  /**
   * The end-of-turn drain, while one is due. Cancelled when the queue is drained earlier (the native relay's
   * tunnels are recorded at the end of each of its batches): an immediate left to find nothing is still a
   * call into JavaScript every loop turn.
   */
  private drainImmediate: NodeJS.Immediate | null = null;
  private readonly drainNow = (): void => {
    this.drainImmediate = null;
    this.drain();
  };

  /** Data segments straight into the file's batch (with a file and an encoder), else null. */
  private readonly segmentRun: SegmentRunSink | null;
  private readonly emitFrame = (data: Uint8Array): void => {
    this.frame++;
    const p = this.packet;
    p.frame = this.frame;
    p.data = data;
    p.originalLength = data.length;
    this.onPacket!(p);
  };

  /** See LegRecorderOptions.nativeRecording: a file, no packet consumer, not switched off. */
  readonly takesBlocks: boolean;

  private constructor(
    private readonly writer: BatchedPcapngFile | null,
    private readonly onPacket: ((p: Packet) => void) | null,
    private readonly onSecrets: ((keylogLine: string) => void) | null,
    encoder: SegmentEncoder | null,
    nativeRecording: boolean,
  ) {
    this.takesBlocks = nativeRecording && writer !== null && onPacket === null;
    this.segmentRun = writer && encoder ? (headers, headerLength, link, payload, mss, timestampNs) => {
      if (this.closed) return true;
      if (this.onPacket) {
        this.packet.timestampNs = timestampNs;
        writer.packetRun(encoder, headers, headerLength, link, payload, mss, timestampNs, this.emitFrame);
      } else {
        this.frame += writer.packetRun(encoder, headers, headerLength, link, payload, mss, timestampNs);
      }
      return true;
    } : null;
  }

  static async create(options: LegRecorderOptions = {}): Promise<LegRecorder> {
    let writer: BatchedPcapngFile | null = null;
    if (options.file !== undefined) {
      writer = await BatchedPcapngFile.open(options.file, { userAppl: options.application ?? 'tlswb' },
        { linkType: LinkType.ETHERNET, name: 'tlswb-proxy', description: 'TCP legs synthesized by tlswb' });
    }
    const encoder = options.segmentEncoder === undefined ? nativeSegmentEncoder() : options.segmentEncoder;
    return new LegRecorder(writer, options.onPacket ?? null, options.onSecrets ?? null, encoder,
      options.nativeRecording ?? process.env.TLSWB_NATIVE_RECORDING !== 'off');
  }

  /** Frames recorded so far (events of the current turn are recorded at its end). */
  get frames(): number {
    return this.frame;
  }

  /**
   * A new leg: one TCP connection from `client` to `server`. `tunnel` marks its first packet (see tunnel-link).
   * `mss`: the real socket's segment size (its TCP_MAXSEG), so segments are as large as the kernel's
   * (65,483 on loopback: 45 times fewer frames than 1,460); unknown: 1,460 (IPv6 1,440), as on Ethernet.
   */
  leg(client: TcpEndpointAddress, server: TcpEndpointAddress, tunnel?: { id: number; leg: TunnelLeg }, mss?: number): RecordedLeg {
    let comment = tunnel ? tunnelComment(tunnel.id, tunnel.leg) : undefined;
    const synth = new TcpPacketSynthesizer({
      client: { ip: unmapIpv4(client.ip), port: client.port },
      server: { ip: unmapIpv4(server.ip), port: server.port },
      sink: (data, timestampNs) => {
        this.emit(data, timestampNs, comment);
        comment = undefined;
      },
      segmentRun: this.segmentRun ?? undefined,
      mss,
    });
    return new RecordedLeg(synth, this);
  }

  /**
   * What `leg(client, server, tunnel, mss)` starts from, for a leg a relay opens and records itself (its
   * blocks come back through appendBlocks): the synthesizer's initial state and its first frame's comment.
   */
  legStart(client: TcpEndpointAddress, server: TcpEndpointAddress, tunnel: { id: number; leg: TunnelLeg }, mss?: number): { state: Uint8Array; comment: Uint8Array } {
    return {
      state: TcpPacketSynthesizer.initialState({ client: { ip: unmapIpv4(client.ip), port: client.port }, server: { ip: unmapIpv4(server.ip), port: server.port }, mss }),
      comment: utf8.encode(tunnelComment(tunnel.id, tunnel.leg)),
    };
  }

  /** Legs whose events are held for a relay (TunnelLegs): recorded here after all if the recorder closes first. */
  holding(legs: { release(): void }, held: boolean): void {
    if (held) this.held.add(legs);
    else this.held.delete(legs);
  }

  /**
   * TLS key log lines (NSS format), handed to `onSecrets` and written to the
   * file's Decryption Secrets Block. Duplicates are not written twice; nothing
   * is kept or written without a file.
   */
  secrets(keylogLine: string): void {
    if (this.closed) return;
    this.onSecrets?.(keylogLine);
    if (!this.writer) return;
    const line = keylogLine.endsWith('\n') ? keylogLine : `${keylogLine}\n`;
    if (this.secretsSeen.has(line)) return;
    if (this.secretsSeen.size >= MAX_SECRETS_REMEMBERED) this.secretsSeen.clear();
    this.secretsSeen.add(line);
    this.enqueue(SECRETS, null, 'client', line, 0n);
  }

  /** @internal Queues one leg event, timestamped by the caller (RecordedLeg calls this). */
  enqueue(kind: number, synth: TcpPacketSynthesizer | null, side: TcpSide, data: Uint8Array | string | null, timeNs: bigint): void {
    if (this.closed) return;
    const i = this.queued++;
    this.queuedKind[i] = kind;
    this.queuedLeg[i] = synth;
    this.queuedSide[i] = side;
    this.queuedData[i] = data;
    this.queuedTime[i] = timeNs;
    this.drainImmediate ??= setImmediate(this.drainNow);
  }

  /** Synthesizes every queued event now, in order. */
  drain(): void {
    if (this.drainImmediate) {
      clearImmediate(this.drainImmediate);
      this.drainImmediate = null;
    }
    const n = this.queued;
    // Taken first: a consumer that throws (onPacket) must not make the same events run again.
    this.queued = 0;
    for (let i = 0; i < n; i++) {
      const synth = this.queuedLeg[i];
      const data = this.queuedData[i];
      const timeNs = this.queuedTime[i]!;
      switch (this.queuedKind[i]) {
        case OPEN:
          synth?.open(timeNs);
          break;
        case SEND:
          if (data instanceof Uint8Array) synth?.send(this.queuedSide[i]!, data, timeNs);
          break;
        case CLOSE:
          synth?.close(this.queuedSide[i]!, timeNs);
          break;
        case RESET:
          synth?.reset(this.queuedSide[i]!, timeNs);
          break;
        case SECRETS:
          if (typeof data === 'string') this.writer?.secrets(data);
          break;
      }
      // Let go of the bytes and the leg at once.
      this.queuedData[i] = null;
      this.queuedLeg[i] = null;
    }
  }

  /**
   * Blocks a relay recorded (legs it took over with RecordedLeg.exportState),
   * appended to the file as they are, after everything queued before them.
   * Only when `takesBlocks`; after close they are dropped, as events are.
   */
  appendBlocks(blocks: Uint8Array): void {
    if (this.closed || !this.takesBlocks || !this.writer) return;
    this.drain();
    this.frame += this.writer.appendBlocks(blocks);
  }

  /** Records what is queued, flushes and closes the file; later events are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const legs of [...this.held]) legs.release();
    this.drain();
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

/** One leg's events, time-stamped when they happen and recorded at the end of the turn. */
export class RecordedLeg {
  constructor(
    private readonly synth: TcpPacketSynthesizer,
    private readonly recorder: LegRecorder,
  ) {}

  open(timeNs: bigint = this.recorder.clock.nowNs()): void {
    this.recorder.enqueue(OPEN, this.synth, 'client', null, timeNs);
  }

  /**
   * The leg's state once everything queued is recorded (TcpPacketSynthesizer.exportState), for a relay that
   * records it from here on (its blocks come back through LegRecorder.appendBlocks): this leg is not used again.
   */
  exportState(): Uint8Array {
    this.recorder.drain();
    return this.synth.exportState();
  }

  /**
   * `data` is kept until the end of the turn: it must not be reused meanwhile.
   * `timeNs` (on `clock`'s scale): when it happened, if not now (the native relay reports events after the fact).
   */
  sent(from: TcpSide, data: Uint8Array, timeNs: bigint = this.recorder.clock.nowNs()): void {
    this.recorder.enqueue(SEND, this.synth, from, data, timeNs);
  }

  close(from: TcpSide, timeNs: bigint = this.recorder.clock.nowNs()): void {
    this.recorder.enqueue(CLOSE, this.synth, from, null, timeNs);
  }

  reset(from: TcpSide, timeNs: bigint = this.recorder.clock.nowNs()): void {
    this.recorder.enqueue(RESET, this.synth, from, null, timeNs);
  }
}

/** "::ffff:1.2.3.4" (a dual-stack socket's IPv4 peer) as "1.2.3.4". */
export function unmapIpv4(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
