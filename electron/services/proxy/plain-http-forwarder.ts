/**
 * Plain `http://` proxy requests (RFC 9112 §3.2.2 absolute-form) on a
 * persistent client connection (RFC 9112 §9.3): request after request, each
 * head rewritten (origin-form towards an origin, unchanged towards an
 * --upstream proxy; hop-by-hop fields dropped), each body relayed unchanged
 * with its framing followed by message-framing.ts, so the proxy knows where
 * the next message starts. Requests are served one at a time; a pipelined
 * request waits in the socket until the answer to the previous one is out.
 *
 * The connection to an origin is kept for the next request to the same
 * origin when both sides allow it, and replaced when the next request goes
 * elsewhere (origin-connection.ts). A response delimited by the origin's
 * close ends the client connection too (RFC 9112 §9.6), as does
 * `Connection: close` from the client or an HTTP/1.0 client (§9.3).
 *
 * Recording: the client connection is one leg carrying every request and
 * response; each origin connection is a leg of its own.
 */
import type { Socket } from 'node:net';
import { endToEndFields, serializeHead } from '../../core/http/hop-by-hop-fields';
import { HttpHeadParser, type HttpHead } from '../../core/http/http-head-parser';
import { BodyFramer, requestFraming, responseFraming, wantsClose, type BodyFraming } from '../../core/http/message-framing';
import type { LegRecorder } from './leg-recorder';
import { OriginConnection, originKey, type OriginHandlers } from './origin-connection';
import type { ProxyLimits } from './proxy-types';
import type { TunnelLegs } from './tunnel-legs';
import type { ConnectTarget, UpstreamProxy } from './upstream-connector';

export interface PlainHttpConnection {
  client: Socket;
  /** The client connection's recording (its upstream half is unused: each origin connection has its own). */
  legs: TunnelLegs;
  recorder: LegRecorder | null;
  limits: ProxyLimits;
  upstream: UpstreamProxy | null;
  /** Checks a request (Basic auth) and reports it; false when it answered it with an error itself. */
  admit(head: HttpHead): boolean;
  /** Answers with an error status and closes the client connection. */
  fail(status: number, reason: string): void;
}

/** Serves the client connection from its first request (`head`, then the bytes after it). */
export function forwardPlainHttp(c: PlainHttpConnection, head: HttpHead, rest: Uint8Array): void {
  new PlainHttpSession(c).start(head, rest);
}

/** Where the session is. */
const READING_HEAD = 0;
const CONNECTING = 1;
const EXCHANGING = 2;
const CLOSED = 3;

interface Exchange {
  method: string;
  requestBody: BodyFramer;
  /** The response head parser until the final head arrived. */
  responseHead: HttpHeadParser | null;
  responseBody: BodyFramer | null;
  responseFraming: BodyFraming | null;
  /** The client connection closes after this exchange. */
  closeClient: boolean;
  /** Anything of the response went to the client (an error can no longer be answered with a status). */
  answered: boolean;
  /** Any byte came back from the origin for this request. */
  heard: boolean;
  hop: ConnectTarget;
  requestHead: Uint8Array;
  /** Send the request again on a new connection if this one closes unheard. */
  retryOnClose: boolean;
}

