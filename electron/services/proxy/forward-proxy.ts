/**
 * An HTTP/1.1 forward proxy (RFC 9110 9.3.6 CONNECT, and absolute-form
 * `http://` requests) that records both legs of every connection as
 * synthesized TCP packets (leg-recorder.ts):
 *
 *   client ──leg "client"── proxy ──leg "upstream"── server (or --upstream proxy)
 *
 * Passthrough tunnels bytes unchanged; intercept (intercept-tunnel.ts)
 * terminates TLS with a leaf from the tlswb CA and opens its own TLS to the
 * server. Every request head is parsed with a size limit and a time limit;
 * anything malformed gets 400 and the connection closes.
 */
import { createServer, isIP, Socket, type AddressInfo, type Server } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { closeSync } from 'node:fs';
import { hrtime } from 'node:process';
import { parseConnectAuthority } from '../../core/http/connect-parser';
import { HttpHeadParser, headerValue, type HttpHead } from '../../core/http/http-head-parser';
import { bridgeSockets } from './passthrough-bridge';
import { attachAccepted, attachNatively, relayedSink } from './native-passthrough-bridge';
import { nativeTunnelRelay, type AcceptedClient, type FastTunnel, type NativeTunnelRelay, type RelayConnectResult, type RelaySink } from './native-tunnel-relay';
import { forwardPlainHttp } from './plain-http-forwarder';
import { interceptTunnel } from './intercept-tunnel';
import { DEFAULT_PROXY_LIMITS, type ProxyEvent, type ProxyLimits, type ProxyOptions } from './proxy-types';
import { TunnelLegs } from './tunnel-legs';
import { authorityOf, connectUpstream, describeSocketError, type ConnectTarget } from './upstream-connector';
import { UpstreamSessions } from './upstream-sessions';
import { UpstreamTrust } from './upstream-trust';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const CONNECT_ESTABLISHED = 'HTTP/1.1 200 Connection established\r\n\r\n';
/**
 * The same bytes, made once for the native relay's tunnels: the relay copies what it has not written yet and the
 * recorder only reads them (one Buffer per tunnel was an allocation and a string encoding for nothing).
 */
const CONNECT_ESTABLISHED_BYTES: Uint8Array = Buffer.from(CONNECT_ESTABLISHED, 'latin1');

/** How a tunnel's end is reported, and who the proxy closes for it once a relay took it from `client`'s socket. */
interface TunnelCallbacks {
  onClosed(bytesFromClient: number, bytesFromServer: number): void;
  onRelayed(tunnel: { destroy(): void }): void;
}

export class ForwardProxy {
  private readonly server: Server;
  private readonly limits: ProxyLimits;
  /** Client sockets, and tunnels the native relay took over from theirs. */
  private readonly connections = new Set<{ destroy(): void }>();
  private nextTunnel = 1;
  private readonly trust: UpstreamTrust | null;
  private readonly upstreamSessions: UpstreamSessions | null;
  private readonly expectedAuth: Buffer | null;
  /** Passthrough: the native relay accepts the clients and reads their heads (Node's server only made the socket). */
  private nativeListener: { relay: NativeTunnelRelay; id: number; address: AddressInfo } | null = null;

  private constructor(private readonly options: ProxyOptions) {
    this.limits = { ...DEFAULT_PROXY_LIMITS, ...options.limits };
    this.trust = options.intercept ? new UpstreamTrust(options.intercept.upstreamCaPem) : null;
    this.upstreamSessions = options.intercept && options.intercept.resumeUpstreamSessions !== false ? new UpstreamSessions() : null;
    this.expectedAuth = options.auth
      ? Buffer.from(`Basic ${Buffer.from(`${options.auth.user}:${options.auth.password}`).toString('base64')}`)
      : null;
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    this.server.maxConnections = this.limits.maxConnections;
  }

