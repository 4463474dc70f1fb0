/**
 * Passthrough through the native relay (native-tunnel-relay.ts): once the
 * CONNECT is answered, the two sockets' descriptors go to the relay thread,
 * and Node lets go of its sockets (the relay holds its own dup()s, so the TCP
 * connections stay up). Bytes Node read but nobody used yet go first. The
 * relay reports each chunk, FIN, failure and the close; they are recorded on
 * both legs exactly as the JavaScript bridge (passthrough-bridge.ts) records
 * them, with the time the relay saw them.
 *
 * Tunnels whose recording only writes a file (the CLI's `tlswb proxy -w`)
 * are recorded by the relay itself (native/tunnel-relay/leg_recording.c):
 * the legs go to it with adopt/attach (initial states and the held opening,
 * CONNECT and 200 for a client the relay accepted, see TunnelLegs; else the
 * synthesizers' exported states) and what went through before as prelude
 * events (handToRelay); what comes back is ready-made pcapng blocks for the
 * file and the byte counts at the close: the same packets, without a
 * JavaScript call per chunk. TLSWB_NATIVE_RECORDING=off, a packet consumer (the desktop's live
 * analysis) or an addon without it keep recordingSink.
 */
import type { Socket } from 'node:net';
import type { BridgeOptions } from './passthrough-bridge';
import { RelayEvent, type LegsHandOver, type NativeTunnelRelay, type RelaySink } from './native-tunnel-relay';
import type { BeforeRelay, TunnelLegs } from './tunnel-legs';

/** A tunnel on the relay, as the proxy tracks it (closed with the proxy). */
export interface RelayedTunnel {
  destroy(): void;
}

/** The descriptor under a Node TCP socket (libuv's), or -1. */
function descriptorOf(socket: Socket): number {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  return typeof handle?.fd === 'number' ? handle.fd : -1;
}

/** What the socket has read and buffered but not delivered. */
function takeBuffered(socket: Socket): Buffer[] {
  const chunks: Buffer[] = [];
  if (socket.readableLength === 0) return chunks;
  let chunk: unknown;
  while ((chunk = socket.read()) !== null) {
    if (Buffer.isBuffer(chunk)) chunks.push(chunk);
  }
  return chunks;
}

/** Per relay: the legs whose recorders hold views of its current batch. */
const holdingBatch = new WeakMap<NativeTunnelRelay, Set<TunnelLegs>>();

/**
 * The legs of `relay`'s tunnels that were handed bytes this batch: recorded
 * when the batch is done (the relay refills it next turn), not later in the turn.
 */
function legsHoldingBatch(relay: NativeTunnelRelay): Set<TunnelLegs> {
  let legs = holdingBatch.get(relay);
  if (!legs) {
    const holding = new Set<TunnelLegs>();
    relay.afterEachBatch(() => {
      for (const l of holding) l.recordQueued();
      holding.clear();
    });
    holdingBatch.set(relay, holding);
    legs = holding;
  }
  return legs;
}

/** Records a relayed tunnel's events on its legs, as the JavaScript bridge records the same happenings. */
function recordingSink(relay: NativeTunnelRelay, legs: TunnelLegs, finish: (at?: bigint) => void): RelaySink {
  const holding = legsHoldingBatch(relay);
  return (kind, data, monotonicNs) => {
    const at = legs.timeOfMonotonic(monotonicNs);
    switch (kind) {
      case RelayEvent.FROM_CLIENT:
        legs.fromClient(data, at);
        legs.toUpstream(data, at);
        holding.add(legs);
        break;
      case RelayEvent.FROM_UPSTREAM:
        legs.fromUpstream(data, at);
        legs.toClient(data, at);
        holding.add(legs);
        break;
      case RelayEvent.CLIENT_FIN:
        legs.clientEnded(at);
        legs.proxyEndedUpstream(at);
        break;
      case RelayEvent.UPSTREAM_FIN:
        legs.upstreamEnded(at);
        legs.proxyEndedClient(at);
        break;
      case RelayEvent.CLIENT_FAILED:
        legs.clientReset(at);
        legs.upstreamReset(at);
        break;
      case RelayEvent.UPSTREAM_FAILED:
        legs.upstreamReset(at);
        legs.clientReset(at);
        break;
      case RelayEvent.CLOSED:
        finish(at);
        break;
    }
  };
}

/**
 * The sink of a tunnel the relay records itself (attach with the legs'
 * states): its blocks go to the file as they are; CLOSED brings the bytes
 * relayed since (the proxy's 'tunnel-closed' reports the totals).
 */
