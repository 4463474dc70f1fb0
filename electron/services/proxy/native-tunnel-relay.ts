/**
 * The native relay (native/tunnel-relay/tunnel_relay.c): relays passthrough
 * tunnels between two sockets' descriptors in C, on this process's event
 * loop, and reports what went through (bytes each way, FINs, failures, the
 * close) in one batch per loop turn, which this module hands to each
 * tunnel's sink.
 *
 * Optional: when the addon is not built (no C compiler) or
 * TLSWB_TUNNEL_RELAY=off, `nativeTunnelRelay()` is null and the proxy relays
 * in JavaScript (passthrough-bridge.ts). TLSWB_TUNNEL_RELAY=/path/x.node
 * names the addon.
 */
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { firstLoadableAddon } from '../../../native/first-loadable-addon';

/** What the addon exports (see tunnel_relay.c). */
interface TunnelRelayBinding {
  start(onEvents: (batch: Buffer, length: number) => void, reusable?: Buffer): void;
  adopt(clientFd: number, upstreamFd: number, toClient: Uint8Array, toUpstream: Uint8Array, idleMs: number, ...recording: RecordingArgs): number;
  close(id: number): void;
  take(): Buffer | null;
  connect(ip: string, port: number): number;
  attach(id: number, clientFd: number, toClient: Uint8Array, toUpstream: Uint8Array, idleMs: number, ...recording: RecordingArgs): void;
  listen(fd: number, maxHeadBytes: number, headTimeoutMs: number, answer?: Uint8Array, connectTimeoutMs?: number, idleMs?: number, maxTunnels?: number,
    recordClockOffsetNs?: bigint): number;
  /** A leg's initial state as the relay starts it for the fast path (leg_start); for tests. Absent in addons built before it. */
  legStartState?: LegStartState;
  /** The next tunnel number of a listener that records (see FastConnect.recordClockOffsetNs). Absent in addons built before it. */
  takeNumber?: (listener: number) => number;
  unlisten(listener: number): void;
  connectFor(id: number, ip: string, port: number): void;
  release(id: number): number;
  encodeSegments: SegmentEncoder;
  /** Absent in addons built before the relay recorded legs itself (attach's recording arguments are ignored there). */
  recordLegEvent?: LegEventRecorder;
  /** The socket's TCP_MAXSEG; 0 when it cannot be read. Absent in addons built before it. */
  segmentSize?: (fd: number) => number;
  /** Absent in addons built before it. */
  writeBehind?: WriteBehind;
  /** Which CONNECT heads listen's fast path takes (connect_head.c): [ip, port, headLength] or null. Absent in addons built before it. */
  connectHead?: (bytes: Uint8Array) => [string, number, number] | null;
}

/**
 * On a thread of libuv's pool: waits until [dropFrom, dropTo) of file `fd`
 * is on disk and drops it from the page cache, then starts writing
 * [startFrom, startTo) out; `done(errno)` follows (write_behind.c says why).
 */
export type WriteBehind = (fd: number, startFrom: number, startTo: number, dropFrom: number, dropTo: number,
  done: (errno: number) => void) => void;

/**
 * Writes the pcapng Enhanced Packet Blocks of a run of TCP segments into
 * `out` at `outOffset` (segment_encoder.c; see SegmentRunSink in
 * tcp-packet-synthesizer.ts for `headers`); returns the bytes written.
 * Throws when `out` has no room for all of them.
 */
export type SegmentEncoder = (out: Uint8Array, outOffset: number, headers: Uint8Array, linkHeaderLength: number,
  payload: Uint8Array, mss: number, timestampHigh: number, timestampLow: number) => number;

/**
 * One event on a leg's exported state (TcpPacketSynthesizer.exportState;
 * updated in place), in C (leg_recording.c): op 0 open, 1 send, 2 close,
 * 3 reset; side 0 client, 1 server. Returns the frames as pcapng Enhanced
 * Packet Blocks, the bytes BatchedPcapngFile.packet writes for them.
 */
export type LegEventRecorder = (state: Uint8Array, op: number, side: number, data: Uint8Array, timeNs: bigint, comment?: Uint8Array) => Buffer;