  /** Listens on host:port; rejects when it cannot. */
  static async start(options: ProxyOptions): Promise<ForwardProxy> {
    const proxy = new ForwardProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen({ host: options.host, port: options.port, backlog: 4096 }, () => {
        proxy.server.removeListener('error', reject);
        resolve();
      });
    });
    proxy.server.on('error', () => undefined);
    proxy.acceptNatively();
    return proxy;
  }

  /**
   * Passthrough (no --intercept, no --upstream) with the native relay: the
   * relay accepts on the listening socket and reads each request head in C;
   * Node's server lets go of the socket. Clients the relay cannot take all
   * the way (plain http://, errors, host names...) come back as Node sockets.
   */
  private acceptNatively(): void {
    if (this.options.intercept || this.options.upstream) return;
    const relay = nativeTunnelRelay();
    const fd = (this.server as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
    if (!relay || typeof fd !== 'number' || fd < 0) return;
    const address = this.server.address() as AddressInfo;
    let id: number;
    // Without Basic auth to check, a plain CONNECT to an IP address is connected and answered in C (the fast path):
    // JavaScript hears of it once it relays (fastTunnel), and of anything else as before (acceptedNatively).
    // Recording only to a file (the CLI's), the relay records those tunnels too, from their first frame.
    const recorder = this.options.recorder;
    const recordClockOffsetNs = recorder?.takesBlocks && relay.numbersTunnels ? recorder.clock.nowNs() - hrtime.bigint() : undefined;
    const fast = this.expectedAuth ? undefined : {
      answer: CONNECT_ESTABLISHED_BYTES, connectTimeoutMs: this.limits.connectTimeoutMs, idleTimeoutMs: this.limits.idleTimeoutMs,
      maxTunnels: this.limits.maxConnections, recordClockOffsetNs, onTunnel: (t: FastTunnel) => this.fastTunnel(relay, t),
    };
    try {
      id = relay.listen(fd, this.limits.maxHeadBytes, this.limits.headTimeoutMs, (client) => this.acceptedNatively(relay, client), fast);
    } catch {
      return;
    }
    this.nativeListener = { relay, id, address };
    // The relay holds its own dup() of the socket: Node's handle closes, the socket keeps listening.
    this.server.close();
  }

  get address(): { host: string; port: number } {
    const a = this.nativeListener?.address ?? (this.server.address() as AddressInfo);
    return { host: a.address, port: a.port };
  }

  /** Connections open right now. */
  get activeConnections(): number {
    return this.connections.size;
  }

  /** Stops listening and ends every connection (each leg gets its FIN in the recording). */
  async close(): Promise<void> {
    let closed: Promise<void>;
    if (this.nativeListener) {
      this.nativeListener.relay.unlisten(this.nativeListener.id);
      closed = Promise.resolve();
    } else {
      closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
    for (const s of this.connections) s.destroy();
    await closed;
    // A destroyed socket reports 'close' (which records its legs' FINs) a loop turn later than the server's
    // own close: wait for them, so that a caller closing the recording next finds every leg ended.
    for (let turn = 0; this.connections.size > 0 && turn < 100; turn++) await new Promise((r) => setImmediate(r));
  }

  /** The next tunnel's number: from the native listener's numbering when there is one (its relay numbers tunnels too). */
  private newTunnelId(): number {
    const l = this.nativeListener;
    return l && l.relay.numbersTunnels ? l.relay.takeNumber(l.id) : this.nextTunnel++;
  }

  private emit(event: ProxyEvent): void {
    this.options.onEvent?.(event);
  }

  /**
   * A client the native relay accepted, with its head. A CONNECT passthrough
   * to an IP address stays in C (connectFor, then the relay relays); anything
   * else becomes a Node socket again and takes the path Node's clients take,
   * the bytes read so far first.
   */
  private acceptedNatively(relay: NativeTunnelRelay, accepted: AcceptedClient): void {
    if (this.connections.size >= this.limits.maxConnections) {
      relay.close(accepted.id);
      return;
    }
    const unreachable = accepted.reason === 'connect-failed' || accepted.reason === 'connect-timeout';
    const tunnel = accepted.reason === 'head' || unreachable ? this.nativeTunnelTarget(accepted.bytes) : null;
    if (tunnel && unreachable) {
      // The fast path's connection failed: answered as a failed connectFor is.
      const id = this.newTunnelId();
      const legs = this.acceptedClientLegs(accepted, id);
      const timedOut = accepted.reason === 'connect-timeout';
      this.acceptedTunnelConnected(relay, accepted, tunnel.target, tunnel.rest, id, legs, { ok: false, code: accepted.connectError ?? 'EIO', timedOut });
      return;
    }
    if (tunnel) {
      this.connectAcceptedTunnel(relay, accepted, tunnel.target, tunnel.rest);
      return;
    }
    const client = this.socketOf(relay, accepted.id);
    if (client) this.accept(client, accepted.bytes, accepted.reason === 'timeout');
  }

  /** The accepted client `id` as a Node socket (its descriptor handed over), or null when Node cannot take it. */
  private socketOf(relay: NativeTunnelRelay, id: number): Socket | null {
    let fd: number;
    try {
      fd = relay.release(id);
    } catch {
      // Gone already (closed with the proxy): nothing to answer.
      return null;
    }
    try {
      return new Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
    } catch {
      closeSync(fd);
      return null;
    }
  }

  /** The target and the bytes after the head when the head is a CONNECT this proxy relays natively as it is; else null. */
  private nativeTunnelTarget(bytes: Uint8Array): { target: ConnectTarget; rest: Uint8Array } | null {
    const r = new HttpHeadParser(this.limits.maxHeadBytes).push(bytes);
    if (!r.done || 'error' in r) return null;
    const head = r.head;
    if (head.kind !== 'request' || head.method !== 'CONNECT' || !head.target || !/^HTTP\/1\.[01]$/.test(head.version)) return null;
    if (this.expectedAuth && !this.authorized(head)) return null;
    const target = parseConnectAuthority(head.target);
    if (!target || target.port === 0 || !isIP(target.host)) return null;
    return { target, rest: r.rest };
  }

  /**
   * connectNativeTunnel for a client the relay accepted: the same answers, events and recording, without a Node
   * socket. Callbacks, not a promise: this runs for every tunnel, and an await is a promise and a microtask more.
   */
  private connectAcceptedTunnel(relay: NativeTunnelRelay, accepted: AcceptedClient, target: ConnectTarget, rest: Uint8Array): void {
    const id = this.newTunnelId();
    const legs = this.acceptedClientLegs(accepted, id);
    let gone = false;
    const waiting = {
      destroy: () => {
        gone = true;
        this.connections.delete(waiting);
        relay.close(accepted.id);
        legs.finish();
      },
    };
    this.connections.add(waiting);
    relay.connectFor(accepted.id, target.host, target.port, this.limits.connectTimeoutMs, (result) => {
      if (gone) return;
      this.connections.delete(waiting);
      this.acceptedTunnelConnected(relay, accepted, target, rest, id, legs, result);
    });
  }

  /** The recording of a client the relay accepted: its leg opened, and all the bytes read (as Node's path records its 'data'). */
  private acceptedClientLegs(accepted: AcceptedClient, id: number): TunnelLegs {
    const legs = new TunnelLegs(this.options.recorder ?? null, id);
    legs.openClientLegBetween(accepted.remote, accepted.local, accepted.mss);
    // The bytes after the head go upstream first, as `initial`.
    legs.fromClient(accepted.bytes);
    return legs;
  }

  /**
   * A tunnel the relay's fast path connected and answered (it relays already): reported as acceptedTunnelConnected
   * reports its own, and recorded as it records them, at the times the relay saw each step; or by the relay itself
   * from its first frame (`t.number`, when this proxy's recording only writes a file). Its sink, or null to close it
   * (the proxy is full).
   */
  private fastTunnel(relay: NativeTunnelRelay, t: FastTunnel): RelaySink | null {
    const authority = authorityOf({ host: t.target.ip, port: t.target.port });
    if (t.number) {
      // Recorded there from its first frame, numbered in this proxy's numbering (the relay kept to maxConnections):
      // only its end is reported here.
      this.emit({ type: 'tunnel-opened', tunnel: t.number, client: `${t.remote.ip}:${t.remote.port}`, target: authority, mode: 'passthrough' });
      return relayedSink(relay, { id: t.id, legs: new TunnelLegs(this.options.recorder ?? null, t.number), ...this.tunnelCallbacks(t.number, authority, null) }, true);
    }
    if (this.connections.size >= this.limits.maxConnections) return null;
    const id = this.newTunnelId();
    const legs = new TunnelLegs(this.options.recorder ?? null, id);
    legs.openClientLegBetween(t.remote, t.local, t.mss, legs.timeOfMonotonic(t.acceptedNs), false);
    legs.fromClient(t.bytes, legs.timeOfMonotonic(t.headNs));
    const at = legs.timeOfMonotonic(t.connectedNs);
    legs.openUpstreamLegBetween(t.upstreamLocal, t.target, t.upstreamMss, at);
    this.emit({ type: 'tunnel-opened', tunnel: id, client: `${t.remote.ip}:${t.remote.port}`, target: authority, mode: 'passthrough' });
    legs.toClient(CONNECT_ESTABLISHED_BYTES, at);
    const initial = t.bytes.subarray(t.headLength);
    if (initial.length) legs.toUpstream(initial, at);
    return relayedSink(relay, { id: t.id, legs, ...this.tunnelCallbacks(id, authority, null) }, false);
  }

  /** connectAcceptedTunnel's connection is up (the 200 and the relay) or not (502/504 through a Node socket). */
  private acceptedTunnelConnected(relay: NativeTunnelRelay, accepted: AcceptedClient, target: ConnectTarget, rest: Uint8Array,
    id: number, legs: TunnelLegs, result: RelayConnectResult): void {
    const authority = authorityOf(target);
    if (!result.ok) {
      const reason = result.timedOut
        ? `connecting to ${authority} timed out after ${this.limits.connectTimeoutMs / 1000} s`
        : `cannot connect to ${authority}: ${describeSocketError(Object.assign(new Error(result.code), { code: result.code }))}`;
      const client = this.socketOf(relay, accepted.id);
      if (!client) {
        legs.finish();
        return;
      }
      this.track(client, legs);
      this.reject(client, legs, id, authority, result.timedOut ? 504 : 502, reason);
      return;
    }
    legs.openUpstreamLegBetween(result.local, { ip: target.host, port: target.port }, result.mss);
    this.emit({ type: 'tunnel-opened', tunnel: id, client: `${accepted.remote.ip}:${accepted.remote.port}`, target: authority, mode: 'passthrough' });
    const answer = CONNECT_ESTABLISHED_BYTES;
    legs.toClient(answer);
    attachAccepted(relay, {
      id: accepted.id, legs, answer, initial: rest, idleTimeoutMs: this.limits.idleTimeoutMs,
      ...this.tunnelCallbacks(id, authority, null),
    });
  }

  /** The proxy tracks a client socket: closed with the proxy; its close, error and end recorded on its leg. */
  private track(client: Socket, legs: TunnelLegs): void {
    this.connections.add(client);
    client.on('close', () => {
      this.connections.delete(client);
      legs.finish();
    });
    client.on('error', () => legs.clientReset());
    client.on('end', () => legs.clientEnded());
  }

  /**
   * A client connection from its first byte: reads the request head (with
   * the size and time limits) and handles the request. `prior`: bytes the
   * native relay read already; `timedOut`: the relay's head timeout passed.
   */
  private accept(client: Socket, prior?: Uint8Array, timedOut = false): void {
    // server.maxConnections counts Node's sockets only: tunnels the native relay took over count here.
    if (this.connections.size >= this.limits.maxConnections) {
      client.destroy();
      return;
    }
    // Relayed handshake messages are small: Nagle's algorithm would hold them for the peer's delayed ACK.
    client.setNoDelay(true);
    const id = this.newTunnelId();
    const legs = new TunnelLegs(this.options.recorder ?? null, id);
    legs.openClientLeg(client);
    this.track(client, legs);
    // A named listener, removed once the head is in: socket.setTimeout(ms, fn) adds `fn` for good, and a tunnel's
    // idle timeout later re-arms the same timer (it must not answer 408 into an open tunnel).
    const onHeadTimeout = (): void => this.reject(client, legs, id, null, 408, 'no complete request head in time');
    client.setTimeout(this.limits.headTimeoutMs);
    client.once('timeout', onHeadTimeout);

    const parser = new HttpHeadParser(this.limits.maxHeadBytes);
    const onData = (data: Buffer): void => {
      legs.fromClient(data);
      const r = parser.push(data);
      if (!r.done) return;
      client.removeListener('data', onData);
      client.pause();
      client.setTimeout(0);
      client.removeListener('timeout', onHeadTimeout);
      if ('error' in r) {
        const tooLarge = r.error.includes('longer than');
        this.reject(client, legs, id, null, tooLarge ? 431 : 400, r.error);
        return;
      }
      this.handleRequest(client, legs, id, r.head, r.rest).catch((e: unknown) => {
        this.reject(client, legs, id, null, 502, e instanceof Error ? e.message : String(e));
      });
    };
    client.on('data', onData);
    if (prior && prior.length > 0) onData(Buffer.from(prior.buffer, prior.byteOffset, prior.length));
    // The relay's head timeout passed (and the head is still not complete): answered as Node's own timeout answers.
    if (timedOut && client.listeners('timeout').includes(onHeadTimeout)) onHeadTimeout();
  }

  private async handleRequest(client: Socket, legs: TunnelLegs, id: number, head: HttpHead, rest: Uint8Array): Promise<void> {
    if (head.kind !== 'request' || !head.method || !head.target || !/^HTTP\/1\.[01]$/.test(head.version)) {
      this.reject(client, legs, id, null, 400, 'not an HTTP/1.x request');
      return;
    }
    if (this.expectedAuth && !this.authorized(head)) {
      this.reject(client, legs, id, head.target, 407, 'proxy authentication required', ['Proxy-Authenticate: Basic realm="tlswb"']);
      return;
    }
    if (head.method === 'CONNECT') {
      const target = parseConnectAuthority(head.target);
      if (!target || target.port === 0) {
        this.reject(client, legs, id, head.target, 400, `malformed CONNECT target "${head.target.slice(0, 100)}"`);
        return;
      }
      await this.connectTunnel(client, legs, id, target, rest);
      return;
    }
    if (/^http:\/\//i.test(head.target)) {
      // From here the connection carries plain requests, one after another (keep-alive); each is admitted here.
      let current: string | null = head.target;
      forwardPlainHttp({
        client, legs, recorder: this.options.recorder ?? null, limits: this.limits, upstream: this.options.upstream ?? null,
        admit: (next) => {
          current = next.target ?? null;
          if (this.expectedAuth && !this.authorized(next)) {
            this.reject(client, legs, id, current, 407, 'proxy authentication required', ['Proxy-Authenticate: Basic realm="tlswb"']);
            return false;
          }
          this.emit({ type: 'http-request', tunnel: id, method: next.method ?? '', url: current ?? '' });
          return true;
        },
        fail: (status, reason) => this.reject(client, legs, id, current, status, reason),
      }, head, rest);
      return;
    }
    this.reject(client, legs, id, head.target, 400, 'a proxy request needs CONNECT host:port or an absolute http:// URL');
  }

  private authorized(head: HttpHead): boolean {
    const given = headerValue(head, 'proxy-authorization');
    if (!given || !this.expectedAuth) return false;
    const g = Buffer.from(given.trim());
    return g.length === this.expectedAuth.length && timingSafeEqual(g, this.expectedAuth);
  }

  private async connectTunnel(client: Socket, legs: TunnelLegs, id: number, target: ConnectTarget, rest: Uint8Array): Promise<void> {
    // Passthrough straight to an IP address: the native relay connects itself (no Node socket towards the server).
    const relay = this.options.intercept || this.options.upstream || !isIP(target.host) ? null : nativeTunnelRelay();
    if (relay) {
      await this.connectNativeTunnel(relay, client, legs, id, target, rest);
      return;
    }
    const authority = authorityOf(target);
    const result = await connectUpstream(target, {
      via: this.options.upstream ?? null,
      timeoutMs: this.limits.connectTimeoutMs,
      maxHeadBytes: this.limits.maxHeadBytes,
      recording: legs.upstreamRecording(),
    });
    if (client.destroyed) {
      if (result.ok) result.socket.destroy();
      legs.upstreamClosed();
      return;
    }
    if (!result.ok) {
      legs.upstreamClosed();
      this.reject(client, legs, id, authority, result.timedOut ? 504 : 502, result.reason);
      return;
    }
    const upstream = result.socket;
    const mode = this.options.intercept ? 'intercept' : 'passthrough';
    this.emit({ type: 'tunnel-opened', tunnel: id, client: `${client.remoteAddress}:${client.remotePort}`, target: authority, mode });
    this.send(client, legs, CONNECT_ESTABLISHED);
    const callbacks = this.tunnelCallbacks(id, authority, client);
    if (this.options.intercept && this.trust) {
      interceptTunnel({
        id, client, upstream, legs, target, initial: rest, upstreamRest: result.rest, limits: this.limits,
        intercept: this.options.intercept, trust: this.trust, sessions: this.upstreamSessions, recorder: this.options.recorder ?? null,
        onEvent: (e) => this.emit(e), onClosed: callbacks.onClosed,
        refuse: (reason) => this.emit({ type: 'refused', tunnel: id, client: `${client.remoteAddress}:${client.remotePort}`, target: authority, status: null, reason }),
      });
    } else {
      bridgeSockets({
        client, upstream, legs, initial: rest, upstreamRest: result.rest, idleTimeoutMs: this.limits.idleTimeoutMs, ...callbacks,
      });
    }
  }

  /** connectTunnel through the native relay's own connection: the same answers, events and recording. */
  private async connectNativeTunnel(relay: NativeTunnelRelay, client: Socket, legs: TunnelLegs, id: number, target: ConnectTarget, rest: Uint8Array): Promise<void> {
    const authority = authorityOf(target);
    const result = await relay.connect(target.host, target.port, this.limits.connectTimeoutMs);
    if (client.destroyed) {
      if (result.ok) relay.close(result.id);
      return;
    }
    if (!result.ok) {
      // Worded as connectUpstream words them.
      const reason = result.timedOut
        ? `connecting to ${authority} timed out after ${this.limits.connectTimeoutMs / 1000} s`
        : `cannot connect to ${authority}: ${describeSocketError(Object.assign(new Error(result.code), { code: result.code }))}`;
      this.reject(client, legs, id, authority, result.timedOut ? 504 : 502, reason);
      return;
    }
    legs.openUpstreamLegBetween(result.local, { ip: target.host, port: target.port }, result.mss);
    this.emit({ type: 'tunnel-opened', tunnel: id, client: `${client.remoteAddress}:${client.remotePort}`, target: authority, mode: 'passthrough' });
    // The relay writes the 200 itself, first: a write through Node's socket would cost a write request and its completion.
    const answer = CONNECT_ESTABLISHED_BYTES;
    legs.toClient(answer);
    await attachNatively(relay, {
      client, legs, connection: result.id, answer, initial: rest, idleTimeoutMs: this.limits.idleTimeoutMs,
      ...this.tunnelCallbacks(id, authority, client),
    });
  }

  /**
   * A tunnel's end reported as 'tunnel-closed'; once a relay took it over from
   * `client`'s socket (gone then), the proxy tracks and closes the relayed
   * tunnel instead.
   */
  private tunnelCallbacks(id: number, authority: string, client: Socket | null): TunnelCallbacks {
    let relayed: { destroy(): void } | null = null;
    return {
      onClosed: (bytesFromClient, bytesFromServer) => {
        if (relayed) this.connections.delete(relayed);
        this.emit({ type: 'tunnel-closed', tunnel: id, target: authority, bytesFromClient, bytesFromServer });
      },
      onRelayed: (tunnel) => {
        relayed = tunnel;
        if (client) this.connections.delete(client);
        this.connections.add(tunnel);
      },
    };
  }

  /** Writes to the client and records it on the client leg. */
  private send(client: Socket, legs: TunnelLegs, text: string): void {
    const bytes = Buffer.from(text, 'latin1');
    legs.toClient(bytes);
    client.write(bytes);
  }

  /** Answers with an error status (and the reason as the body), then closes the connection. */
  private reject(client: Socket, legs: TunnelLegs, id: number, target: string | null, status: number, reason: string, extraHeaders: string[] = []): void {
    this.emit({ type: 'refused', tunnel: id, client: `${client.remoteAddress}:${client.remotePort}`, target, status, reason });
    client.removeAllListeners('data');
    if (client.destroyed || !client.writable) {
      client.destroy();
      return;
    }
    // The reason is ours (never a secret, never the client's bytes beyond a clipped target).
    const body = `${status} ${STATUS_TEXT[status] ?? ''}: ${reason.replace(/[\r\n]+/g, ' ')}\n`;
    const head = [
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      ...extraHeaders,
    ].join('\r\n');
    this.send(client, legs, `${head}\r\n\r\n${body}`);
    client.end();
    legs.proxyEndedClient();
    // Do not wait for ever for a client that keeps the connection open.
    client.setTimeout(5000, () => client.destroy());
    client.resume();
    client.on('data', (d: Buffer) => legs.fromClient(d));
  }
}
