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
import type { Packet } from '../capture/packet';
import { PacketDecoder } from '../net/packet-decoder';
import { TcpConnectionTable, type TcpConnection } from '../net/tcp-connection-table';
import { TlsConnectionDecoder, looksLikeTls, type DecodedMessage } from '../tls/tls-connection-decoder';
import type { AnalyzerEvents } from './analyzer-events';
import type { Session, Side } from './model';
import { ConnectionTracker } from './connection-tracker';
import { applyDecodedMessage, finishSession } from './session-facts';
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
   * TLS secrets (decryption): connections they cover are decrypted. The log
   * may grow while packets are pushed (pcapng DSBs): a connection uses what
   * it holds at its ClientHello. Without one, nothing is decrypted and the
   * decoding path is unchanged.
   */
  keyLog?: KeyLog;
}

/** The `raw` of every message when the analyzer keeps no raw bytes. */
const NO_RAW_BYTES = new Uint8Array(0);

export class SessionAnalyzer {
  private readonly decoder = new PacketDecoder();
  private readonly tcp: TcpConnectionTable;
  private readonly trackers = new Map<number, ConnectionTracker>();
  private readonly events: AnalyzerEvents;
  private readonly keepRawBytes: boolean;
  private keyLog: KeyLog | undefined;
  /** TLS <= 1.2 master secrets by session ID / ticket, across this analysis's connections (made with the key log). */
  private resumption: ResumptionSecrets | undefined;
  private readonly opened: Session[] = [];
  private nextSessionId = 0;
  packets = 0;

  constructor(options: AnalyzerOptions = {}) {
    this.events = options.events ?? {};
    this.keepRawBytes = options.keepRawBytes ?? true;
    this.keyLog = options.keyLog;
    if (this.keyLog) this.resumption = new ResumptionSecrets();
    this.tcp = new TcpConnectionTable({
      onOpen: (c) => {
        this.trackers.set(c.id, new ConnectionTracker(c, this.hooks));
      },
      onData: (c, dir, data, frame, timeNs) => {
        this.trackers.get(c.id)?.data(dir, data, frame, timeNs);
      },
      onGap: (c, dir, missing, frame, timeNs) => {
        this.trackers.get(c.id)?.gap(dir, missing, frame, timeNs);
      },
      onClose: (c, how, frame, timeNs) => {
        const t = this.trackers.get(c.id);
        if (!t) return;
        t.close(how, frame, timeNs);
        // A closed connection gets nothing more: drop its decoders, so memory
        // holds the sessions, not every connection's parsing state.
        t.finish();
        this.trackers.delete(c.id);
      },
    });
  }

  /** What a connection tracker calls back into. */
  private readonly hooks = {
    openSession: (conn: TcpConnection, clientDir: 0 | 1, clientBy: Session['clientBy']): Session => {
      const s = newSession(this.nextSessionId++, conn, clientDir, clientBy);
      this.opened.push(s);
      this.events.sessionOpened?.(s);
      return s;
    },
    message: (s: Session, d: DecodedMessage): void => {
      s.messages.push(d.message);
      if (d.message.timeNs > s.lastTimeNs) s.lastTimeNs = d.message.timeNs;
      const changed = applyDecodedMessage(s, d);
      this.events.messageDecoded?.(s, d.message);
      if (changed) this.events.sessionUpdated?.(s);
      // Without raw bytes, `raw` was a view of the input, valid only until now.
      if (!this.keepRawBytes) d.message.raw = NO_RAW_BYTES;
    },
    warning: (s: Session, text: string): void => {
      if (s.warnings.length < 100) s.warnings.push(text);
      else if (s.warnings.length === 100) s.warnings.push('more warnings suppressed');
      this.events.sessionUpdated?.(s);
    },
    closed: (s: Session): void => {
      this.events.sessionClosed?.(s);
    },
    makeTlsDecoder: (s: Session, onMessage: (d: DecodedMessage) => void): TlsConnectionDecoder =>
      new TlsConnectionDecoder(
        {
          onMessage,
          onWarning: (side: Side, text: string) => this.hooks.warning(s, `${side}: ${text}`),
        },
        this.keyLog ? { copyRaw: this.keepRawBytes, keyLog: this.keyLog, resumption: this.resumption } : { copyRaw: this.keepRawBytes },
      ),
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
    this.packets++;
    const seg = this.decoder.decode(p);
    if (seg) this.tcp.push(seg, p.frame, p.timestampNs);
  }

  /** The input ended: flush reassembly gaps, settle every session. */
  finish(): void {
    this.tcp.finish();
    for (const t of this.trackers.values()) t.finish();
    for (const s of this.opened) finishSession(s);
  }

  /** Sessions in the order of their connection's first packet. */
  get sessions(): Session[] {
    return [...this.opened].sort((a, b) => a.firstFrame - b.firstFrame || a.id - b.id);
  }
}

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
  };
}
