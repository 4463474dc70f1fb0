/**
 * The engine: packets in, sessions out, incrementally.
 *
 *   Packet ─► PacketDecoder (link → IP → TCP) ─► TcpConnectionTable (reassembly)
 *          ─► per connection: HTTP CONNECT head parsing, then TlsConnectionDecoder
 *          ─► Session (model.ts) + AnalyzerEvents
 *
 * A file is pushed as fast as it reads; a live capture as packets arrive: one
 * code path. TLS is found by content on any port: a direction is watched from
 * its first byte (and, for STARTTLS-style protocols, at the start of each of its
 * first segments) for a TLS record header or an HTTP CONNECT.
 */
import { CapturedPacket } from '../capture/captured-packet';
import type { Packet } from '../capture/packet';
import { PacketDecoder } from '../net/packet-decoder';
import { TcpFlowPeek } from '../net/tcp-flow-peek';
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_TOTAL_BUFFERED_BYTES,
  TcpConnectionTable,
  flowHash,
  type TcpConnection,
  type TcpListener,
} from '../net/tcp-connection-table';
import { TlsConnectionDecoder, looksLikeTls, type DecodedMessage, type TlsConnectionEvents } from '../tls/tls-connection-decoder';
import type { AnalyzerEvents } from './analyzer-events';
import type { Session, SessionMessageJson, Side, TlsMessage } from './model';
import { ConnectionTracker, type TrackerHooks } from './connection-tracker';
import { applyDecodedMessage, finishSession, nextTicketSign } from './session-facts';
import { isSlimHello, slimClientHello, slimServerHello } from './slim-hellos';
import type { KeyLog } from '../tls/decrypt/keylog';
import { ResumptionSecrets } from '../tls/decrypt/resumption-secrets';

export interface AnalyzerOptions {
  events?: AnalyzerEvents;
  /**
   * Whether messages keep their raw bytes (default true: the hex view, replay
   * and diff need them). A consumer that never reads them (the CLI's analysis)
   * sets false: every message's `raw` is then empty once decoded, and no record
   * is copied for it, which saves most of the engine's allocation.
   */
  keepRawBytes?: boolean;
  /**
   * Whether a session keeps its hellos' details (default true: the session
   * view, diff and replay read them). A consumer that only reads the
   * session's own facts (the CLI's analysis) sets false: `clientHello` and
   * `serverHello` are then slim (see slim-hellos.ts) once the session took its
   * facts from them, and the details die young.
   */
  keepHelloDetails?: boolean;
  /**
   * TLS secrets (decryption): connections they cover are decrypted. The log
   * may grow while packets are pushed (pcapng DSBs): a connection uses what
   * it holds at its ClientHello, unless the log is live (`KeyLog.live`, the
   * live proxy's: secrets looked up when first needed). Without one, nothing
   * is decrypted and the decoding path is unchanged.
   */
  keyLog?: KeyLog;
  /**
   * Streaming (the CLI's JSON): each session is handed over once nothing about
   * it can change (its connection closed, and every session before it in
   * document order handed over already), in document order, and then
   * forgotten: `sessions` stays empty. A capture of many handshakes then keeps
   * only the open ones in memory. `finish` hands over the rest.
   */
  onSessionFinal?: (s: Session) => void;
  /**
   * Streaming: take a session as final as soon as both sides' FINs arrived
   * with every byte before them (not after the TCP table's linger), so that
   * its objects die young. A peer that sends data past its FIN breaks that
   * bet: `handedOverTooEarly` then says so, and the caller reads the input
   * again without it. (Without it, the linger keeps every session alive some
   * seconds of capture time longer: a fifth of the CLI's work.)
   */
  handOverAtFin?: boolean;
  /**
   * Analyze only the TCP connections whose endpoint-pair hash falls in shard
   * `index` of `count` (every packet is still read and numbered): several
   * analyzers, one a thread, share a large file. Connections are independent
   * but for what the table bounds across all of them (see `tcpPeaks`) and
   * for TLS resumption secrets (so no sharding with a key log).
   */
  shard?: { index: number; count: number };
  /**
   * Streaming (the CLI's JSON): each message is written as contract JSON as
   * it comes (`Session.messageJson`) instead of kept in `messages`, so that no
   * message object lives as long as its session. Not for sessions opened with
   * a key log (decryption marks held 0-RTT messages after they came).
   */
  messageJson?: MessageJsonSink;
}

