/**
 * The live-capture part of the API contract (issue 4's desktop part): the
 * interfaces to choose from, starting and stopping a capture, and the status
 * pushed as `captureStats` while it runs. Plain data, JSON-safe.
 */
import { z } from 'zod';

/** Start a live capture: an interface (`listInterfaces`) and a BPF filter (pcap-filter(7)). */
export const CaptureStartRequestSchema = z.object({
  /** An interface name as listed: one path component, no NUL. */
  interface: z.string().min(1).max(64).regex(/^[^/\0\s]+$/, 'an interface name'),
  /** Default 'tcp'; '' captures everything. */
  filter: z.string().max(2048).refine((f) => !f.includes('\0'), 'filter contains NUL').optional(),
}).strict();
export type CaptureStartRequest = z.output<typeof CaptureStartRequestSchema>;

export interface CaptureInterfaceDto {
  name: string;
  description: string | null;
  /** IPv4 and IPv6 addresses, as text. */
  addresses: string[];
  loopback: boolean;
  /** null where it cannot be known (pseudo-devices such as `any`). */
  up: boolean | null;
}

/** Counters of the running (or last) capture; null: the capture library cannot say (native/README.md, "Statistics"). */
export interface CaptureStatsDto {
  /** Packets the engine has analyzed. */
  packets: number;
  /** Packets the helper took from libpcap, and their bytes. */
  received: number;
  bytes: number;
  droppedByKernel: number | null;
  droppedByInterface: number | null;
  /** Packets the helper could not write to the spool (disk full). */
  droppedByHelper: number;
  sessions: number;
  /** Bytes of spool the analysis has not read yet (it lags under a flood, never the capture). */
  behindBytes: number;
}

export interface CaptureStatus {
  running: boolean;
  interface: string | null;
  filter: string | null;
  /** The spool pcapng (what Save As copies once stopped). */
  spoolFile: string | null;
  stats: CaptureStatsDto | null;
  /** Why the capture could not start or ended early (permission, bad filter, helper killed, ...). */
  error: string | null;
}
