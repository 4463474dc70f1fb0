/**
 * Passthrough: the tunnel's bytes go unchanged both ways, and each chunk is
 * recorded on both legs. Relaying comes first: a chunk is written to the
 * other socket as soon as it is read (no `pipe`, no stream wrapper), with
 * back-pressure by hand (a full socket pauses the one feeding it until
 * 'drain'); recording only queues the chunk (leg-recorder synthesizes at the
 * end of the turn). Half-closes travel through (FIN from one side ends the
 * other's writing).
 *
 * When the native relay is built (native-tunnel-relay.ts), it relays instead
 * (native-passthrough-bridge.ts) and this file's relay is the fallback
 * (TLSWB_TUNNEL_RELAY=off forces it).
 */
import type { Socket } from 'node:net';
import type { TunnelLegs } from './tunnel-legs';
import { nativeTunnelRelay } from './native-tunnel-relay';
import { relayNatively, type RelayedTunnel } from './native-passthrough-bridge';

export interface BridgeOptions {
  client: Socket;
  upstream: Socket;
  legs: TunnelLegs;
  /** Client bytes that arrived with the request head (already recorded on the client leg). */
  initial: Uint8Array;
  /** Upstream bytes that arrived after the upstream proxy's answer (already recorded on the upstream leg). */
  upstreamRest: Uint8Array;
  idleTimeoutMs: number;
  onClosed(bytesFromClient: number, bytesFromServer: number): void;
  /** The native relay took the tunnel: Node's sockets are gone, `tunnel` closes it (onClosed still comes). */
  onRelayed?(tunnel: RelayedTunnel): void;
}

export function bridgeSockets(o: BridgeOptions): void {
  const relay = nativeTunnelRelay();
  if (relay && relayNatively(relay, o)) return;
  const { client, upstream, legs } = o;
  let done = false;
  const closeBoth = (): void => {
    if (done) return;
    done = true;
    client.destroy();
    upstream.destroy();
    o.onClosed(legs.bytesFromClient, legs.bytesFromServer);
  };
  if (o.initial.length) {
    legs.toUpstream(o.initial);
    upstream.write(o.initial);
  }
  if (o.upstreamRest.length) {
    legs.toClient(o.upstreamRest);
    client.write(o.upstreamRest);
  }
  client.on('data', (d: Buffer) => {
    if (!upstream.write(d)) client.pause();
    legs.fromClient(d);
    legs.toUpstream(d);
  });
  upstream.on('data', (d: Buffer) => {
    if (!client.write(d)) upstream.pause();
    legs.fromUpstream(d);
    legs.toClient(d);
  });
  upstream.on('drain', () => client.resume());
  client.on('drain', () => upstream.resume());
  client.on('end', () => {
    upstream.end();
    legs.proxyEndedUpstream();
  });
  upstream.on('end', () => {
    client.end();
    legs.upstreamEnded();
    legs.proxyEndedClient();
  });
  client.on('error', () => {
    legs.upstreamReset();
    closeBoth();
  });
  upstream.on('error', () => {
    legs.upstreamReset();
    legs.clientReset();
    closeBoth();
  });
  client.on('close', () => {
    // Bytes still queued for the server (it reads slowly) are delivered before its connection goes.
    if (upstream.destroyed || upstream.writableLength === 0) closeBoth();
    else upstream.once('finish', closeBoth);
  });
  upstream.on('close', () => {
    legs.upstreamClosed();
    // The client may still be reading what was relayed; end it gently unless it is gone. With bytes still queued
    // for it, its own 'close' (once they are written and it ended too) closes the tunnel: destroying now would drop them.
    if (!client.writableEnded) client.end();
    if (client.destroyed || (client.readableEnded && client.writableLength === 0)) closeBoth();
  });
  client.setTimeout(o.idleTimeoutMs, closeBoth);
  upstream.setTimeout(o.idleTimeoutMs, closeBoth);
  client.resume();
  upstream.resume();
}
