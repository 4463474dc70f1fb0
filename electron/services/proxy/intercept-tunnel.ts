/**
 * Interception of one CONNECT tunnel:
 *
 *   1. read the client's ClientHello (client-hello-peek.ts) for SNI, ALPN and versions;
 *   2. open TLS to the server with the same SNI and ALPN offer, verifying its
 *      chain (system roots + --upstream-ca) unless --insecure-upstream;
 *   3. answer the client's handshake with a leaf for the same name from the
 *      tlswb CA, offering exactly the protocol the server chose (ALPN mirrored:
 *      h2 works because the decrypted bytes are relayed unchanged both ways);
 *   4. relay the plaintext.
 *
 * Both TLS connections run over TappedSocket, so the recorded legs hold the
 * real ciphertext, and both report their secrets (`keylog`) to the recorder's
 * Decryption Secrets Blocks. A tunnel that is not TLS is passed through.
 */
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { LeafCertificateIssuer } from '../ca/leaf-certificates';
import { peekClientHello, MAX_CLIENT_HELLO_BYTES } from './client-hello-peek';
import type { LegRecorder } from './leg-recorder';
import { bridgeSockets } from './passthrough-bridge';
import type { InterceptOptions, ProxyEvent, ProxyLimits } from './proxy-types';
import { TappedSocket } from './tapped-socket';
import type { TunnelLegs } from './tunnel-legs';
import type { ConnectTarget } from './upstream-connector';
import { UpstreamSessions } from './upstream-sessions';
import type { UpstreamTrust } from './upstream-trust';

export interface InterceptTunnelOptions {
  id: number;
  client: Socket;
  upstream: Socket;
  legs: TunnelLegs;
  target: ConnectTarget;
  /** Client bytes after the CONNECT head (already recorded). */
  initial: Uint8Array;
  /** Upstream bytes after an upstream proxy's answer (already recorded). */
  upstreamRest: Uint8Array;
  limits: ProxyLimits;
  intercept: InterceptOptions;
  trust: UpstreamTrust;
  /** Sessions to resume towards servers; null: a full handshake every time. */
  sessions: UpstreamSessions | null;
  recorder: LegRecorder | null;
  onEvent(event: ProxyEvent): void;
  onClosed(bytesFromClient: number, bytesFromServer: number): void;
  /** The tunnel was refused (say why to the user). */
  refuse(reason: string): void;
}

/** Leaf secure contexts per issuer and host (parsing a key per tunnel would cost more than the handshake). */
const leafContexts = new WeakMap<LeafCertificateIssuer, Map<string, SecureContext>>();
const MAX_CONTEXTS = 4096;

function leafContext(issuer: LeafCertificateIssuer, host: string): SecureContext {
  let byHost = leafContexts.get(issuer);
  if (!byHost) {
    byHost = new Map();
    leafContexts.set(issuer, byHost);
  }
  const key = host.toLowerCase();
  let context = byHost.get(key);
  if (!context) {
    const leaf = issuer.issue(key);
    // Both leaves: OpenSSL picks per handshake (ECDSA for TLS 1.3 and ECDHE_ECDSA suites, RSA for the other TLS 1.2 suites).
    context = createSecureContext({ cert: [leaf.ecdsa.certPem, leaf.rsa.certPem], key: [leaf.ecdsa.keyPem, leaf.rsa.keyPem] });
    if (byHost.size >= MAX_CONTEXTS) byHost.clear();
    byHost.set(key, context);
  }
  return context;
}

/** ALPN lists in wire form, per list (Node would convert an array again for every socket). */
const alpnLists = new Map<string, Buffer>();
const MAX_ALPN_LISTS = 256;

/**
 * `protocols` as TLS carries them (RFC 7301 3.1: ProtocolName<1..2^8-1>, one
 * after another), UTF-8 as Node encodes an array; a name that does not fit
 * (empty, or longer than 255 bytes) is left out; none left: undefined (no ALPN).
 */