/** A tunnel's legs handed to the relay (attach): their exported states and the recording clock minus CLOCK_MONOTONIC. */
export interface LegsHandOver {
  client: Uint8Array;
  upstream: Uint8Array;
  clockOffsetNs: bigint;
  /**
   * Legs not opened yet (initial states): what happened on them before, for the relay to record first
   * (tunnel_relay.c's prelude layout), and their first frames' comments (UTF-8).
   */
  prelude?: { events: Uint8Array; clientComment: Uint8Array; upstreamComment: Uint8Array };
}

/** adopt()'s and attach()'s recording arguments (tunnel_relay.c's recording_args): none, the legs, or the legs with a prelude. */
type RecordingArgs = [] | [clientLeg: Uint8Array, upstreamLeg: Uint8Array, clockOffsetNs: bigint]
  | [clientLeg: Uint8Array, upstreamLeg: Uint8Array, clockOffsetNs: bigint, prelude: Uint8Array, clientComment: Uint8Array, upstreamComment: Uint8Array];

/** The arguments for `legs` (none without). */
function recordingArgs(legs: LegsHandOver | undefined): RecordingArgs {
  if (!legs) return [];
  const p = legs.prelude;
  return p ? [legs.client, legs.upstream, legs.clockOffsetNs, p.events, p.clientComment, p.upstreamComment] : [legs.client, legs.upstream, legs.clockOffsetNs];
}

/** Event kinds, as tunnel_relay.c numbers them. */
export const RelayEvent = {
  FROM_CLIENT: 1,
  FROM_UPSTREAM: 2,
  CLIENT_FIN: 3,
  UPSTREAM_FIN: 4,
  CLIENT_FAILED: 5,
  UPSTREAM_FAILED: 6,
  CLOSED: 7,
  /** connect() succeeded: "localIp localPort mss" (latin1; mss: the socket's TCP_MAXSEG, 0 unknown). */
  CONNECTED: 8,
  /** connect() failed: errno (u32). */
  CONNECT_FAILED: 9,
  /** A client accepted on a listener: "reason listener remoteIp remotePort localIp localPort mss [errno]\n" then its head's bytes. */
  HEAD: 10,
  /**
   * A tunnel recorded in C (attach with LegsHandOver): pcapng blocks of its legs, ready for the file. Such a
   * tunnel reports only these and CLOSED (bytes: u64 from the client, u64 from upstream, little-endian).
   */
  RECORDED: 11,
  /**
   * A CONNECT the relay connected and answered itself (listen's fast path): "listener remoteIp remotePort localIp
   * localPort mss upstreamLocalIp upstreamLocalPort upstreamMss targetIp targetPort headLength acceptedNs headNs
   * number\n" then the client's bytes (the head, then any after it). The tunnel's other events follow (only
   * RECORDED and CLOSED when number is not 0: the relay records it from its first frame).
   */
  TUNNEL: 12,
} as const;

/**
 * Why the relay handed a client's head over: complete (or past the size limit), or the client ended, failed or was
 * too slow first; or the fast path could not connect its CONNECT (connectError says why) or not in time.
 */
export type HeadReason = 'head' | 'eof' | 'error' | 'timeout' | 'connect-failed' | 'connect-timeout';

const HEAD_REASONS: ReadonlySet<string> = new Set<HeadReason>(['head', 'eof', 'error', 'timeout', 'connect-failed', 'connect-timeout']);

/** A client the relay accepted, with what it sent so far (see `listen`). */
export interface AcceptedClient {
  id: number;
  reason: HeadReason;
  remote: { ip: string; port: number };
  local: { ip: string; port: number };
  /** The socket's TCP_MAXSEG (the largest segment it sends); undefined when unknown. */
  mss?: number;
  /** The request head (and any bytes after it read with it). */
  bytes: Uint8Array;
  monotonicNs: bigint;
  /** connect-failed / connect-timeout: the errno's name (ECONNREFUSED, ETIMEDOUT...). */
  connectError?: string;
}