/** Where `AnalyzerOptions.messageJson` writes each session's messages. */
export interface MessageJsonSink {
  /** An empty text for a new session (the consumer may pool them: it gets each back with its session). */
  open(): SessionMessageJson;
  /** `m`, the session's next message, written into `j` (`m` is read during the call only). */
  message(j: SessionMessageJson, m: TlsMessage): void;
}

export interface TcpTablePeaks {
  connections: number;
  bufferedBytes: number;
  maxConnections: number;
  maxBufferedBytes: number;
}

/** Decoders kept for reuse at most (as many as connections were open at once, usually far fewer). */
const MAX_FREE_DECODERS = 256;

/** The `raw` of every message when the analyzer keeps no raw bytes. */
const NO_RAW_BYTES = new Uint8Array(0);

export class SessionAnalyzer {
  private readonly decoder = new PacketDecoder();
  private readonly tcp: TcpConnectionTable;
  /**
   * Open connections' trackers by connection id; null for a connection whose
   * session was handed over at its FINs (handOverAtFin) until the table closes
   * it: bytes it still gets then say the hand-over was too early. (A null
   * entry rather than a WeakSet of such connections: no weak table for the
   * garbage collector to process, no second lookup structure per connection.)
   */
  private readonly trackers = new Map<number, ConnectionTracker | null>();
  private readonly events: AnalyzerEvents;
  private readonly keepRawBytes: boolean;
  private readonly keepHelloDetails: boolean;
  /** The TLS decoders' options without a key log: one object for all of them. */
  private readonly plainDecoderOptions: { copyRaw: boolean; keepRecordBytes: boolean; reuseMessages: boolean; helloDetails: boolean };
  private keyLog: KeyLog | undefined;
  /** TLS <= 1.2 master secrets by session ID / ticket, across this analysis's connections (made with the key log). */
  private resumption: ResumptionSecrets | undefined;
  private readonly opened: Session[] = [];
  private nextSessionId = 0;
  private readonly onSessionFinal: ((s: Session) => void) | undefined;
  private readonly messageJson: MessageJsonSink | undefined;
  /** Decoders of finished connections (plain options only: `renew` refuses key-log ones), for the next (see `releaseTlsDecoder`). */
  private readonly freeDecoders: TlsConnectionDecoder[] = [];
  /**
   * Streaming: every connection's tracker in order of its first packet (=
   * document order), from the first not yet handed over (`orderHead`).
   */
  private order: (ConnectionTracker | null)[] = [];
  private orderHead = 0;
  /** A connection closed since the last hand-over. */
  private closedSinceFlush = false;
  private readonly handOverAtFin: boolean;
  /** A connection handed over at its FINs got more bytes after all. */
  handedOverTooEarly = false;
  private readonly shardIndex: number;
  private readonly shardCount: number;
  private readonly peek = new TcpFlowPeek();
  packets = 0;
  /**
   * Where the TCP table's events go: a caller that runs a TCP table of its
   * own elsewhere (another thread: electron/cli/analyze-pipelined.ts) replays
   * that table's events here instead of pushing packets, calling
   * `beforePacket` where `push` would have begun each packet.
   */
  readonly tcpEvents: TcpListener;