function alpnWire(protocols: readonly string[]): Buffer | undefined {
  const key = protocols.join('\0');
  let wire = alpnLists.get(key);
  if (!wire) {
    const parts: Buffer[] = [];
    for (const p of protocols) {
      const name = Buffer.from(p, 'utf8');
      if (name.length === 0 || name.length > 255) continue;
      parts.push(Buffer.of(name.length), name);
    }
    wire = Buffer.concat(parts);
    if (alpnLists.size >= MAX_ALPN_LISTS) alpnLists.clear();
    alpnLists.set(key, wire);
  }
  return wire.length > 0 ? wire : undefined;
}

export function interceptTunnel(o: InterceptTunnelOptions): void {
  const { client, upstream, legs } = o;
  let buffered: Uint8Array = o.initial;
  let finished = false;
  let secureBoth = false;
  /** The upstream failed and the client is being told why: the upstream closing must not end the tunnel yet. */
  let answeringError = false;
  const sockets: Array<{ destroy(): void }> = [client, upstream];
  /** Set when one side of a relay closed: the other gets a moment to drain. */
  let drainTimer: NodeJS.Timeout | null = null;
  const closeAll = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(handshakeTimer);
    if (drainTimer) clearTimeout(drainTimer);
    for (const s of sockets) s.destroy();
    o.onClosed(legs.bytesFromClient, legs.bytesFromServer);
  };
  const handshakeTimer = setTimeout(() => {
    if (!secureBoth) {
      o.refuse('TLS handshake did not complete in time');
      closeAll();
    }
  }, o.limits.handshakeTimeoutMs);
  client.on('error', closeAll);
  upstream.on('error', closeAll);
  client.on('close', closeAll);
  upstream.on('close', () => {
    if (!secureBoth && !answeringError) closeAll();
  });

  const onClientData = (d: Buffer): void => {
    legs.fromClient(d);
    const joined = new Uint8Array(buffered.length + d.length);
    joined.set(buffered);
    joined.set(d, buffered.length);
    buffered = joined;
    look();
  };
  const look = (): void => {
    const peek = peekClientHello(buffered);
    if (peek.state === 'need-more' && buffered.length <= MAX_CLIENT_HELLO_BYTES) return;
    client.removeListener('data', onClientData);
    client.pause();
    if (peek.state === 'need-more' || peek.state === 'malformed') {
      o.refuse(`the client did not start a TLS handshake: ${peek.state === 'malformed' ? peek.reason : 'ClientHello too large'}`);
      closeAll();
      return;
    }
    if (peek.state === 'not-tls') {
      // Not TLS (a WebSocket over CONNECT, plain text): nothing to intercept, relay as is.
      clearTimeout(handshakeTimer);
      client.removeListener('close', closeAll);
      bridgeSockets({ client, upstream, legs, initial: buffered, upstreamRest: o.upstreamRest, idleTimeoutMs: o.limits.idleTimeoutMs, onClosed: o.onClosed });
      finished = true;
      return;
    }
    startUpstreamTls(peek.hello.sni, peek.hello.alpn, peek.hello.supportedVersions.includes(0x0304));
  };

  const startUpstreamTls = (sni: string | null, alpnOffered: string[], offersTls13: boolean): void => {
    const name = sni ?? o.target.host;
    const upTap = new TappedSocket(upstream, { received: (d) => legs.fromUpstream(d), sending: (d) => legs.toUpstream(d) }, o.upstreamRest);
    const servername = sni ?? (isIP(o.target.host) ? undefined : o.target.host);
    const maxVersion = offersTls13 ? 'TLSv1.3' : 'TLSv1.2';
    const sessionKey = o.sessions
      ? UpstreamSessions.key({ servername, host: name, port: o.target.port, alpn: alpnOffered, maxVersion, verified: !o.intercept.insecureUpstream })
      : '';
    const upTls = tlsConnect({
      socket: upTap.asDuplex(),
      servername,
      host: name,
      ALPNProtocols: alpnWire(alpnOffered),
      secureContext: o.trust.context,
      rejectUnauthorized: !o.intercept.insecureUpstream,
      maxVersion,
      session: o.sessions?.get(sessionKey),
    });
    sockets.push(upTls, upTap);
    upTls.on('keylog', (line: Buffer) => o.recorder?.secrets(line.toString('latin1')));
    if (o.sessions) {
      const sessions = o.sessions;
      upTls.on('session', (session: Buffer) => sessions.remember(sessionKey, session));
    }
    let upstreamSecure = false;
    upTls.once('secureConnect', () => {
      upstreamSecure = true;
      const selected = typeof upTls.alpnProtocol === 'string' ? upTls.alpnProtocol : null;
      if (upTls.authorizationError) {
        o.onEvent({ type: 'refused', tunnel: o.id, client: `${client.remoteAddress}:${client.remotePort}`, target: name, status: null,
          reason: `upstream certificate not trusted (${String(upTls.authorizationError)}); continuing (--insecure-upstream)` });
      }
      startClientTls(name, selected ? [selected] : null, (clientTls) => {
        o.onEvent({ type: 'tunnel-intercepted', tunnel: o.id, target: name, sni, alpn: selected, upstreamVersion: upTls.getProtocol() });
        relay(clientTls, upTls);
      });
    });
    upTls.on('error', (e: Error & { code?: string }) => {
      if (upstreamSecure) {
        closeAll();
        return;
      }
      o.sessions?.forget(sessionKey);
      const reason = `upstream TLS to ${name} failed: ${e.message}${e.code ? ` (${e.code})` : ''}`;
      o.refuse(reason);
      // Tell the client why, over TLS, when it speaks HTTP/1.1; otherwise just close.
      if (alpnOffered.length === 0 || alpnOffered.includes('http/1.1')) {
        answeringError = true;
        startClientTls(name, alpnOffered.length ? ['http/1.1'] : null, (clientTls) => {
          const body = `502 Bad Gateway: ${reason}\n`;
          clientTls.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
          clientTls.on('close', closeAll);
        });
      } else {
        closeAll();
      }
    });
  };

  const startClientTls = (name: string, alpn: string[] | null, onSecure: (s: TLSSocket) => void): void => {
    const clientTap = new TappedSocket(client, { received: (d) => legs.fromClient(d), sending: (d) => legs.toClient(d) }, buffered);
    let context: SecureContext;
    try {
      context = leafContext(o.intercept.issuer, name);
    } catch (e: unknown) {
      o.refuse(`cannot make a certificate for ${name}: ${e instanceof Error ? e.message : String(e)}`);
      closeAll();
      return;
    }
    const clientTls = new TLSSocket(clientTap.asDuplex(), {
      isServer: true,
      secureContext: context,
      ALPNProtocols: alpn ? alpnWire(alpn) : undefined,
    });
    sockets.push(clientTls, clientTap);
    // Node turns the keylog callback on when the first 'keylog' listener is added (before the handshake starts).
    clientTls.on('keylog', (line: Buffer) => o.recorder?.secrets(line.toString('latin1')));
    clientTls.once('secure', () => onSecure(clientTls));
    clientTls.on('error', closeAll);
  };

  const relay = (clientTls: TLSSocket, upTls: TLSSocket): void => {
    secureBoth = true;
    clearTimeout(handshakeTimer);
    forward(clientTls, upTls);
    forward(upTls, clientTls);
    // Each end flows through the pipes (close_notify, then FIN); the client's socket closing ends the tunnel.
    // A side that vanished gives the other a moment to drain before everything is torn down.
    // Not once the tunnel is closed: a timer would keep the whole tunnel (sockets, buffers) alive for nothing.
    const soon = (): void => {
      if (finished || drainTimer) return;
      drainTimer = setTimeout(closeAll, 2000).unref();
    };
    clientTls.on('close', soon);
    upTls.on('close', soon);
    clientTls.on('error', closeAll);
    upTls.on('error', closeAll);
    client.setTimeout(o.limits.idleTimeoutMs, closeAll);
  };

  client.on('data', onClientData);
  client.resume();
  look();
}

/**
 * Relays `from`'s plaintext into `to` and its end (close_notify, then FIN)
 * after it, holding `from` while `to` is over its high-water mark: what
 * Readable.pipe does, without the listeners and bookkeeping it sets up on both
 * streams for each tunnel (errors and closes are the tunnel's to handle).
 */
function forward(from: TLSSocket, to: TLSSocket): void {
  let held = false;
  const release = (): void => {
    held = false;
    from.resume();
  };
  from.on('data', (d: Buffer) => {
    if (to.write(d) || held) return;
    held = true;
    from.pause();
    to.once('drain', release);
  });
  from.once('end', () => to.end());
}
