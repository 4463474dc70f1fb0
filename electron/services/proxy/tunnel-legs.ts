/**
 * The recording of one proxied connection: its client leg (client -> proxy)
 * and, once connected, its upstream leg (proxy -> server or upstream proxy).
 * Knows which side each event belongs to, so the rest of the proxy only says
 * what happened ("bytes from the client", "upstream sent FIN").
 * Without a recorder every call is a no-op.
 */
import type { Socket } from 'node:net';
import type { LegRecorder, RecordedLeg } from './leg-recorder';
import type { ConnectRecording } from './upstream-connector';

export class TunnelLegs {
  private client: RecordedLeg | null = null;
  private upstream: RecordedLeg | null = null;
  bytesFromClient = 0;
  bytesFromServer = 0;

  constructor(
    private readonly recorder: LegRecorder | null,
    readonly id: number,
  ) {}

  openClientLeg(socket: Socket): void {
    if (!this.recorder) return;
    this.client = this.recorder.leg(
      { ip: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 },
      { ip: socket.localAddress ?? '0.0.0.0', port: socket.localPort ?? 0 },
      { id: this.id, leg: 'client' },
    );
    this.client.open();
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
    if (!this.recorder || this.upstream) return;
    this.upstream = this.recorder.leg(
      { ip: socket.localAddress ?? '0.0.0.0', port: socket.localPort ?? 0 },
      { ip: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 },
      { id: this.id, leg: 'upstream' },
    );
    this.upstream.open();
  }

  /** Bytes the client sent to the proxy. */
  fromClient(data: Uint8Array): void {
    this.bytesFromClient += data.length;
    this.client?.sent('client', data);
  }

  /** Bytes the proxy sent to the client. */
  toClient(data: Uint8Array): void {
    this.client?.sent('server', data);
  }

  /** Bytes the proxy sent upstream. */
  toUpstream(data: Uint8Array): void {
    this.upstream?.sent('client', data);
  }

  /** Bytes the server (or upstream proxy) sent to the proxy. */
  fromUpstream(data: Uint8Array): void {
    this.bytesFromServer += data.length;
    this.upstream?.sent('server', data);
  }

  clientEnded(): void {
    this.client?.close('client');
  }

  proxyEndedClient(): void {
    this.client?.close('server');
  }

  clientReset(): void {
    this.client?.reset('client');
  }

  upstreamEnded(): void {
    this.upstream?.close('server');
  }

  proxyEndedUpstream(): void {
    this.upstream?.close('client');
  }

  upstreamReset(): void {
    this.upstream?.reset('server');
  }

  /** The upstream connection is gone: whatever was not closed yet closes now. */
  upstreamClosed(): void {
    this.upstream?.close('client');
    this.upstream?.close('server');
  }

  /** The client connection is gone: both legs end. */
  finish(): void {
    this.client?.close('server');
    this.client?.close('client');
    this.upstreamClosed();
  }
}