  constructor(options: AnalyzerOptions = {}) {
    this.events = options.events ?? {};
    this.keepRawBytes = options.keepRawBytes ?? true;
    this.keepHelloDetails = options.keepHelloDetails ?? true;
    // Without raw bytes, and with no event that could look at a message before its
    // bytes are dropped, record messages never get theirs (no view of the input each).
    this.keyLog = options.keyLog;
    this.onSessionFinal = options.onSessionFinal;
    this.messageJson = options.messageJson;
    this.plainDecoderOptions = {
      copyRaw: this.keepRawBytes,
      keepRecordBytes: this.keepRawBytes || this.events.messageDecoded !== undefined,
      // Messages written as JSON as they come, and no event to hand them to: nothing keeps a
      // message, so one object serves them all. (Every session that a decoder with
      // these options reports into has its `messageJson`: sessions opened with a key log,
      // and those that found one before their decoder, get the key log's options.)
      reuseMessages: this.messageJson !== undefined && !this.keepRawBytes && this.events.messageDecoded === undefined,
      // Hellos the session slims anyway may come slim (recognised by their shape, not parsed).
      helloDetails: this.keepHelloDetails,
    };
    this.handOverAtFin = this.onSessionFinal !== undefined && options.handOverAtFin === true;
    this.shardIndex = options.shard?.index ?? 0;
    this.shardCount = options.shard?.count ?? 1;
    if (this.keyLog) this.resumption = new ResumptionSecrets();
    this.tcp = new TcpConnectionTable((this.tcpEvents = {
      onOpen: (c) => {
        const t = new ConnectionTracker(c, this.hooks);
        this.trackers.set(c.id, t);
        if (this.onSessionFinal) this.order.push(t);
      },
      onData: (c, dir, data, frame, timeNs) => {
        const t = this.trackers.get(c.id);
        if (t) t.data(dir, data, frame, timeNs);
        else if (t === null) this.handedOverTooEarly = true;
      },
      // The table's usual way in: a window of the packet's bytes, no view per segment.
      onBytes: (c, dir, bytes, start, end, frame, timeNs) => {
        const t = this.trackers.get(c.id);
        if (t) t.bytes(dir, bytes, start, end, frame, timeNs);
        else if (t === null) this.handedOverTooEarly = true;
      },
      onGap: (c, dir, missing, frame, timeNs) => {
        const t = this.trackers.get(c.id);
        if (t) t.gap(dir, missing, frame, timeNs);
        else if (t === null) this.handedOverTooEarly = true;
      },
      onDrained: (c, frame, timeNs) => {
        if (!this.handOverAtFin) return;
        const t = this.trackers.get(c.id);
        if (!t) return;
        // As onClose, at the second FIN rather than after the linger.
        t.close('fin', frame, timeNs);
        t.finish();
        this.trackers.set(c.id, null);
        this.closedSinceFlush = true;
      },
      onClose: (c, how, frame, timeNs) => {
        const t = this.trackers.get(c.id);
        if (!t) {
          if (t === null) this.trackers.delete(c.id); // handed over at its FINs: nothing more can come
          return;
        }
        t.close(how, frame, timeNs);
        // A closed connection gets nothing more: drop its decoders, so memory
        // holds the sessions, not every connection's parsing state.
        t.finish();
        this.trackers.delete(c.id);
        // Handed over at the next packet, once that packet's comments (tunnel links) have been read.
        this.closedSinceFlush = true;
      },
    }));
  }

