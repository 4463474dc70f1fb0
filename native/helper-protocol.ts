/**
 * What the capture helper tells its parent (the packets themselves go to the
 * spool file it writes): one line per message on stderr, `TLSWB ` + JSON.
 * Other stderr lines (libpcap's own warnings) are diagnostics, passed on as
 * they are.
 */
import type { CaptureErrorKind } from './capture-errors';

export const HELPER_LINE_PREFIX = 'TLSWB ';

/**
 * Capture statistics, cumulative since the capture started. A counter is null
 * when it cannot be known: cap 0.2.1 does not expose pcap_stats (see
 * native/README.md, "Statistics").
 */
export interface CaptureStatistics {
  /** Packets the helper received from libpcap (after the BPF filter). */
  received: number;
  /** Bytes of those packets, as captured. */
  bytes: number;
  /** pcap_stats ps_drop (kernel buffer full); null when unknown. */
  droppedByKernel: number | null;
  /** pcap_stats ps_ifdrop (interface/driver); null when unknown. */
  droppedByInterface: number | null;
  /**
   * Packets the helper received but could not write to the spool (disk full, I/O error). It never
   * waits on its parent, so a slow parent costs nothing here: the parent lags behind in the file.
   */
  droppedByHelper: number;
  /** Packets written to the spool file. */
  written: number;
  /** Bytes of the spool file (complete blocks). */
  spoolBytes: number;
}

export type HelperMessage =
  | {
    type: 'ready'; interface: string; linkType: number; linkTypeName: string; snaplen: number; startedAtNs: string;
    /** The spool file the helper writes (its SHB and IDB are in it already). */
    spoolPath: string;
  }
  | ({ type: 'stats' } & CaptureStatistics)
  | { type: 'error'; kind: CaptureErrorKind; message: string }
  | ({ type: 'stopped'; reason: string } & CaptureStatistics);

export function formatHelperMessage(message: HelperMessage): string {
  return `${HELPER_LINE_PREFIX}${JSON.stringify(message)}\n`;
}

/** The message on one stderr line, or null when the line is not one (a diagnostic). */
export function parseHelperMessage(line: string): HelperMessage | null {
  if (!line.startsWith(HELPER_LINE_PREFIX)) return null;
  try {
    const value = JSON.parse(line.slice(HELPER_LINE_PREFIX.length)) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const type = (value as { type?: unknown }).type;
    if (type === 'ready' || type === 'stats' || type === 'error' || type === 'stopped') return value as HelperMessage;
    return null;
  } catch {
    return null;
  }
}
