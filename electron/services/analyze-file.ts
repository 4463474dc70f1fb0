/**
 * Analyze a capture file (or standard input): stream it through the engine
 * and return the sessions and the contract document. Used by `tlswb analyze`
 * and by the API's openFile.
 */
import { SessionAnalyzer, type MessageJsonSink, type TcpTablePeaks } from '../core/session/analyzer';
import type { AnalyzerEvents } from '../core/session/analyzer-events';
import { toContractDocument, type ContractDocument, type FileDamage } from '../core/session/contract-json';
import type { Session } from '../core/session/model';
import type { KeyLog } from '../core/tls/decrypt/keylog';
import { analyzeWithSecrets } from './analyze-with-secrets';
import { parseTunnelComment, type TunnelLink } from '../core/session/tunnel-link';

export interface AnalyzeOptions {
  events?: AnalyzerEvents;
  /** Name shown in the document (`file.name`); defaults to the path as given. */
  displayName?: string;
  /** Whether messages keep their raw bytes (default true); see `AnalyzerOptions.keepRawBytes`. */
  keepRawBytes?: boolean;
  /** Whether sessions keep their hellos' details (default true); see `AnalyzerOptions.keepHelloDetails`. */
  keepHelloDetails?: boolean;
  /** TLS secrets to decrypt with (merged with the DSBs a pcapng carries; see analyze-with-secrets.ts). */
  keyLog?: KeyLog;
  /**
   * Streaming: each session goes to `session` once nothing about it can
   * change, in document order, and is not kept (the result's `sessions` is
   * empty; see `AnalyzerOptions.onSessionFinal`). `start` is called before
   * each read of the file: a late pcapng DSB makes a second one, which
   * replaces what the first handed over.
   */
  stream?: SessionStream;
  /** Only this shard of the TCP connections (see `AnalyzerOptions.shard`). */
  shard?: { index: number; count: number };
  /** Streaming: messages written as JSON as they come, not kept (see `AnalyzerOptions.messageJson`). */
  messageJson?: MessageJsonSink;
}

export interface SessionStream {
  start(): void;
  session(s: Session): void;
}

export interface AnalysisResult {
  /** The contract document (built on first access). */
  readonly document: ContractDocument;
  /** `file.name` of the document. */
  displayName: string;
  sessions: Session[];
  packets: number;
  linkTypes: number[];
  damaged: FileDamage | null;
  /** Secrets the file's pcapng DSBs carried (0 for none). */
  secretsInFile: number;
  /** What the TCP table held at most (for sharding: see `SessionAnalyzer.tcpPeaks`). */
  tcpPeaks: TcpTablePeaks;
}

/** Throws CaptureFileError (from capture-file.ts) when nothing could be read. */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  // A stream takes sessions as final at their FINs; should a peer send more after
  // them, the file is read again without that (standard input cannot be).
  const first = await analyzeOnce(path, options, options.stream !== undefined && path !== '-');
  return first.handedOverTooEarly ? analyzeOnce(path, options, false) : first;
}

async function analyzeOnce(
  path: string,
  options: AnalyzeOptions,
  handOverAtFin: boolean,
): Promise<AnalysisResult & { handedOverTooEarly: boolean }> {
  let tunnelLinks = new Map<number, TunnelLink>();
  const { analyzer, read, secretsInFile } = await analyzeWithSecrets(
    path,
    (keyLog) => {
      const stream = options.stream;
      stream?.start();
      return new SessionAnalyzer({
        events: options.events,
        keepRawBytes: options.keepRawBytes,
        keepHelloDetails: options.keepHelloDetails,
        keyLog,
        ...(options.shard ? { shard: options.shard } : {}),
        ...(options.messageJson ? { messageJson: options.messageJson } : {}),
        ...(stream ? { onSessionFinal: (s: Session) => stream.session(withTunnelLink(s, tunnelLinks)), handOverAtFin } : {}),
      });
    },
    {
      keyLog: options.keyLog,
      handlers: () => {
        tunnelLinks = new Map();
        return {
          // tlswb proxy captures mark the first packet of each tunnel leg (tunnel-link.ts).
          onComment: (text, frame) => {
            const link = frame !== null ? parseTunnelComment(text) : null;
            if (link && frame !== null && tunnelLinks.size < 1_000_000) tunnelLinks.set(frame, link);
          },
        };
      },
    },
  );
  const sessions = analyzer.sessions;
  if (tunnelLinks.size) for (const s of sessions) withTunnelLink(s, tunnelLinks);
  const name = options.displayName ?? (path === '-' ? '-' : path);
  // Built on first use: a consumer that writes JSON itself (the CLI) never pays for it.
  let document: ContractDocument | null = null;
  return {
    get document(): ContractDocument {
      document ??= toContractDocument(name, read, sessions);
      return document;
    },
    displayName: name,
    sessions,
    packets: read.packets,
    linkTypes: read.linkTypes,
    damaged: read.damaged,
    secretsInFile,
    tcpPeaks: analyzer.tcpPeaks,
    handedOverTooEarly: analyzer.handedOverTooEarly,
  };
}

/** `s`, marked as a tunnel leg when a packet comment said so (tunnel-link.ts). */
function withTunnelLink(s: Session, tunnelLinks: ReadonlyMap<number, TunnelLink>): Session {
  const link = tunnelLinks.size ? tunnelLinks.get(s.firstFrame) : undefined;
  if (link) s.tunnel = link;
  return s;
}