/** A CONNECT the relay connected and answered itself (see NativeTunnelRelay.listen); it relays already. */
export interface FastTunnel {
  id: number;
  remote: { ip: string; port: number };
  local: { ip: string; port: number };
  /** The client socket's TCP_MAXSEG; undefined when unknown. */
  mss?: number;
  /** The connection towards the target: its local end and TCP_MAXSEG. */
  upstreamLocal: { ip: string; port: number };
  upstreamMss?: number;
  target: { ip: string; port: number };
  /** Everything the client sent before the answer: the head (`headLength` bytes), then the first bytes for the target. */
  bytes: Uint8Array;
  headLength: number;
  /** When the client was accepted, its head was complete, and the connection was up (the answer went out): process.hrtime's clock. */
  acceptedNs: bigint;
  headNs: bigint;
  connectedNs: bigint;
  /**
   * Not 0: the relay records the tunnel itself from its first frame (FastConnect.recordClockOffsetNs), as tunnel
   * `number` of the listener's numbering (its frame comments say so); its sink gets RECORDED blocks and CLOSED with
   * the byte counts (the client's from its first byte). 0: JavaScript records it.
   */
  number: number;
}

/**
 * The fast path of `listen`: a plain "CONNECT <IP>:<port> HTTP/1.x" is connected and answered with `answer` in C,
 * and `onTunnel` hears of it once it relays; it returns the tunnel's sink, or null to close it.
 */
export interface FastConnect {
  answer: Uint8Array;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** The relay takes no more tunnels than this on the fast path (the rest go through `onClient`). */
  maxTunnels: number;
  /**
   * Given (a recording that only writes a file, and a relay that records legs): the relay records the fast path's
   * tunnels itself from their first frame, on the recording's clock (its offset from CLOCK_MONOTONIC), and numbers
   * them in one numbering with the listener's other tunnels (`takeNumber`).
   */
  recordClockOffsetNs?: bigint;
  onTunnel(tunnel: FastTunnel): RelaySink | null;
}

/**
 * A HEAD or TUNNEL event's data: the fields of its first line (latin1, space-separated) and a copy of the bytes after
 * it (the batch is refilled next turn, and they are used later); null without a line.
 */
function fieldsAndBytes(data: Uint8Array): { fields: string[]; bytes: Buffer } | null {
  const nl = data.indexOf(0x0a);
  if (nl < 0) return null;
  return { fields: Buffer.from(data.buffer, data.byteOffset, nl).toString('latin1').split(' '), bytes: Buffer.from(data.subarray(nl + 1)) };
}

/** Parses a HEAD event's data; null when it is not one the relay makes. */
function acceptedClient(id: number, data: Uint8Array, monotonicNs: bigint): { listener: number; client: AcceptedClient } | null {
  const parsed = fieldsAndBytes(data);
  if (!parsed) return null;
  const [reason, listener, remoteIp, remotePort, localIp, localPort, mss, errno] = parsed.fields;
  if (reason === undefined || !HEAD_REASONS.has(reason)) return null;
  return {
    listener: Number(listener),
    client: {
      id, reason: reason as HeadReason, monotonicNs,
      remote: { ip: remoteIp ?? '0.0.0.0', port: Number(remotePort) || 0 },
      local: { ip: localIp ?? '0.0.0.0', port: Number(localPort) || 0 },
      mss: Number(mss) || undefined,
      bytes: parsed.bytes,
      connectError: errno === undefined ? undefined : errnoName(Number(errno)),
    },
  };
}

/** Parses a TUNNEL event's data; null when it is not one the relay makes. */
function fastTunnel(id: number, data: Uint8Array, connectedNs: bigint): { listener: number; tunnel: FastTunnel } | null {
  const parsed = fieldsAndBytes(data);
  if (!parsed || parsed.fields.length !== 15) return null;
  const { fields: f, bytes } = parsed;
  const headLength = Number(f[11]);
  if (!(headLength > 0 && headLength <= bytes.length)) return null;
  return {
    listener: Number(f[0]),
    tunnel: {
      id,
      remote: { ip: f[1]!, port: Number(f[2]) || 0 },
      local: { ip: f[3]!, port: Number(f[4]) || 0 },
      mss: Number(f[5]) || undefined,
      upstreamLocal: { ip: f[6]!, port: Number(f[7]) || 0 },
      upstreamMss: Number(f[8]) || undefined,
      target: { ip: f[9]!, port: Number(f[10]) || 0 },
      bytes,
      headLength,
      acceptedNs: BigInt(f[12]!),
      headNs: BigInt(f[13]!),
      connectedNs,
      number: Number(f[14]) || 0,
    },
  };
}

