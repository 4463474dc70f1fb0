/**
 * One TCP connection, watched for TLS and HTTP CONNECT, and turned into a
 * Session when it carries either.
 *
 * Each direction is in one of these states:
 * - `scan`: not yet understood. The start of the stream, and the start of
 *   each of its first segments (STARTTLS: LDAP, SMTP, MySQL...), is checked for
 *   a TLS record header or a CONNECT request line.
 * - `http`: reading an HTTP head (the CONNECT request, or the proxy's answer).
 * - `tls`: bytes go to the TLS decoder.
 * - `dead`: scanned long enough without finding anything; ignored.
 */
import type { TcpCloseReason, TcpConnection } from '../net/tcp-connection-table';
import { HttpHeadParser, looksLikeHttpConnect } from '../http/connect-parser';
import { proxyProtocolHeaderLength } from '../net/proxy-protocol';
import type { DecodedMessage, TlsConnectionDecoder } from '../tls/tls-connection-decoder';
import type { Session, Side, TlsMessage } from './model';
import { concatBytes } from '../bytes/concat-bytes';

/** How many segments of a direction are checked for a TLS or CONNECT start before giving up. */
const SCAN_SEGMENTS = 12;
/** Bytes gathered at a stream start before deciding (a record header is 5 bytes, a hello type is the 6th). */
const DETECT_BYTES = 6;
/** Largest HTTP head kept as a message's raw bytes. */
const MAX_HEAD_RAW = 16 * 1024;

type DirState = 'scan' | 'http' | 'tls' | 'dead';

interface DirectionTrack {
  state: DirState;
  scannedSegments: number;
  /** Bytes delivered in this direction so far. */
  offset: number;
  /** A stream start shorter than DETECT_BYTES, kept until more arrives. */
  pending: Uint8Array | null;
  head: HttpHeadParser | null;
  headFrames: number[];
  /** The head's bytes so far (bounded), kept as the message's raw bytes. */
  headBytes: Uint8Array[];
  /** An HTTP CONNECT head ended here: what follows is the tunnel, TLS from any record on. */
  afterConnect: boolean;
}

export interface TrackerHooks {
  openSession(conn: TcpConnection, clientDir: 0 | 1, clientBy: Session['clientBy']): Session;
  message(s: Session, d: DecodedMessage): void;
  warning(s: Session, text: string): void;
  closed(s: Session): void;
  /** The decoder reports its messages and warnings into `s` (through `message` and `warning`). */
  makeTlsDecoder(s: Session): TlsConnectionDecoder;
  /** A decoder this tracker is done with (its connection finished): never called again by it. */
  releaseTlsDecoder(d: TlsConnectionDecoder): void;
  looksLikeTls(firstBytes: Uint8Array): boolean;
}

export class ConnectionTracker {
  private session: Session | null = null;
  private clientDir: 0 | 1 | null;
  private tls: TlsConnectionDecoder | null = null;
  private readonly dirs: [DirectionTrack, DirectionTrack] = [newTrack(), newTrack()];
  /** The connection ended (`finish` was called): its session, if any, changes no more. */
  finished = false;

  constructor(
    private readonly conn: TcpConnection,
    private readonly hooks: TrackerHooks,
  ) {
    this.clientDir = conn.synSeen ? 0 : null;
  }

  data(dir: 0 | 1, data: Uint8Array, frame: number, timeNs: bigint): void {
    const t = this.dirs[dir];
    if (this.session) this.session.bytes[this.side(dir)] += data.length;
    switch (t.state) {
      case 'tls':
        this.tls!.push(this.side(dir), data, frame, timeNs);
        break;
      case 'http':
        this.feedHead(dir, data, frame, timeNs);
        break;
      case 'scan':
        this.scan(dir, data, frame, timeNs);
        break;
      case 'dead':
        break;
    }
    t.offset += data.length;
  }

  /** `data`, as `bytes[start, end)`: a TLS stream's bytes go to its decoder without a view. */
  bytes(dir: 0 | 1, bytes: Uint8Array, start: number, end: number, frame: number, timeNs: bigint): void {
    const t = this.dirs[dir];
    if (t.state !== 'tls') {
      this.data(dir, bytes.subarray(start, end), frame, timeNs);
      return;
    }
    const side = this.side(dir);
    if (this.session) this.session.bytes[side] += end - start;
    this.tls!.pushBytes(side, bytes, start, end, frame, timeNs);
    t.offset += end - start;
  }