  /** What a connection tracker calls back into. */
  private readonly hooks = {
    openSession: (conn: TcpConnection, clientDir: 0 | 1, clientBy: Session['clientBy']): Session => {
      const json = this.messageJson !== undefined && this.keyLog === undefined ? this.messageJson.open() : undefined;
      const s = newSession(this.nextSessionId++, conn, clientDir, clientBy);
      // Stored after the literal, even when undefined: V8 then takes the field for a mutable
      // one from the first session on, and the writer's release (which clears it) does not
      // deoptimize the code that read it (this hook's, the decoder's).
      s.messageJson = json;
      if (!this.onSessionFinal) this.opened.push(s);
      this.events.sessionOpened?.(s);
      return s;
    },
    message: (s: Session, d: DecodedMessage): void => {
      const j = s.messageJson;
      // Only a key log closes a session's message text (makeTlsDecoder): without one, `closed`
      // is not read at all (the JSON writer's release resets it, which would otherwise cost
      // this hook, inlined into the decoder, a deoptimization).
      if (j === undefined || (this.keyLog !== undefined && j.closed)) s.messages.push(d.message);
      else {
        j.ticketSign = nextTicketSign(j.ticketSign, d.message);
        this.messageJson!.message(j, d.message);
      }
      if (d.message.timeNs > s.lastTimeNs) s.lastTimeNs = d.message.timeNs;
      const changed = applyDecodedMessage(s, d);
      this.events.messageDecoded?.(s, d.message);
      if (changed) this.events.sessionUpdated?.(s);
      // Without raw bytes, `raw` was a view of the input, valid only until now.
      if (!this.keepRawBytes) d.message.raw = NO_RAW_BYTES;
      if (!this.keepHelloDetails) {
        const ch = d.clientHello;
        if (ch !== undefined && s.clientHello === ch && !isSlimHello(ch)) s.clientHello = slimClientHello(ch);
        const sh = d.serverHello;
        if (sh !== undefined && s.serverHello === sh && !isSlimHello(sh)) s.serverHello = slimServerHello(sh);
      }
    },
    warning: (s: Session, text: string): void => {
      if (s.warnings.length < 100) s.warnings.push(text);
      else if (s.warnings.length === 100) s.warnings.push('more warnings suppressed');
      this.events.sessionUpdated?.(s);
    },
    closed: (s: Session): void => {
      this.events.sessionClosed?.(s);
    },
    makeTlsDecoder: (s: Session): TlsConnectionDecoder => {
      // A key log that came after the session's first messages (a pcapng DSB): the rest are kept as objects.
      if (this.keyLog && s.messageJson) s.messageJson.closed = true;
      if (!this.keyLog) {
        const pooled = this.freeDecoders.pop();
        if (pooled !== undefined && pooled.renew(new SessionTlsEvents(this.hooks, s))) return pooled;
      }
      return new TlsConnectionDecoder(
        new SessionTlsEvents(this.hooks, s),
        this.keyLog ? { copyRaw: this.keepRawBytes, keyLog: this.keyLog, resumption: this.resumption } : this.plainDecoderOptions,
      );
    },
    releaseTlsDecoder: (d: TlsConnectionDecoder): void => {
      // Streaming JSON (the CLI): a finished connection's decoder serves the next one.
      if (this.messageJson !== undefined && this.freeDecoders.length < MAX_FREE_DECODERS) this.freeDecoders.push(d);
    },
    looksLikeTls,
  };


  /**
   * Decrypt with `keyLog` from here on: TLS connections that start after this
   * call use it (a pcapng DSB read when the analyzer began without secrets).
   */
  useKeyLog(keyLog: KeyLog): void {
    this.keyLog = keyLog;
    this.resumption ??= new ResumptionSecrets();
  }

  push(p: Packet): void {
    if (this.closedSinceFlush) this.handOverFinal();
    this.packets++;
    if (this.shardCount === 1) {
      const seg = this.decoder.decode(p);
      if (seg) this.tcp.push(seg, p.frame, p.timestampNs);
      return;
    }
    // Another shard's packet is passed over without decoding it when its headers say so at a glance.
    const peeked =
      p instanceof CapturedPacket ? this.peek.flowHash(p.bytes, p.linkType, p.start, p.end) : this.peek.flowHash(p.data, p.linkType);
    if (peeked !== -1 && !this.inShard(peeked)) return;
    const seg = this.decoder.decode(p);
    if (seg && this.inShard(flowHash(seg))) this.tcp.push(seg, p.frame, p.timestampNs);
  }

  /** Replaying `tcpEvents`: what `push` does first, before the next packet's events. */
  beforePacket(): void {
    if (this.closedSinceFlush) this.handOverFinal();
  }

