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
import { nativeTunnelRelay, socketSegmentSize, type LegsHandOver } from './native-tunnel-relay';
import type { ConnectRecording } from './upstream-connector';
import type { TcpEndpointAddress, TcpSide } from '../../core/net/tcp-packet-synthesizer';

/** A leg not made yet (see TunnelLegs's held events): its ends and segment size. */
interface HeldLeg {
  client: TcpEndpointAddress;
  server: TcpEndpointAddress;
  mss?: number;
}

/** A held event: op 0 open, 1 send (prelude layout of tunnel_relay.c's attach). */
interface HeldEvent {
  upstream: boolean;
  op: 0 | 1;
  side: TcpSide;
  data: Uint8Array | null;
  timeNs: bigint;
}

/** Bytes that went through before the relay took a tunnel over (see native-passthrough-bridge's handToRelay). */
export interface BeforeRelay {
  /** On the upstream leg (else the client leg). */
  upstream: boolean;
  /** Who sent them on that leg. */
  side: TcpSide;
  data: Uint8Array;
}

/** Held bytes beyond this: the legs are made in JavaScript after all (a head is at most the proxy's header limit). */
const MAX_HELD_BYTES = 256 * 1024;

export class TunnelLegs {
  private client: RecordedLeg | null = null;
  private upstream: RecordedLeg | null = null;
  bytesFromClient = 0;
  bytesFromServer = 0;
  private monotonicOffset: bigint | undefined;
  /**
   * A client the native relay accepted, while its recording only writes a file and the relay records legs: the
   * legs' opening and the bytes before the relay takes the tunnel (the CONNECT, the 200) are held here, not
   * synthesized, and go to the relay with the hand-over, which records them first (no JavaScript synthesizer
   * for the tunnel at all). Anything else that happens to the legs first (a refused connection, the proxy
   * closing, the recorder closing) makes them here after all, with these events' times: `release`.
   */
  private held: { client: HeldLeg; upstream: HeldLeg | null; events: HeldEvent[]; bytes: number } | null = null;
  private readonly releaseHeld = { release: (): void => this.release() };

  constructor(
    private readonly recorder: LegRecorder | null,
    readonly id: number,
  ) {}

  openClientLeg(socket: Socket): void {
    this.release();
    this.openClientLegBetween(
      { ip: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 },
      { ip: socket.localAddress ?? '0.0.0.0', port: socket.localPort ?? 0 },
      this.recorder && !this.client ? segmentSizeOf(socket) : undefined,
      undefined,
      false,
    );
  }

  /**
   * The client leg of a client without a Node socket (accepted by the native relay); `mss`: its socket's
   * TCP_MAXSEG; `at`: when, if not now. Its events may be held for the relay (see `held`) unless `mayHold` is false
   * (a tunnel the relay relays already, recorded here; or a Node socket's, openClientLeg).
   */
  openClientLegBetween(remote: TcpEndpointAddress, local: TcpEndpointAddress, mss?: number, at?: bigint, mayHold = true): void {
    if (!this.recorder || this.client || this.held) return;
    if (mayHold && this.recorder.takesBlocks && process.env.TLSWB_NATIVE_RECORDING !== 'off' && nativeTunnelRelay()?.recordsLegs) {
      this.held = { client: { client: remote, server: local, mss }, upstream: null, events: [], bytes: 0 };
      this.hold(false, 0, 'client', null, at);
      this.recorder.holding(this.releaseHeld, true);
      return;
    }
    this.client = this.recorder.leg(remote, local, { id: this.id, leg: 'client' }, mss);
    this.client.open(at);
  }

  /** Holds one event (see `held`); false when there is nothing held (or no more may be): record it as usual. */
  private hold(upstream: boolean, op: 0 | 1, side: TcpSide, data: Uint8Array | null, at?: bigint): boolean {
    const h = this.held;
    if (!h || (upstream && !h.upstream && op !== 0)) {
      if (h) this.release();
      return false;
    }
    if (data) {
      h.bytes += data.length;
      if (h.bytes > MAX_HELD_BYTES) {
        this.release();
        return false;
      }
    }
    h.events.push({ upstream, op, side, data, timeNs: at ?? this.recorder!.clock.nowNs() });
    return true;
  }

  /** The held legs are made here after all, their events recorded with their times (see `held`). */
  private release(): void {
    const h = this.held;
    if (!h || !this.recorder) return;
    this.held = null;
    this.recorder.holding(this.releaseHeld, false);
    this.client = this.recorder.leg(h.client.client, h.client.server, { id: this.id, leg: 'client' }, h.client.mss);
    if (h.upstream) this.upstream = this.recorder.leg(h.upstream.client, h.upstream.server, { id: this.id, leg: 'upstream' }, h.upstream.mss);
    for (const e of h.events) {
      const leg = e.upstream ? this.upstream : this.client;
      if (e.op === 0) leg?.open(e.timeNs);
      else leg?.sent(e.side, e.data!, e.timeNs);
    }
  }

  /** Hooks for connectUpstream: the upstream leg starts when its TCP connection is up. */
  upstreamRecording(): ConnectRecording | undefined {
    if (!this.recorder) return undefined;
    this.release();
    return {
      connected: (socket) => this.openUpstreamLeg(socket),
      sent: (data) => this.upstream?.sent('client', data),
      received: (data) => this.upstream?.sent('server', data),
    };
  }

  openUpstreamLeg(socket: Socket): void {
    this.release();
    this.openUpstreamLegBetween(
      { ip: socket.localAddress ?? '0.0.0.0', port: socket.localPort ?? 0 },
      { ip: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 },
      this.recorder && !this.upstream ? segmentSizeOf(socket) : undefined,
    );
  }

