/**
 * Analyze a capture file (or standard input): stream it through the engine
 * and return the sessions and the contract document. Used by `tlswb analyze`
 * and by the API's openFile.
 */
import { SessionAnalyzer } from '../core/session/analyzer';
import type { AnalyzerEvents } from '../core/session/analyzer-events';
import { toContractDocument, type ContractDocument, type FileDamage } from '../core/session/contract-json';
import type { Session } from '../core/session/model';
import { readCaptureFile } from './capture-file';
import { parseTunnelComment, type TunnelLink } from '../core/session/tunnel-link';

export interface AnalyzeOptions {
  events?: AnalyzerEvents;
  /** Name shown in the document (`file.name`); defaults to the path as given. */
  displayName?: string;
  /** Whether messages keep their raw bytes (default true); see `AnalyzerOptions.keepRawBytes`. */
  keepRawBytes?: boolean;
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
}

/** Throws CaptureFileError (from capture-file.ts) when nothing could be read. */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const analyzer = new SessionAnalyzer({ events: options.events, keepRawBytes: options.keepRawBytes });
  const tunnelLinks = new Map<number, TunnelLink>();
  const read = await readCaptureFile(path, {
    onPacket: (p) => analyzer.push(p),
    // tlswb proxy captures mark the first packet of each tunnel leg (tunnel-link.ts).
    onComment: (text, frame) => {
      const link = frame !== null ? parseTunnelComment(text) : null;
      if (link && frame !== null && tunnelLinks.size < 1_000_000) tunnelLinks.set(frame, link);
    },
  });
  analyzer.finish();
  const sessions = analyzer.sessions;
  if (tunnelLinks.size) {
    for (const s of sessions) {
      const link = tunnelLinks.get(s.firstFrame);
      if (link) s.tunnel = link;
    }
  }
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
  };
}