function recordedSink(legs: TunnelLegs, finish: (at?: bigint) => void): RelaySink {
  return (kind, data, monotonicNs) => {
    if (kind === RelayEvent.RECORDED) {
      legs.recordedBlocks(data);
    } else if (kind === RelayEvent.CLOSED) {
      if (data.length >= 16) {
        const v = new DataView(data.buffer, data.byteOffset, data.length);
        legs.relayed(Number(v.getBigUint64(0, true)), Number(v.getBigUint64(8, true)));
      }
      finish(legs.timeOfMonotonic(monotonicNs));
    }
  };
}

/**
 * Hands the tunnel to the relay (`take`: adopt or attach with the sink, and the legs when the relay records
 * them), recording it there when the relay and the recording can (TunnelLegs.canHandOver;
 * TLSWB_NATIVE_RECORDING=off keeps JavaScript's), else as recordingSink records the relay's events. `before`:
 * what went through before the relay took over, in the order the JavaScript bridge records it (bytes after
 * the head, bytes Node had read): recorded by the relay first (its prelude), or here after the hand-over.
 * Returns whether the relay records. Throws what `take` throws, nothing recorded then.
 */
function handToRelay(relay: NativeTunnelRelay, legs: TunnelLegs, before: BeforeRelay[], finish: (at?: bigint) => void,
  take: (sink: RelaySink, legs?: LegsHandOver) => void): boolean {
  if (relay.recordsLegs && legs.canHandOver) {
    take(recordedSink(legs, finish), legs.handOver(before)!);
    legs.handedOver();
    let fromClient = 0;
    let fromServer = 0;
    for (const b of before) {
      if (!b.upstream && b.side === 'client') fromClient += b.data.length;
      if (b.upstream && b.side === 'server') fromServer += b.data.length;
    }
    legs.relayed(fromClient, fromServer);
    return true;
  }
  take(recordingSink(relay, legs, finish));
  for (const b of before) {
    if (b.upstream) {
      if (b.side === 'client') legs.toUpstream(b.data);
      else legs.fromUpstream(b.data);
    } else if (b.side === 'client') legs.fromClient(b.data);
    else legs.toClient(b.data);
  }
  return false;
}

/** What the JavaScript bridge records when it takes over: `initial` upstream, `upstreamRest` to the client, then what Node had read each way. */
function bytesBefore(initial: Uint8Array, upstreamRest: Uint8Array, fromClient: Uint8Array[], fromUpstream: Uint8Array[]): BeforeRelay[] {
  const before: BeforeRelay[] = [];
  if (initial.length) before.push({ upstream: true, side: 'client', data: initial });
  if (upstreamRest.length) before.push({ upstream: false, side: 'server', data: upstreamRest });
  for (const c of fromClient) before.push({ upstream: false, side: 'client', data: c }, { upstream: true, side: 'client', data: c });
  for (const c of fromUpstream) before.push({ upstream: true, side: 'server', data: c }, { upstream: false, side: 'server', data: c });
  return before;
}

/** Node's sockets are no longer the tunnel's: their listeners (the proxy's too) must not record a close. */
function letGo(sockets: Socket[]): void {
  for (const s of sockets) {
    s.removeAllListeners();
    s.on('error', () => undefined);
    s.setTimeout(0);
    s.destroy();
  }
}

/**
 * The tunnel's end, once: its legs' FINs and the tunnel-closed callback; and the handle the proxy closes it with
 * (`recorded`: the relay records the tunnel, and reports its end and byte counts when closed).
 */
function tunnelEnd(relay: NativeTunnelRelay, o: Pick<BridgeOptions, 'legs' | 'onClosed'>): { finish(at?: bigint): void; handle(id: number, recorded: boolean): RelayedTunnel } {
  let done = false;
  const finish = (at?: bigint): void => {
    if (done) return;
    done = true;
    o.legs.finish(at);
    o.onClosed(o.legs.bytesFromClient, o.legs.bytesFromServer);
  };
  return {
    finish,
    handle: (id, recorded) => ({
      destroy: () => {
        if (done) return;
        if (recorded) {
          // The relay records the legs' end and reports it (with the counts) before closeRecorded returns.
          relay.closeRecorded(id);
        } else {
          // What the relay reported before the close is recorded before it.
          relay.flush();
          relay.close(id);
        }
        finish();
      },
    }),
  };
}

/**
 * Hands the tunnel to `relay`; false (nothing changed, nothing recorded)
 * when it cannot: a socket without a descriptor, or with bytes still queued
 * for writing; then the JavaScript bridge relays.
 */