  gap(dir: 0 | 1, missing: number, frame: number, _timeNs: bigint): void {
    const t = this.dirs[dir];
    t.offset += missing;
    t.pending = null;
    if (!this.session) return;
    const side = this.side(dir);
    this.hooks.warning(this.session, `${missing} bytes missing from the ${side} stream before frame ${frame}`);
    if (t.state === 'tls') this.tls!.gap(side, missing);
    else if (t.state === 'http') {
      t.state = 'scan';
      t.head = null;
    }
  }

  /** `timeNs` is the connection's last packet (FIN, RST or the last ACK): the session ends there. */
  close(how: TcpCloseReason, _frame: number, timeNs: bigint): void {
    if (!this.session) return;
    if (timeNs > this.session.lastTimeNs) this.session.lastTimeNs = timeNs;
    if (how !== 'end') this.session.state = how === 'rst' ? 'closed-rst' : 'closed-fin';
    this.hooks.closed(this.session);
  }

  finish(): void {
    // A stream start too short to decide stays undecided: nothing to flush.
    // Nothing comes after this: the TLS decoder's state goes (a streaming analyzer keeps finished trackers a while).
    this.finished = true;
    if (this.tls !== null) this.hooks.releaseTlsDecoder(this.tls);
    this.tls = null;
  }

  /** The connection's session, once it carried TLS or a CONNECT. */
  get sessionOrNull(): Session | null {
    return this.session;
  }

  private side(dir: 0 | 1): Side {
    return dir === this.clientDir ? 'client' : 'server';
  }

  private scan(dir: 0 | 1, chunk: Uint8Array, frame: number, timeNs: bigint): void {
    const t = this.dirs[dir];
    let data = chunk;
    if (t.pending) {
      data = concatBytes(t.pending, chunk);
      t.pending = null;
      // A short first segment that, with what follows, is neither TLS nor CONNECT was a
      // message of its own: PostgreSQL's one-byte 'S' answer to SSLRequest, then the
      // ServerHello in the next segment. Scan that segment by itself.
      if (!looksLikeHttpConnect(data) && !this.hooks.looksLikeTls(data)) data = chunk;
    } else if (t.offset === 0 && chunk.length < DETECT_BYTES) {
      t.pending = chunk.slice();
      return;
    }
    if (++t.scannedSegments > SCAN_SEGMENTS) {
      t.state = 'dead';
      return;
    }
    if (t.offset === 0 && data.length === chunk.length) {
      // A load balancer's PROXY protocol header (HAProxy) before the client's TLS.
      const proxyHeader = proxyProtocolHeaderLength(data);
      if (proxyHeader > 0) {
        data = data.subarray(proxyHeader);
        if (data.length === 0) return;
      }
    }
    const other = this.dirs[dir ^ 1 as 0 | 1];
    if (looksLikeHttpConnect(data) && (this.clientDir === null || this.clientDir === dir)) {
      this.decideClient(dir, 'hello');
      this.ensureSession();
      t.state = 'http';
      t.head = new HttpHeadParser();
      t.headFrames = [];
      t.headBytes = [];
      this.feedHead(dir, data, frame, timeNs);
      return;
    }
    if (!this.hooks.looksLikeTls(data)) return;
    // After the first segments of a non-TLS stream only a hello starts TLS
    // (STARTTLS), unless the other direction already speaks TLS.
    const hello = helloType(data);
    const atStart = t.afterConnect || t.offset === 0 || t.offset === data.length - chunk.length;
    if (!atStart && hello === null && other.state !== 'tls') return;
    if (this.clientDir === null) {
      if (hello === 'client') this.decideClient(dir, 'hello');
      else if (hello === 'server') this.decideClient((dir ^ 1) as 0 | 1, 'hello');
      else this.decideByPort();
    }
    this.ensureSession();
    t.state = 'tls';
    // A hello here is answered in the other direction, however long its cleartext
    // preamble was (FTP's FEAT list before AUTH TLS): look there again.
    if (other.state === 'dead') {
      other.state = 'scan';
      other.scannedSegments = 0;
    }
    this.tls ??= this.hooks.makeTlsDecoder(this.session!);
    this.tls.push(this.side(dir), data, frame, timeNs);
  }

