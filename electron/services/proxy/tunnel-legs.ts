/**
 * The recording of one proxied connection: its client leg (client -> proxy)
 * and, once connected, its upstream leg (proxy -> server or upstream proxy).
 * Knows which side each event belongs to, so the rest of the proxy only says
 * what happened ("bytes from the client", "upstream sent FIN").
 * Without a recorder every call is a no-op.
 *
 * Each event may say when it happened (`at`, on the recorder's clock, see
 * `timeOfMonotonic`); without it, it happened now.
 */
import type { Socket } from 'node:net';
import { hrtime } from 'node:process';
import type { LegRecorder, RecordedLeg } from './leg-recorder';
import { socketSegmentSize, type LegsHandOver } from './native-tunnel-relay';
import type { ConnectRecording } from './upstream-connector';
import type { TcpEndpointAddress } from '../../core/net/tcp-packet-synthesizer';

export class TunnelLegs {
  private client: RecordedLeg | null = null;
  private upstream: RecordedLeg | null = null;
  bytesFromClient = 0;
  bytesFromServer = 0;
  private monotonicOffset: bigint | undefined;

  constructor(
    private readonly recorder: LegRecorder | null,
    readonly id: number,
  ) {}

  openClientLeg(socket: Socket): void {
    this.openClientLegBetween(
      { ip: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 },
      { ip: socket.localAddress ?? '0.0.0.0', port: socket.localPort ?? 0 },
      this.recorder && !this.client ? segmentSizeOf(socket) : undefined,
    );
  }

  /** The client leg of a client without a Node socket (accepted by the native relay); `mss`: its socket's TCP_MAXSEG; `at`: when, if not now. */
  openClientLegBetween(remote: TcpEndpointAddress, local: TcpEndpointAddress, mss?: number, at?: bigint): void {
    if (!this.recorder || this.client) return;
    this.client = this.recorder.leg(remote, local, { id: this.id, leg: 'client' }, mss);
    this.client.open(at);
  }

  /** Hooks for connectUpstream: the upstream leg starts when its TCP connection is up. */
  upstreamRecording(): ConnectRecording | undefined {
    if (!this.recorder) return undefined;
    return {
      connected: (socket) => this.openUpstreamLeg(socket),
      sent: (data) => this.upstream?.sent('client', data),
      received: (data) => this.upstream?.sent('server', data),
    };
  }

  openUpstreamLeg(socket: Socket): void {
    this.openUpstreamLegBetween(
      { ip: socket.localAddress ?? '0.0.0.0', port: socket.localPort ?? 0 },
      { ip: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 },
      this.recorder && !this.upstream ? segmentSizeOf(socket) : undefined,
    );
  }

  /** The upstream leg of a connection without a Node socket (the native relay's own); `mss`: its socket's TCP_MAXSEG; `at`: when, if not now. */
  openUpstreamLegBetween(local: TcpEndpointAddress, remote: TcpEndpointAddress, mss?: number, at?: bigint): void {
    if (!this.recorder || this.upstream) return;
    this.upstream = this.recorder.leg(local, remote, { id: this.id, leg: 'upstream' }, mss);
    this.upstream.open(at);
  }

  /** Bytes the client sent to the proxy. */
  fromClient(data: Uint8Array, at?: bigint): void {
    this.bytesFromClient += data.length;
    this.client?.sent('client', data, at);
  }

  /** Bytes the proxy sent to the client. */
  toClient(data: Uint8Array, at?: bigint): void {
    this.client?.sent('server', data, at);
  }

  /** Bytes the proxy sent upstream. */
  toUpstream(data: Uint8Array, at?: bigint): void {
    this.upstream?.sent('client', data, at);
  }

  /** Bytes the server (or upstream proxy) sent to the proxy. */
  fromUpstream(data: Uint8Array, at?: bigint): void {
    this.bytesFromServer += data.length;
    this.upstream?.sent('server', data, at);
  }

  clientEnded(at?: bigint): void {
    this.client?.close('client', at);
  }

  proxyEndedClient(at?: bigint): void {
    this.client?.close('server', at);
  }

  clientReset(at?: bigint): void {
    this.client?.reset('client', at);
  }

  upstreamEnded(at?: bigint): void {
    this.upstream?.close('server', at);
  }

  proxyEndedUpstream(at?: bigint): void {
    this.upstream?.close('client', at);
  }

  upstreamReset(at?: bigint): void {
    this.upstream?.reset('server', at);
  }

  /** The upstream connection is gone: whatever was not closed yet closes now. */
  upstreamClosed(at?: bigint): void {
    this.upstream?.close('client', at);
    this.upstream?.close('server', at);
  }

  /** The client connection is gone: both legs end. */
  finish(at?: bigint): void {
    this.client?.close('server', at);
    this.client?.close('client', at);
    this.upstreamClosed(at);
  }

  /** Whether `handOver` would give the legs away: both are open and the recorder takes ready-made blocks. */
  get canHandOver(): boolean {
    return this.recorder !== null && this.recorder.takesBlocks && this.client !== null && this.upstream !== null;
  }

  /**
   * Both legs for a relay that records them itself from now on (native
   * tunnel-relay's leg_recording.c), everything recorded so far written
   * first; null unless `canHandOver`. Once the relay took them, `handedOver`:
   * from then on these legs record nothing here (their blocks come through
   * `recordedBlocks`, the relayed byte counts through `relayed`).
   */
  handOver(): LegsHandOver | null {
    if (!this.canHandOver) return null;
    const clockOffsetNs = this.timeOfMonotonic(0n)!;
    return { client: this.client!.exportState(), upstream: this.upstream!.exportState(), clockOffsetNs };
  }

  handedOver(): void {
    this.client = null;
    this.upstream = null;
  }

  /** Blocks the relay recorded for these legs, for the file. */
  recordedBlocks(blocks: Uint8Array): void {
    this.recorder?.appendBlocks(blocks);
  }

  /** Bytes the relay relayed after the hand-over (counted there, not here). */
  relayed(fromClient: number, fromServer: number): void {
    this.bytesFromClient += fromClient;
    this.bytesFromServer += fromServer;
  }

  /** Records the events queued so far now (their bytes may be reused after this), not at the end of the turn. */
  recordQueued(): void {
    this.recorder?.drain();
  }

  /**
   * A CLOCK_MONOTONIC time in ns (process.hrtime's scale, as the native relay
   * reports) on the recorder's clock; undefined without a recorder.
   */
  timeOfMonotonic(monotonicNs: bigint): bigint | undefined {
    if (!this.recorder) return undefined;
    // The recorder's clock is its start's wall time plus monotonic time since: a fixed offset from monotonic time.
    this.monotonicOffset ??= this.recorder.clock.nowNs() - hrtime.bigint();
    return monotonicNs + this.monotonicOffset;
  }
}

/** A Node socket's TCP_MAXSEG (through its descriptor), or undefined (no descriptor, no addon: recorded at 1,460). */
function segmentSizeOf(socket: Socket): number | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  return typeof handle?.fd === 'number' ? socketSegmentSize(handle.fd) : undefined;
}
