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
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';

/** What the addon exports (see tunnel_relay.c). */
interface TunnelRelayBinding {
  start(onEvents: (batch: Buffer) => void): void;
  adopt(clientFd: number, upstreamFd: number, toClient: Uint8Array, toUpstream: Uint8Array, idleMs: number): number;
  close(id: number): void;
  take(): Buffer | null;
  connect(ip: string, port: number): number;
  attach(id: number, clientFd: number, toClient: Uint8Array, toUpstream: Uint8Array, idleMs: number): void;
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
  /** connect() succeeded: "localIp localPort" (latin1). */
  CONNECTED: 8,
  /** connect() failed: errno (u32). */
  CONNECT_FAILED: 9,
} as const;

/** The outcome of `connect`. */
export type RelayConnectResult =
  | { ok: true; id: number; local: { ip: string; port: number } }
  | { ok: false; code: string; timedOut: boolean };

/** errno numbers by name (ECONNREFUSED, ...), the other way round. */
let errnoNames: Map<number, string> | null = null;
function errnoName(errno: number): string {
  errnoNames ??= new Map(Object.entries(osConstants.errno).map(([name, n]) => [n, name]));
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

/**
 * Receives one tunnel's events in order. `data` (bytes events only) stays
 * valid (it is a slice of the batch, never reused); `monotonicNs` is when the
 * relay saw it, on process.hrtime's clock. CLOSED is the last event.
 */
export type RelaySink = (kind: number, data: Uint8Array, monotonicNs: bigint) => void;

/** Bytes of an event's header: id u32, kind u32, length u32, time u64 (little-endian). */
const EVENT_HEADER = 20;

export class NativeTunnelRelay {
  private readonly sinks = new Map<number, RelaySink>();

  constructor(private readonly binding: TunnelRelayBinding) {
    binding.start((batch) => this.dispatch(batch));
  }

  /**
   * Relays between the two descriptors from now on (the relay keeps its own
   * copies: the caller closes its sockets). `toClient`/`toUpstream` are
   * written first. Throws when the descriptors cannot be taken.
   */
  adopt(clientFd: number, upstreamFd: number, toClient: Uint8Array, toUpstream: Uint8Array, idleMs: number, sink: RelaySink): number {
    const id = this.binding.adopt(clientFd, upstreamFd, toClient, toUpstream, idleMs);
    this.sinks.set(id, sink);
    return id;
  }

  /**
   * Opens a TCP connection to `ip`:`port` (an IP address, not a name) in C,
   * for a tunnel `attach` completes. Resolves when it is up, failed, or after
   * `timeoutMs` (then it is abandoned).
   */
  connect(ip: string, port: number, timeoutMs: number): Promise<RelayConnectResult> {
    return new Promise((resolve) => {
      let id: number;
      try {
        id = this.binding.connect(ip, port);
      } catch {
        resolve({ ok: false, code: 'EMFILE', timedOut: false });
        return;
      }
      const timer = setTimeout(() => {
        this.close(id);
        resolve({ ok: false, code: 'ETIMEDOUT', timedOut: true });
      }, timeoutMs);
      this.sinks.set(id, (kind, data) => {
        clearTimeout(timer);
        this.sinks.delete(id);
        if (kind === RelayEvent.CONNECTED) {
          const [localIp, localPort] = Buffer.from(data).toString('latin1').split(' ');
          resolve({ ok: true, id, local: { ip: localIp ?? '0.0.0.0', port: Number(localPort) || 0 } });
        } else {
          const errno = data.length >= 4 ? Buffer.from(data).readUInt32LE(0) : 0;
          resolve({ ok: false, code: errnoName(errno), timedOut: false });
        }
      });
    });
  }

  /** Relays between `clientFd` (dup()ed) and connection `id` from `connect`; otherwise as `adopt`. */
  attach(id: number, clientFd: number, toClient: Uint8Array, toUpstream: Uint8Array, idleMs: number, sink: RelaySink): void {
    this.binding.attach(id, clientFd, toClient, toUpstream, idleMs);
    this.sinks.set(id, sink);
  }

  /** Closes the tunnel (or abandons a connection) at once; its sink gets nothing more (the caller records the end itself). */
  close(id: number): void {
    this.sinks.delete(id);
    this.binding.close(id);
  }

  /** Delivers every event reported so far, now (before a tunnel is closed from here, say). */
  flush(): void {
    const batch = this.binding.take();
    if (batch) this.dispatch(batch);
  }

  private dispatch(batch: Buffer): void {
    let at = 0;
    while (at + EVENT_HEADER <= batch.length) {
      const id = batch.readUInt32LE(at);
      const kind = batch.readUInt32LE(at + 4);
      const length = batch.readUInt32LE(at + 8);
      const start = at + EVENT_HEADER;
      at = start + length;
      const sink = this.sinks.get(id);
      if (!sink) continue;
      const timeNs = batch.readBigUInt64LE(start - 8);
      if (kind === RelayEvent.CLOSED) this.sinks.delete(id);
      // A plain view (cheaper than Buffer#subarray); the batch is never reused, so it stays valid.
      sink(kind, new Uint8Array(batch.buffer, batch.byteOffset + start, length), timeNs);
    }
  }
}

let relay: NativeTunnelRelay | null | undefined;

/** The process's native relay, or null (not built, or TLSWB_TUNNEL_RELAY=off). Loaded once. */
export function nativeTunnelRelay(env: NodeJS.ProcessEnv = process.env): NativeTunnelRelay | null {
  if (relay !== undefined) return relay;
  relay = null;
  const named = env.TLSWB_TUNNEL_RELAY;
  if (named === 'off' || process.platform !== 'linux') return relay;
  const require = createRequire(import.meta.url);
  const candidates = named ? [named] : [
    // Next to the bundles (dist/native/, from dist/cli/ or dist/main/), then the build folder beside the sources.
    fileURLToPath(new URL('../native/tunnel_relay.node', import.meta.url)),
    fileURLToPath(new URL('../../../native/tunnel-relay/build/Release/tunnel_relay.node', import.meta.url)),
  ];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    try {
      relay = new NativeTunnelRelay(require(path) as TunnelRelayBinding);
      return relay;
    } catch {
      // Built for another platform: try the next, else JavaScript relays.
    }
  }
  return relay;
}