export function relayNatively(relay: NativeTunnelRelay, o: BridgeOptions): boolean {
  const { client, upstream, legs } = o;
  if (client.destroyed || upstream.destroyed || client.writableLength > 0 || upstream.writableLength > 0) return false;
  if (client.writableEnded || upstream.writableEnded) return false;
  const clientFd = descriptorOf(client);
  const upstreamFd = descriptorOf(upstream);
  if (clientFd < 0 || upstreamFd < 0) return false;

  const fromClient = takeBuffered(client);
  const fromUpstream = takeBuffered(upstream);
  const toUpstream = Buffer.concat([o.initial, ...fromClient]);
  const toClient = Buffer.concat([o.upstreamRest, ...fromUpstream]);
  const end = tunnelEnd(relay, o);
  let id = 0;
  let recorded: boolean;
  try {
    recorded = handToRelay(relay, legs, bytesBefore(o.initial, o.upstreamRest, fromClient, fromUpstream), end.finish, (sink, handOver) => {
      id = relay.adopt(clientFd, upstreamFd, toClient, toUpstream, o.idleTimeoutMs, sink, handOver);
    });
  } catch {
    // No descriptor to spare (EMFILE), say: give the bytes back and relay in JavaScript.
    for (let i = fromClient.length - 1; i >= 0; i--) client.unshift(fromClient[i]);
    for (let i = fromUpstream.length - 1; i >= 0; i--) upstream.unshift(fromUpstream[i]);
    return false;
  }
  letGo([client, upstream]);
  o.onRelayed?.(end.handle(id, recorded));
  return true;
}

export interface AttachOptions extends Omit<BridgeOptions, 'upstream' | 'upstreamRest'> {
  /** A connection from relay.connect(). */
  connection: number;
  /** Bytes for the client before anything relayed (the proxy's 200, recorded by the caller). */
  answer: Uint8Array;
}

/**
 * Relays between the client and a connection the relay opened itself
 * (relay.connect: no Node socket towards the server at all). Waits for the
 * client's queued bytes (the 200) to be written first. False when the
 * client is gone (the connection is closed then).
 */
export async function attachNatively(relay: NativeTunnelRelay, o: AttachOptions): Promise<boolean> {
  const { client, legs } = o;
  // Whatever Node still has queued for the client goes first.
  while (!client.destroyed && client.writableLength > 0) await new Promise((r) => client.once('drain', r).once('close', r));
  const clientFd = descriptorOf(client);
  const end = tunnelEnd(relay, o);
  if (client.destroyed || client.writableEnded || clientFd < 0) {
    relay.close(o.connection);
    end.finish();
    client.destroy();
    return false;
  }
  const fromClient = takeBuffered(client);
  const toUpstream = Buffer.concat([o.initial, ...fromClient]);
  let recorded: boolean;
  try {
    recorded = handToRelay(relay, legs, bytesBefore(o.initial, new Uint8Array(0), fromClient, []), end.finish, (sink, handOver) => {
      relay.attach(o.connection, clientFd, o.answer, toUpstream, o.idleTimeoutMs, sink, handOver);
    });
  } catch {
    relay.close(o.connection);
    end.finish();
    client.destroy();
    return false;
  }
  letGo([client]);
  o.onRelayed?.(end.handle(o.connection, recorded));
  return true;
}

export interface AttachAcceptedOptions extends Pick<BridgeOptions, 'legs' | 'initial' | 'idleTimeoutMs' | 'onClosed' | 'onRelayed'> {
  /** The client the relay accepted (listen), connected upstream with connectFor. */
  id: number;
  /** Bytes for the client before anything relayed (the proxy's 200, recorded by the caller). */
  answer: Uint8Array;
}

/** Relays between a client the relay accepted itself and its connection (no Node socket at all); recorded as attachNatively records. */
export function attachAccepted(relay: NativeTunnelRelay, o: AttachAcceptedOptions): void {
  const end = tunnelEnd(relay, o);
  let recorded: boolean;
  try {
    recorded = handToRelay(relay, o.legs, bytesBefore(o.initial, new Uint8Array(0), [], []), end.finish, (sink, handOver) => {
      relay.attach(o.id, -1, o.answer, o.initial, o.idleTimeoutMs, sink, handOver);
    });
  } catch {
    relay.close(o.id);
    end.finish();
    return;
  }
  o.onRelayed?.(end.handle(o.id, recorded));
}

export interface RelayedSinkOptions extends Pick<BridgeOptions, 'legs' | 'onClosed' | 'onRelayed'> {
  /** A tunnel the relay relays already (listen's fast path: connected and answered in C). */
  id: number;
}

/**
 * The sink of a tunnel the relay took on by itself (see FastConnect): `recorded`, one the relay records from its
 * first frame (FastConnect.recordClockOffsetNs: RECORDED blocks and CLOSED); else recorded here, in JavaScript (a
 * recording with a packet consumer, the desktop's, or TLSWB_NATIVE_RECORDING=off).
 */
export function relayedSink(relay: NativeTunnelRelay, o: RelayedSinkOptions, recorded: boolean): RelaySink {
  const end = tunnelEnd(relay, o);
  o.onRelayed?.(end.handle(o.id, recorded));
  return recorded ? recordedSink(o.legs, end.finish) : recordingSink(relay, o.legs, end.finish);
}