/** The outcome of `connect`. */
export type RelayConnectResult =
  | { ok: true; id: number; local: { ip: string; port: number }; mss?: number }
  | { ok: false; code: string; timedOut: boolean };

/** errno numbers by name (ECONNREFUSED, ...), the other way round. */
let errnoNames: Map<number, string> | null = null;
function errnoName(errno: number): string {
  errnoNames ??= new Map(Object.entries(osConstants.errno).map(([name, n]) => [n, name]));
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

/**
 * Receives one tunnel's events in order. `data` (bytes events only) is a
 * view of the batch, valid until the batch's `afterEachBatch` callbacks
 * returned (the batch is refilled next turn): whoever keeps bytes longer
 * copies them, or uses them up in such a callback. `monotonicNs` is when the
 * relay saw it, on process.hrtime's clock (0 for RECORDED). CLOSED is the last event.
 */
export type RelaySink = (kind: number, data: Uint8Array, monotonicNs: bigint) => void;

/** Bytes of an event's header: id u32, kind u32, length u32, time u64 (little-endian). */
const EVENT_HEADER = 20;
/**
 * The batch buffer refilled every turn (a bigger turn comes in a fresh
 * Buffer): one per turn would be 1 MB of new external memory per MB relayed,
 * which drives V8 into full garbage collections.
 */
const REUSABLE_BATCH_BYTES = 1024 * 1024;

export class NativeTunnelRelay {
  private readonly sinks = new Map<number, RelaySink>();
  private readonly listeners = new Map<number, (client: AcceptedClient) => void>();
  private readonly fastListeners = new Map<number, FastConnect>();
  private readonly batchDone = new Set<() => void>();

  /** Connections being opened (connect, connectFor): when each is given up, and how. */
  private readonly pendingConnects = new Map<number, { deadline: number; expire(): void }>();
  private connectTimer: NodeJS.Timeout | null = null;
  private connectTimerAt = Infinity;

  constructor(private readonly binding: TunnelRelayBinding) {
    binding.start((batch, length) => this.dispatch(batch, length), Buffer.allocUnsafeSlow(REUSABLE_BATCH_BYTES));
  }

  /** `done` runs after each batch's events were handed out (sinks' views are still valid in it); returns its removal. */
  afterEachBatch(done: () => void): () => void {
    this.batchDone.add(done);
    return () => this.batchDone.delete(done);
  }

  /**
   * Relays between the two descriptors from now on (the relay keeps its own
   * copies: the caller closes its sockets). `toClient`/`toUpstream` are
   * written first. Throws when the descriptors cannot be taken. `legs`: as for `attach`.
   */
  adopt(clientFd: number, upstreamFd: number, toClient: Uint8Array, toUpstream: Uint8Array, idleMs: number, sink: RelaySink, legs?: LegsHandOver): number {
    const id = this.binding.adopt(clientFd, upstreamFd, toClient, toUpstream, idleMs, ...recordingArgs(legs));
    this.sinks.set(id, sink);
    return id;
  }

  /**
   * Opens a TCP connection to `ip`:`port` (an IP address, not a name) in C,
   * for a tunnel `attach` completes. Resolves when it is up, failed, or after
   * `timeoutMs` (then it is abandoned).
   */
  connect(ip: string, port: number, timeoutMs: number): Promise<RelayConnectResult> {
    return new Promise((resolve) => this.connecting(() => this.binding.connect(ip, port), timeoutMs, true, resolve));
  }

  /**
   * `start` opens the connection (returns its id); `abandon`: a timeout closes it (else the caller does); `done`
   * gets the outcome, once. No timer per connection: one for the earliest deadline of them all (see expireConnects).
   */
  private connecting(start: () => number, timeoutMs: number, abandon: boolean, done: (r: RelayConnectResult) => void): void {
    let id: number;
    try {
      id = start();
    } catch {
      done({ ok: false, code: 'EMFILE', timedOut: false });
      return;
    }
    const deadline = performance.now() + timeoutMs;
    this.pendingConnects.set(id, {
      deadline,
      expire: () => {
        this.sinks.delete(id);
        if (abandon) this.close(id);
        done({ ok: false, code: 'ETIMEDOUT', timedOut: true });
      },
    });
    this.armConnectTimer(deadline);
    this.sinks.set(id, (kind, data) => {
      this.pendingConnects.delete(id);
      this.sinks.delete(id);
      if (kind === RelayEvent.CONNECTED) {
        const [localIp, localPort, mss] = Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1').split(' ');
        done({ ok: true, id, local: { ip: localIp ?? '0.0.0.0', port: Number(localPort) || 0 }, mss: Number(mss) || undefined });
      } else {
        const errno = data.length >= 4 ? Buffer.from(data.buffer, data.byteOffset, data.length).readUInt32LE(0) : 0;
        done({ ok: false, code: errnoName(errno), timedOut: false });
      }
    });
  }

  /** The connect timer fires at `deadline` at the latest (re-armed only for an earlier one). */
  private armConnectTimer(deadline: number): void {
    if (this.connectTimer && this.connectTimerAt <= deadline) return;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimerAt = deadline;
    // Unreferenced: a connection being opened keeps the loop alive by itself (the relay polls its socket), and a
    // timer left armed for connections long done must not hold a closing process for the connect timeout.
    this.connectTimer = setTimeout(this.expireConnects, Math.max(0, deadline - performance.now())).unref();
  }

  /** Abandons the connections past their deadline; the timer follows the earliest one left. */
  private readonly expireConnects = (): void => {
    this.connectTimer = null;
    const now = performance.now();
    let next = Infinity;
    for (const [id, p] of this.pendingConnects) {
      if (p.deadline <= now) {
        this.pendingConnects.delete(id);
        p.expire();
      } else if (p.deadline < next) {
        next = p.deadline;
      }
    }
    if (next !== Infinity) this.armConnectTimer(next);
  };

  /**
   * Accepts clients on (a dup of) the listening socket `fd` in C and reads
   * each one's request head (at most `maxHeadBytes` + 1 bytes, within
   * `headTimeoutMs`); `onClient` gets it. The client then belongs to the
   * caller: `connectFor` + `attach(id, -1, ...)` to relay it, `release` to
   * take its descriptor, or `close`. Returns the listener's id (`unlisten`).
   * With `fast`, a plain CONNECT to an IP address is connected, answered and
   * relayed in C, and `fast.onTunnel` hears of it then (see FastConnect); if
   * that connect fails, `onClient` gets the head with reason connect-failed
   * or connect-timeout.
   */
  listen(fd: number, maxHeadBytes: number, headTimeoutMs: number, onClient: (client: AcceptedClient) => void, fast?: FastConnect): number {
    const recording = fast?.recordClockOffsetNs !== undefined && this.numbersTunnels ? [fast.recordClockOffsetNs] as const : [];
    const listener = fast
      ? this.binding.listen(fd, maxHeadBytes, headTimeoutMs, fast.answer, fast.connectTimeoutMs, fast.idleTimeoutMs, fast.maxTunnels, ...recording)
      : this.binding.listen(fd, maxHeadBytes, headTimeoutMs);
    this.listeners.set(listener, onClient);
    if (fast) this.fastListeners.set(listener, fast);
    return listener;
  }

  /** Whether the addon can record the fast path's tunnels from their first frame (takeNumber with it). */
  get numbersTunnels(): boolean {
    return this.recordsLegs && typeof this.binding.takeNumber === 'function';
  }

  /** The next number of listener `listener`'s numbering (see FastConnect.recordClockOffsetNs). */
  takeNumber(listener: number): number {
    return this.binding.takeNumber!(listener);
  }

  /** Stops accepting on that listener and closes its socket. */
  unlisten(listener: number): void {
    this.listeners.delete(listener);
    this.fastListeners.delete(listener);
    this.binding.unlisten(listener);
  }

  /** The descriptor of accepted client `id`, now the caller's (the relay forgets it). */
  release(id: number): number {
    this.sinks.delete(id);
    this.pendingConnects.delete(id);
    return this.binding.release(id);
  }

  /** As `connect`, for accepted client `id` (the connection gets the same id; the client stays on a failure); `done` gets the outcome. */
  connectFor(id: number, ip: string, port: number, timeoutMs: number, done: (r: RelayConnectResult) => void): void {
    this.connecting(() => {
      this.binding.connectFor(id, ip, port);
      return id;
    }, timeoutMs, false, done);
  }

  /** Whether `attach` can record a tunnel's legs in C (this addon's build knows how). */
  get recordsLegs(): boolean {
    return typeof this.binding.recordLegEvent === 'function';
  }

  /**
   * Relays between `clientFd` (dup()ed; -1: the client accepted with this id) and connection `id` from `connect`;
   * otherwise as `adopt`. With `legs` (only when `recordsLegs`), the relay records the tunnel itself: the sink gets
   * RECORDED blocks and CLOSED with the byte counts, nothing else; close it with `closeRecorded`.
   */
  attach(id: number, clientFd: number, toClient: Uint8Array, toUpstream: Uint8Array, idleMs: number, sink: RelaySink, legs?: LegsHandOver): void {
    this.binding.attach(id, clientFd, toClient, toUpstream, idleMs, ...recordingArgs(legs));
    this.sinks.set(id, sink);
  }

  /** Closes a tunnel the relay records (attach with legs) now: its sink gets the end's blocks and CLOSED before this returns. */
  closeRecorded(id: number): void {
    this.pendingConnects.delete(id);
    this.binding.close(id);
    this.flush();
  }

  /** Closes the tunnel (or abandons a connection) at once; its sink gets nothing more (the caller records the end itself). */
  close(id: number): void {
    this.sinks.delete(id);
    this.pendingConnects.delete(id);
    this.binding.close(id);
  }

  /** Delivers every event reported so far, now (before a tunnel is closed from here, say). */
  flush(): void {
    const batch = this.binding.take();
    if (batch) this.dispatch(batch, batch.length);
  }

  private dispatch(batch: Buffer, batchLength: number): void {
    let at = 0;
    while (at + EVENT_HEADER <= batchLength) {
      const id = batch.readUInt32LE(at);
      const kind = batch.readUInt32LE(at + 4);
      const length = batch.readUInt32LE(at + 8);
      const start = at + EVENT_HEADER;
      at = start + length;
      if (kind === RelayEvent.HEAD) {
        const accepted = acceptedClient(id, new Uint8Array(batch.buffer, batch.byteOffset + start, length), batch.readBigUInt64LE(start - 8));
        const onClient = accepted ? this.listeners.get(accepted.listener) : undefined;
        if (accepted && onClient) onClient(accepted.client);
        else this.binding.close(id);
        continue;
      }
      if (kind === RelayEvent.TUNNEL) {
        const opened = fastTunnel(id, new Uint8Array(batch.buffer, batch.byteOffset + start, length), batch.readBigUInt64LE(start - 8));
        const sink = opened ? this.fastListeners.get(opened.listener)?.onTunnel(opened.tunnel) : null;
        // The tunnel's later events (in this batch too) go to its sink.
        if (sink) this.sinks.set(id, sink);
        else this.binding.close(id);
        continue;
      }
      const sink = this.sinks.get(id);
      if (!sink) continue;
      // A RECORDED event's blocks carry their own times: no BigInt made for it (the most frequent event of a recorded tunnel).
      const timeNs = kind === RelayEvent.RECORDED ? 0n : batch.readBigUInt64LE(start - 8);
      if (kind === RelayEvent.CLOSED) this.sinks.delete(id);
      // A plain view (cheaper than Buffer#subarray), valid until the batchDone callbacks returned.
      sink(kind, new Uint8Array(batch.buffer, batch.byteOffset + start, length), timeNs);
    }
    for (const done of this.batchDone) done();
  }
}

let binding: TunnelRelayBinding | null | undefined;
let relay: NativeTunnelRelay | null | undefined;

/** The addon, or null (not built, or TLSWB_TUNNEL_RELAY=off). Loaded once. */
function tunnelRelayBinding(env: NodeJS.ProcessEnv): TunnelRelayBinding | null {
  if (binding !== undefined) return binding;
  binding = null;
  const named = env.TLSWB_TUNNEL_RELAY;
  if (named === 'off' || process.platform !== 'linux') return binding;
  // An explicit TLSWB_TUNNEL_RELAY; else next to the bundles (dist/native/, from dist/cli/ or dist/main/), then the build folder beside the sources.
  binding = firstLoadableAddon<TunnelRelayBinding>(named ? [named] : [
    fileURLToPath(new URL('../native/tunnel_relay.node', import.meta.url)),
    fileURLToPath(new URL('../../../native/tunnel-relay/build/Release/tunnel_relay.node', import.meta.url)),
  ]);
  return binding;
}

/** The process's native relay, or null (not built, or TLSWB_TUNNEL_RELAY=off). Started once. */
export function nativeTunnelRelay(env: NodeJS.ProcessEnv = process.env): NativeTunnelRelay | null {
  if (relay !== undefined) return relay;
  const b = tunnelRelayBinding(env);
  relay = b ? new NativeTunnelRelay(b) : null;
  return relay;
}

/** The addon's segment encoder (recording without the relay too), or null as for nativeTunnelRelay. */
export function nativeSegmentEncoder(env: NodeJS.ProcessEnv = process.env): SegmentEncoder | null {
  const b = tunnelRelayBinding(env);
  return b && typeof b.encodeSegments === 'function' ? b.encodeSegments : null;
}

/** The relay's leg_start: a new leg's exported state between two addresses (as TcpPacketSynthesizer.initialState), null for mixed IP versions. */
export type LegStartState = (clientIp: string, clientPort: number, serverIp: string, serverPort: number, mss: number) => Uint8Array | null;

/** The addon's legStartState (tests compare it with TcpPacketSynthesizer.initialState), or null as for nativeTunnelRelay. */
export function nativeLegStartState(env: NodeJS.ProcessEnv = process.env): LegStartState | null {
  const b = tunnelRelayBinding(env);
  return b && typeof b.legStartState === 'function' ? b.legStartState : null;
}

/** The addon's leg recorder (recordLegEvent: tests compare it with the synthesizer), or null as for nativeTunnelRelay. */
export function nativeLegEventRecorder(env: NodeJS.ProcessEnv = process.env): LegEventRecorder | null {
  const b = tunnelRelayBinding(env);
  return b && typeof b.recordLegEvent === 'function' ? b.recordLegEvent : null;
}

/** The addon's writeBehind (a recording's written pages out of the page cache), or null as for nativeTunnelRelay. */
export function nativeWriteBehind(env: NodeJS.ProcessEnv = process.env): WriteBehind | null {
  const b = tunnelRelayBinding(env);
  return b && typeof b.writeBehind === 'function' ? b.writeBehind : null;
}

/**
 * The TCP_MAXSEG of the socket behind descriptor `fd` (the largest segment it
 * sends: 65,483 on loopback, ~1,460 on Ethernet), or undefined when it cannot
 * be read (no addon, not a TCP socket).
 */
export function socketSegmentSize(fd: number, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (fd < 0) return undefined;
  const b = tunnelRelayBinding(env);
  const mss = b && typeof b.segmentSize === 'function' ? b.segmentSize(fd) : 0;
  return mss > 0 ? mss : undefined;
}

/** The fast path's head recogniser (connect_head.c: [ip, port, headLength] or null), or null without the addon; for tests. */
export function nativeConnectHead(env: NodeJS.ProcessEnv = process.env): ((bytes: Uint8Array) => [string, number, number] | null) | null {
  const b = tunnelRelayBinding(env);
  return b && typeof b.connectHead === 'function' ? b.connectHead : null;
}