  private inShard(hash: number): boolean {
    return (hash >>> 0) % this.shardCount === this.shardIndex;
  }

  /**
   * The most connections (closed ones included) and out-of-order bytes the
   * TCP table held at once, with its limits: when the peaks of the shards of
   * a file add up to no more than the limits, one analyzer would have held no
   * more either, so the shards saw what it would have (no eviction or forced
   * flush that sharding changed).
   */
  get tcpPeaks(): TcpTablePeaks {
    return {
      connections: this.tcp.peakSize,
      bufferedBytes: this.tcp.peakBufferedBytes,
      maxConnections: DEFAULT_MAX_CONNECTIONS,
      maxBufferedBytes: DEFAULT_MAX_TOTAL_BUFFERED_BYTES,
    };
  }

  /** The input ended: flush reassembly gaps, settle every session. */
  finish(): void {
    this.tcp.finish();
    for (const t of this.trackers.values()) t?.finish();
    for (const s of this.opened) finishSession(s);
    if (this.onSessionFinal) this.handOverFinal();
  }

  /**
   * Streaming: hand over, in document order, the sessions of the finished
   * connections that no unfinished connection precedes (a connection still
   * open may yet turn out to carry TLS, and its session would come first).
   */
  private handOverFinal(): void {
    this.closedSinceFlush = false;
    const order = this.order;
    let i = this.orderHead;
    for (; i < order.length; i++) {
      const t = order[i]!;
      if (!t.finished) break;
      // Forgotten at once: a tracker left here until the list is trimmed would keep its
      // session and messages alive through the next scavenges (promoted, for nothing).
      order[i] = null;
      const s = t.sessionOrNull;
      if (s) {
        finishSession(s);
        this.onSessionFinal!(s);
      }
    }
    this.orderHead = i;
    if (i > 1024 && i * 2 > order.length) {
      this.order = order.slice(i);
      this.orderHead = 0;
    }
  }

  /** Sessions in the order of their connection's first packet (none when streaming: see `onSessionFinal`). */
  get sessions(): Session[] {
    return [...this.opened].sort((a, b) => a.firstFrame - b.firstFrame || a.id - b.id);
  }
}

/** A connection's TLS decoder reports into its session: one small object, not two closures, per connection. */
class SessionTlsEvents implements TlsConnectionEvents {
  constructor(
    private readonly hooks: Pick<TrackerHooks, 'message' | 'warning'>,
    private readonly s: Session,
  ) {}

  onMessage(d: DecodedMessage): void {
    this.hooks.message(this.s, d);
  }

  onWarning(side: Side, text: string): void {
    this.hooks.warning(this.s, `${side}: ${text}`);
  }
}

/** `messageJson` is in the literal (undefined): every session has one object shape, no field added later. */
function newSession(id: number, conn: TcpConnection, clientDir: 0 | 1, clientBy: Session['clientBy']): Session {
  const client = clientDir === 0 ? conn.a : conn.b;
  const server = clientDir === 0 ? conn.b : conn.a;
  return {
    id,
    client: { ip: client.ip, port: client.port },
    server: { ip: server.ip, port: server.port },
    clientBy,
    startTimeNs: conn.startTimeNs,
    lastTimeNs: conn.startTimeNs,
    firstFrame: conn.firstFrame,
    proxy: null,
    sni: null,
    alpnOffered: [],
    alpn: null,
    version: null,
    cipherSuite: null,
    cipherSuiteName: null,
    resumed: false,
    ja3: null,
    ja3Hash: null,
    ja3s: null,
    ja3sHash: null,
    ja4: null,
    clientHello: null,
    serverHello: null,
    serverKeyExchange: null,
    messages: [],
    certificates: [],
    clientCertificates: [],
    warnings: [],
    state: 'open',
    bytes: { client: 0, server: 0 },
    messageJson: undefined,
  };
}