/** Methods a proxy may send again after a connection failed under them (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

class PlainHttpSession implements OriginHandlers {
  private state = READING_HEAD;
  private headParser: HttpHeadParser | null = null;
  private exchange: Exchange | null = null;
  private origin: OriginConnection | null = null;
  /** Client bytes not processed yet (a pipelined request), kept while the client is paused. */
  private pending: Uint8Array[] = [];
  /** The origin's socket is full: the client waits. */
  private originFull = false;
  private clientEnded = false;
  /** The origin connection will not carry another request (it said close, or its response ends with its close). */
  private originDone = false;
  /** What the client connection's idle / head timer does when it fires (one 'timeout' listener, this action). */
  private onClientTimeout: () => void = () => undefined;

  constructor(private readonly c: PlainHttpConnection) {}

  start(head: HttpHead, rest: Uint8Array): void {
    const { client } = this.c;
    // One timer listener for the connection's life (the head timer of the first request included).
    client.removeAllListeners('timeout');
    client.on('timeout', () => this.onClientTimeout());
    client.on('data', (d: Buffer) => {
      this.c.legs.fromClient(d);
      this.fromClient(d);
    });
    client.on('end', () => {
      this.clientEnded = true;
      if (this.state === READING_HEAD) this.closeQuietly();
    });
    client.on('close', () => this.shutDown());
    client.on('drain', () => this.origin?.socket.resume());
    this.startRequest(head, rest);
  }

  // ---- client side ----

  private fromClient(d: Uint8Array): void {
    if (this.state === CLOSED) return;
    if (this.state === READING_HEAD) {
      this.readHead(d);
      return;
    }
    const ex = this.exchange;
    if (this.state === EXCHANGING && ex && !ex.requestBody.done) {
      const end = ex.requestBody.push(d);
      if (ex.requestBody.error) {
        // The origin has a request cut short: that connection goes; the client hears why if nothing was answered yet.
        if (ex.answered) this.abort();
        else this.failRequest(400, ex.requestBody.error);
        return;
      }
      if (end > 0 && this.origin && !this.origin.write(d.subarray(0, end))) this.originFull = true;
      if (end < d.length) this.keep(d.subarray(end));
      this.updateClientFlow();
      return;
    }
    // Waiting for the origin or for the answer: the next request waits.
    this.keep(d);
    this.updateClientFlow();
  }

  private keep(d: Uint8Array): void {
    this.pending.push(d);
  }

  private readHead(d: Uint8Array): void {
    if (!this.headParser) {
      this.headParser = new HttpHeadParser(this.c.limits.maxHeadBytes);
      // The first byte of a request: it must now be complete in time (408 after).
      this.clientTimer(this.c.limits.headTimeoutMs, () => this.failRequest(408, 'no complete request head in time'));
    }
    const r = this.headParser.push(d);
    if (!r.done) return;
    this.headParser = null;
    if ('error' in r) {
      this.failRequest(r.error.includes('longer than') ? 431 : 400, r.error);
      return;
    }
    this.startRequest(r.head, r.rest);
  }

  /** Pauses the client while its bytes cannot be used (the origin is full, or the next request must wait). */
  private updateClientFlow(): void {
    const { client } = this.c;
    if (this.state === CLOSED) return;
    const ex = this.exchange;
    const consuming = this.state === READING_HEAD || (this.state === EXCHANGING && ex !== null && !ex.requestBody.done);
    if (!consuming || this.originFull || this.pending.length > 0) client.pause();
    else client.resume();
  }

  private startRequest(head: HttpHead, rest: Uint8Array): void {
    const { client, limits } = this.c;
    client.pause();
    this.clientTimer(0, () => undefined);
    if (head.kind !== 'request' || !head.method || !head.target || !/^HTTP\/1\.[01]$/.test(head.version)) {
      this.failRequest(400, 'not an HTTP/1.x request');
      return;
    }
    if (!this.c.admit(head)) {
      this.state = CLOSED;
      this.origin?.destroy();
      return;
    }
    let url: URL;
    try {
      url = new URL(head.target);
    } catch {
      this.failRequest(400, 'malformed request URL');
      return;
    }
    if (url.protocol !== 'http:' || !url.hostname || !/^http:\/\//i.test(head.target)) {
      this.failRequest(400, 'after a plain http:// request only absolute http:// requests may follow on the connection');
      return;
    }
    const framing = requestFraming(head);
    if (framing.kind === 'error') {
      this.failRequest(400, framing.reason);
      return;
    }
    if (framing.kind === 'close') {
      this.failRequest(400, 'request without a length');
      return;
    }
    // A proxy keeps no persistent connection with an HTTP/1.0 client (RFC 9112 §9.3).
    const closeClient = wantsClose(head) || head.version !== 'HTTP/1.1' || this.clientEnded;
    const target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 80 };
    const requestTarget = this.c.upstream ? url.href : `${url.pathname}${url.search}`;
    const fields = endToEndFields(head, ['proxy-authorization']);
    if (!fields.some(([n]) => n.toLowerCase() === 'host')) fields.unshift(['Host', url.host]);
    if (this.c.upstream?.authorization) fields.push(['Proxy-Authorization', this.c.upstream.authorization]);
    if (closeClient) fields.push(['Connection', 'close']);
    const requestHead = serializeHead(`${head.method} ${requestTarget} ${head.version}`, fields);

    // Through an upstream proxy the request goes to it as is (no CONNECT): the hop is the proxy itself.
    const hop: ConnectTarget = this.c.upstream ? { host: this.c.upstream.host, port: this.c.upstream.port } : target;
    const reusable = this.origin && !this.origin.ended && this.origin.key === originKey(hop) ? this.origin : null;
    this.exchange = {
      method: head.method, requestBody: new BodyFramer(framing), responseHead: new HttpHeadParser(limits.maxHeadBytes),
      responseBody: null, responseFraming: null, closeClient, answered: false, heard: false, hop, requestHead,
      // An origin may close an idle connection just as a request goes out on it (RFC 9112 §9.3.1): a request
      // that can safely be sent again (idempotent, no body) then goes on a new connection, once.
      retryOnClose: reusable !== null && framing.kind === 'none' && IDEMPOTENT_METHODS.has(head.method),
    };
    if (rest.length > 0) this.pending.unshift(rest);
    if (reusable) this.send(reusable, requestHead);
    else this.connectAndSend(hop, requestHead);
  }

  private connectAndSend(hop: ConnectTarget, requestHead: Uint8Array): void {
    this.origin?.finish();
    this.origin = null;
    this.state = CONNECTING;
    this.clientTimer(0, () => undefined);
    void OriginConnection.open(hop, this.c.recorder, this.c.legs.id, this.c.limits.connectTimeoutMs, this).then((o) => {
      if (this.state === CLOSED || this.c.client.destroyed) {
        if (o instanceof OriginConnection) o.destroy();
        return;
      }
      if (!(o instanceof OriginConnection)) {
        this.failRequest(o.timedOut ? 504 : 502, o.reason);
        return;
      }
      this.origin = o;
      this.send(o, requestHead);
    });
  }

  /** Sends the request head, then whatever of its body (and beyond) already arrived. */
  private send(origin: OriginConnection, requestHead: Uint8Array): void {
    this.state = EXCHANGING;
    const idle = this.c.limits.idleTimeoutMs;
    this.clientTimer(idle, () => this.abort());
    origin.timer(idle, () => this.abort());
    this.originFull = !origin.write(requestHead);
    this.replayPending();
  }

  /** Feeds the bytes kept while the client waited, in order, as if they arrived now. */
  private replayPending(): void {
    const kept = this.pending;
    this.pending = [];
    for (let i = 0; i < kept.length; i++) {
      if (this.state === CLOSED) return;
      const before = this.pending.length;
      this.fromClient(kept[i]!);
      // A chunk that had to wait again: the rest waits behind it.
      if (this.pending.length > before) {
        for (let j = i + 1; j < kept.length; j++) this.pending.push(kept[j]!);
        break;
      }
    }
    this.updateClientFlow();
  }

  // ---- origin side (OriginHandlers) ----

  data(origin: OriginConnection, d: Buffer): void {
    const ex = this.exchange;
    if (origin !== this.origin || this.state !== EXCHANGING || !ex) {
      // Bytes nobody asked for (an origin talking out of turn): that connection is not used again.
      origin.destroy();
      if (origin === this.origin) this.origin = null;
      return;
    }
    ex.heard = true;
    let chunk: Uint8Array = d;
    // A head, then maybe another (after a 1xx), then body bytes: all may come in one chunk.
    while (ex.responseHead) {
      const r = ex.responseHead.push(chunk);
      if (!r.done) return;
      if ('error' in r) {
        this.badResponse(`the origin sent a malformed response: ${r.error}`);
        return;
      }
      if (!this.responseHead(ex, r.head)) return;
      chunk = r.rest;
      if (ex.responseHead && chunk.length === 0) return;
    }
    this.responseBytes(ex, chunk, 0);
  }

  /** Handles a response head; false when the exchange ended because of it. */
  private responseHead(ex: Exchange, head: HttpHead): boolean {
    const status = head.status ?? 0;
    if (head.kind !== 'response' || !/^HTTP\/1\.[01]$/.test(head.version)) {
      this.badResponse('the origin did not answer with HTTP/1.x');
      return false;
    }
    if (status === 101) {
      // Upgrade is not forwarded, so nothing asked for a protocol switch.
      this.badResponse('the origin switched protocols unasked (101)');
      return false;
    }
    const framing = responseFraming(head, ex.method);
    if (framing.kind === 'error') {
      this.badResponse(`the origin's response framing is invalid: ${framing.reason}`);
      return false;
    }
    const interim = status >= 100 && status < 200;
    if (!interim) {
      ex.responseHead = null;
      ex.responseFraming = framing;
      ex.responseBody = new BodyFramer(framing);
      if (framing.kind === 'close' || !ex.requestBody.done) ex.closeClient = true;
      if (wantsClose(head) || framing.kind === 'close') this.originDone = true;
    } else {
      ex.responseHead = new HttpHeadParser(this.c.limits.maxHeadBytes);
    }
    const fields = endToEndFields(head);
    if (!interim && ex.closeClient) fields.push(['Connection', 'close']);
    this.toClient(serializeHead(head.startLine, fields));
    ex.answered = true;
    return true;
  }

  /** Relays response body bytes from `d[at..]`; the bytes after the body end the origin connection's use. */
  private responseBytes(ex: Exchange, d: Uint8Array, at: number): void {
    const body = ex.responseBody;
    if (!body) return;
    const end = body.push(d, at);
    if (body.error) {
      this.badResponse(`the origin's response body is malformed: ${body.error}`);
      return;
    }
    if (end > at) this.toClient(d.subarray(at, end));
    if (body.done) this.exchangeDone(ex, d.subarray(end));
  }

  end(origin: OriginConnection): void {
    if (origin !== this.origin) return;
    const ex = this.exchange;
    if (this.retried(origin)) return;
    if (this.state !== EXCHANGING || !ex) {
      // An idle origin went away: the next request opens a new connection.
      origin.finish();
      this.origin = null;
      return;
    }
    if (ex.responseFraming?.kind === 'close') {
      // The close delimits the body: the response is complete; so is the client connection.
      ex.closeClient = true;
      this.exchangeDone(ex, new Uint8Array(0));
      return;
    }
    if (!ex.answered) this.badResponse('the origin closed the connection without answering');
    else this.abort();
  }

  close(origin: OriginConnection): void {
    if (origin !== this.origin) return;
    if (this.retried(origin)) return;
    this.origin = null;
    if (this.state === EXCHANGING) {
      const ex = this.exchange;
      if (ex && !ex.answered) this.badResponse('the origin connection failed before an answer');
      else this.abort();
    }
  }

  /** A reused connection that closed before a byte of the answer: the request goes again on a new one. */
  private retried(origin: OriginConnection): boolean {
    const ex = this.exchange;
    if (this.state !== EXCHANGING || !ex || ex.heard || !ex.retryOnClose) return false;
    ex.retryOnClose = false;
    origin.destroy();
    this.origin = null;
    this.connectAndSend(ex.hop, ex.requestHead);
    return true;
  }

  drain(origin: OriginConnection): void {
    if (origin !== this.origin) return;
    this.originFull = false;
    this.updateClientFlow();
  }

  private toClient(data: Uint8Array): void {
    const { client, legs } = this.c;
    if (client.destroyed) return;
    legs.toClient(data);
    if (!client.write(data)) this.origin?.socket.pause();
  }

  // ---- ends of exchanges and of the connection ----

  private exchangeDone(ex: Exchange, extra: Uint8Array): void {
    if (this.exchange !== ex) return;
    this.exchange = null;
    const origin = this.origin;
    if (origin && (this.originDone || extra.length > 0 || !ex.requestBody.done || origin.ended)) {
      origin.finish();
      this.origin = null;
    } else if (origin) {
      // Idle until the next request; an idle origin connection is closed after the idle time.
      origin.timer(this.c.limits.idleTimeoutMs, () => {
        origin.finish();
        if (this.origin === origin) this.origin = null;
      });
    }
    this.originDone = false;
    if (ex.closeClient) {
      this.closeQuietly();
      return;
    }
    this.state = READING_HEAD;
    this.originFull = false;
    // Waiting for the next request: closed quietly (no 408) when none comes.
    this.clientTimer(this.c.limits.idleTimeoutMs, () => this.closeQuietly());
    this.replayPending();
    // The client half-closed and sent nothing more: nothing will come.
    if (this.state === READING_HEAD && this.clientEnded && this.pending.length === 0 && !this.headParser) this.closeQuietly();
  }

  /** Ends the client connection (FIN after what was sent) and any origin connection. */
  private closeQuietly(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    const { client, legs } = this.c;
    this.origin?.finish();
    this.origin = null;
    if (!client.destroyed && !client.writableEnded) {
      client.end();
      legs.proxyEndedClient();
    }
    // Whatever the client still sends is recorded (the data listener stays) and dropped.
    client.resume();
    this.clientTimer(5000, () => client.destroy());
  }

  private clientTimer(ms: number, action: () => void): void {
    this.onClientTimeout = action;
    this.c.client.setTimeout(ms);
  }

  /** An error status for the current request when nothing was answered yet; otherwise the connection is cut. */
  private badResponse(reason: string): void {
    const ex = this.exchange;
    if (ex && !ex.answered) {
      this.failRequest(502, reason);
      return;
    }
    this.abort();
  }

  private failRequest(status: number, reason: string): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    this.origin?.destroy();
    this.origin = null;
    this.c.fail(status, reason);
  }

  /** Cuts both connections (a body cut short, a timeout): the client sees the connection end mid-message. */
  private abort(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    this.origin?.destroy();
    this.origin = null;
    this.c.client.destroy();
  }

  private shutDown(): void {
    this.state = CLOSED;
    this.origin?.destroy();
    this.origin = null;
  }
}
