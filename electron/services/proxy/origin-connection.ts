/**
 * One proxy -> origin (or -> --upstream proxy) TCP connection carrying plain
 * `http://` requests, recorded as its own upstream leg. A client connection
 * may use several in turn (one per origin it talks to, a new one when an
 * origin closed); each is an ordinary TCP connection in the recording, with
 * the tunnel's id on its first packet like the upstream leg of a CONNECT.
 */
import type { Socket } from 'node:net';
import type { LegRecorder } from './leg-recorder';
import { TunnelLegs } from './tunnel-legs';
import { connectUpstream, type ConnectTarget } from './upstream-connector';

export interface OriginHandlers {
  data(origin: OriginConnection, data: Buffer): void;
  /** The origin sent FIN. */
  end(origin: OriginConnection): void;
  /** The socket is gone (after an error, a reset, or both FINs). */
  close(origin: OriginConnection): void;
  drain(origin: OriginConnection): void;
}

export class OriginConnection {
  /** The origin sent FIN, or the socket failed: no more requests on it. */
  ended = false;
  /** The proxy ended its side. */
  private finished = false;
  private onTimeout: () => void = () => undefined;

  private constructor(
    readonly key: string,
    readonly socket: Socket,
    private readonly legs: TunnelLegs,
  ) {}

  /** Connects to `hop`; a failure comes back as the reason and whether it timed out. */
  static async open(
    hop: ConnectTarget,
    recorder: LegRecorder | null,
    tunnelId: number,
    timeoutMs: number,
    handlers: OriginHandlers,
  ): Promise<OriginConnection | { reason: string; timedOut: boolean }> {
    // Only the upstream half of these legs is used: the client leg belongs to the client connection.
    const legs = new TunnelLegs(recorder, tunnelId);
    const result = await connectUpstream(hop, { timeoutMs, recording: legs.upstreamRecording() });
    if (!result.ok) {
      legs.upstreamClosed();
      return { reason: result.reason, timedOut: result.timedOut };
    }
    const origin = new OriginConnection(originKey(hop), result.socket, legs);
    const socket = result.socket;
    socket.on('data', (d: Buffer) => {
      legs.fromUpstream(d);
      handlers.data(origin, d);
    });
    socket.on('end', () => {
      origin.ended = true;
      legs.upstreamEnded();
      handlers.end(origin);
    });
    socket.on('error', () => {
      origin.ended = true;
      legs.upstreamReset();
    });
    socket.on('close', () => {
      origin.ended = true;
      legs.upstreamClosed();
      handlers.close(origin);
    });
    socket.on('drain', () => handlers.drain(origin));
    socket.on('timeout', () => origin.onTimeout());
    socket.resume();
    return origin;
  }

  /** Writes and records; false when the socket's buffer is full (wait for drain). */
  write(data: Uint8Array): boolean {
    if (this.finished || this.socket.destroyed) return true;
    this.legs.toUpstream(data);
    return this.socket.write(data);
  }

  /** Ends the proxy's side (FIN); the origin's FIN closes the socket. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.ended = true;
    this.socket.end();
    this.legs.proxyEndedUpstream();
    // An origin that never answers the FIN must not hold the socket for ever.
    this.timer(5000, () => this.socket.destroy());
  }

  /** Runs `action` after `ms` without traffic (replacing any earlier timer action). */
  timer(ms: number, action: () => void): void {
    this.onTimeout = action;
    this.socket.setTimeout(ms);
  }

  destroy(): void {
    this.ended = true;
    this.finished = true;
    this.socket.destroy();
  }
}

export function originKey(hop: ConnectTarget): string {
  return `${hop.host.toLowerCase()}|${hop.port}`;
}