  /** The upstream leg of a connection without a Node socket (the native relay's own); `mss`: its socket's TCP_MAXSEG; `at`: when, if not now. */
  openUpstreamLegBetween(local: TcpEndpointAddress, remote: TcpEndpointAddress, mss?: number, at?: bigint): void {
    if (!this.recorder || this.upstream) return;
    if (this.held && !this.held.upstream) {
      this.held.upstream = { client: local, server: remote, mss };
      this.hold(true, 0, 'client', null, at);
      return;
    }
    this.upstream = this.recorder.leg(local, remote, { id: this.id, leg: 'upstream' }, mss);
    this.upstream.open(at);
  }

  /** Bytes the client sent to the proxy. */
  fromClient(data: Uint8Array, at?: bigint): void {
    this.bytesFromClient += data.length;
    if (!this.hold(false, 1, 'client', data, at)) this.client?.sent('client', data, at);
  }

  /** Bytes the proxy sent to the client. */
  toClient(data: Uint8Array, at?: bigint): void {
    if (!this.hold(false, 1, 'server', data, at)) this.client?.sent('server', data, at);
  }

  /** Bytes the proxy sent upstream. */
  toUpstream(data: Uint8Array, at?: bigint): void {
    if (!this.hold(true, 1, 'client', data, at)) this.upstream?.sent('client', data, at);
  }

  /** Bytes the server (or upstream proxy) sent to the proxy. */
  fromUpstream(data: Uint8Array, at?: bigint): void {
    this.bytesFromServer += data.length;
    if (!this.hold(true, 1, 'server', data, at)) this.upstream?.sent('server', data, at);
  }

  clientEnded(at?: bigint): void {
    this.release();
    this.client?.close('client', at);
  }

  proxyEndedClient(at?: bigint): void {
    this.release();
    this.client?.close('server', at);
  }

  clientReset(at?: bigint): void {
    this.release();
    this.client?.reset('client', at);
  }

  upstreamEnded(at?: bigint): void {
    this.release();
    this.upstream?.close('server', at);
  }

  proxyEndedUpstream(at?: bigint): void {
    this.release();
    this.upstream?.close('client', at);
  }

  upstreamReset(at?: bigint): void {
    this.release();
    this.upstream?.reset('server', at);
  }

  /** The upstream connection is gone: whatever was not closed yet closes now. */
  upstreamClosed(at?: bigint): void {
    this.release();
    this.upstream?.close('client', at);
    this.upstream?.close('server', at);
  }

  /** The client connection is gone: both legs end. */
  finish(at?: bigint): void {
    this.release();
    this.client?.close('server', at);
    this.client?.close('client', at);
    this.upstreamClosed(at);
  }

  /** Whether `handOver` would give the legs away: both are open and the recorder takes ready-made blocks. */
  get canHandOver(): boolean {
    if (this.held) return this.held.upstream !== null;
    return this.recorder !== null && this.recorder.takesBlocks && this.client !== null && this.upstream !== null;
  }

  /**
   * Both legs for a relay that records them itself from now on (native
   * tunnel-relay's leg_recording.c), everything recorded so far written
   * first, `before` for the relay to record first (now); null unless `canHandOver`. Once the relay took them, `handedOver`:
   * from then on these legs record nothing here (their blocks come through
   * `recordedBlocks`, the relayed byte counts through `relayed`).
   */
  handOver(before: BeforeRelay[] = []): LegsHandOver | null {
    if (!this.canHandOver) return null;
    const clockOffsetNs = this.timeOfMonotonic(0n)!;
    const now = this.recorder!.clock.nowNs();
    const extra: HeldEvent[] = before.map((b) => ({ upstream: b.upstream, op: 1, side: b.side, data: b.data, timeNs: now }));
    const h = this.held;
    if (h && h.upstream) {
      const client = this.recorder!.legStart(h.client.client, h.client.server, { id: this.id, leg: 'client' }, h.client.mss);
      const upstream = this.recorder!.legStart(h.upstream.client, h.upstream.server, { id: this.id, leg: 'upstream' }, h.upstream.mss);
      return {
        client: client.state, upstream: upstream.state, clockOffsetNs,
        prelude: { events: encodePrelude([...h.events, ...extra]), clientComment: client.comment, upstreamComment: upstream.comment },
      };
    }
    const states = { client: this.client!.exportState(), upstream: this.upstream!.exportState(), clockOffsetNs };
    return extra.length ? { ...states, prelude: { events: encodePrelude(extra), clientComment: NO_COMMENT, upstreamComment: NO_COMMENT } } : states;
  }

  handedOver(): void {
    if (this.held) this.recorder?.holding(this.releaseHeld, false);
    this.held = null;
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
    this.release();
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

const NO_COMMENT = new Uint8Array(0);

/** Held events in the layout of attach()'s prelude (tunnel_relay.c): leg, op, side, 0, u32 length, u64 time, bytes. */
function encodePrelude(events: HeldEvent[]): Uint8Array {
  let size = 0;
  for (const e of events) size += 16 + (e.data ? e.data.length : 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  let at = 0;
  for (const e of events) {
    const n = e.data ? e.data.length : 0;
    out[at] = e.upstream ? 1 : 0;
    out[at + 1] = e.op;
    out[at + 2] = e.side === 'client' ? 0 : 1;
    v.setUint32(at + 4, n, true);
    v.setBigUint64(at + 8, e.timeNs, true);
    if (e.data) out.set(e.data, at + 16);
    at += 16 + n;
  }
  return out;
}