  private feedHead(dir: 0 | 1, data: Uint8Array, frame: number, timeNs: bigint): void {
    const t = this.dirs[dir];
    const s = this.session!;
    t.headFrames.push(frame);
    t.headBytes.push(data.slice(0, MAX_HEAD_RAW));
    const r = t.head!.push(data);
    if (!r.done) return;
    if ('error' in r) {
      this.hooks.warning(s, `${this.side(dir)}: ${r.error}`);
      t.state = 'dead';
      t.head = null;
      return;
    }
    const head = r.head;
    const raw = concatBytes(...t.headBytes).subarray(0, Math.min(head.headLength, MAX_HEAD_RAW));
    t.headBytes = [];
    const side = this.side(dir);
    const msg: TlsMessage = {
      type: side === 'client' ? 'connect_request' : 'connect_response',
      from: side,
      frame,
      frames: t.headFrames,
      timeNs,
      length: head.headLength,
      raw,
    };
    t.head = null;
    t.headFrames = [];
    if (side === 'client') {
      s.proxy = {
        target: head.target ?? '',
        status: null,
        reason: null,
        requestHeaders: head.headers,
        responseHeaders: [],
      };
      // The proxy's answer comes next; the client's TLS follows the request.
      const other = this.dirs[dir ^ 1 as 0 | 1];
      if (other.state === 'scan' || other.state === 'dead') {
        other.state = 'http';
        other.head = new HttpHeadParser();
        other.headFrames = [];
        other.headBytes = [];
      }
      t.state = 'scan';
      t.scannedSegments = 0;
      t.afterConnect = true;
    } else {
      if (s.proxy) {
        s.proxy.status = head.status ?? null;
        s.proxy.reason = head.reason ?? null;
        s.proxy.responseHeaders = head.headers;
      }
      t.state = 'scan';
      t.scannedSegments = 0;
      t.afterConnect = true;
    }
    this.hooks.message(s, { message: msg });
    if (r.rest && r.rest.length > 0) this.data(dir, r.rest, frame, timeNs);
  }

  private decideClient(dir: 0 | 1, by: Session['clientBy']): void {
    if (this.clientDir !== null) return;
    this.clientDir = dir;
    this.clientBy = by;
  }

  private clientBy: Session['clientBy'] = 'syn';

  /** Neither a SYN nor a hello: the lower port is the server's (ties: the first sender is the client). */
  private decideByPort(): void {
    const { a, b } = this.conn;
    this.decideClient(b.port < a.port ? 0 : a.port < b.port ? 1 : 0, 'port');
  }

  private ensureSession(): void {
    if (this.session) return;
    if (this.clientDir === null) this.decideByPort();
    this.session = this.hooks.openSession(this.conn, this.clientDir!, this.conn.synSeen ? 'syn' : this.clientBy);
  }
}

/**
 * A direction's head lists before it reads an HTTP head (most never do): one
 * shared, frozen pair, replaced by fresh lists whenever the state becomes `http`.
 */
const NO_HEAD_FRAMES = Object.freeze([]) as readonly number[] as number[];
const NO_HEAD_BYTES = Object.freeze([]) as readonly Uint8Array[] as Uint8Array[];

function newTrack(): DirectionTrack {
  return {
    state: 'scan', scannedSegments: 0, offset: 0, pending: null, head: null, headFrames: NO_HEAD_FRAMES, headBytes: NO_HEAD_BYTES, afterConnect: false,
  };
}

/** Which hello a stream start carries: a TLS handshake record with ClientHello/ServerHello, or an SSLv2 ClientHello. */
function helloType(d: Uint8Array): Side | null {
  if (d.length >= 6 && d[0] === 22 && d[1] === 3) {
    if (d[5] === 1) return 'client';
    if (d[5] === 2) return 'server';
    return null;
  }
  // SSLv2 record header (2-byte length with the high bit set) + msg_type 1 (CLIENT-HELLO)
  if (d.length >= 3 && (d[0]! & 0x80) !== 0 && d[2] === 1) return 'client';
  return null;
}
