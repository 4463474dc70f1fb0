/**
 * The capture toolbar's commands: the interfaces, start and stop a live
 * capture (services/live-capture). While it runs, its sessions are the open
 * capture's (the workbench's live source), streaming into the same session
 * list and timelines as a file's; its spool file is what Save As copies once
 * stopped. Status with the counters goes out as `captureStats`, at most every
 * PUSH_INTERVAL_MS while packets flow.
 */
import type { AnalyzerEvents } from '../core/session/analyzer-events';
import type { CaptureInterfaceInfo } from '../services/capture-interfaces';
import type { LiveCapture, LiveCaptureOptions, LiveCaptureStats } from '../services/live-capture';
import { ApiError } from './contract';
import type { CaptureInterfaceDto, CaptureStartRequest, CaptureStatsDto, CaptureStatus } from './capture-contract';
import { CoalescedPush } from './coalesced-push';

export interface CaptureWorkspacePorts {
  listInterfaces(): CaptureInterfaceInfo[];
  start(options: LiveCaptureOptions): Promise<LiveCapture>;
  /** Make the capture the open capture: its sessions stream in through `events`; `finished` when it stops. */
  beginLive(name: string, spoolFile: string): { events: AnalyzerEvents; finished(packets: number): void };
  emit(status: CaptureStatus): void;
}

const PUSH_INTERVAL_MS = 250;
export const DEFAULT_CAPTURE_FILTER = 'tcp';

export class CaptureWorkspace {
  private live: LiveCapture | null = null;
  private running = false;
  private request: { interface: string; filter: string } | null = null;
  private lastStats: CaptureStatsDto | null = null;
  private lastError: string | null = null;
  private readonly push = new CoalescedPush(PUSH_INTERVAL_MS, () => this.ports.emit(this.status()));
  private starting = false;

  constructor(private readonly ports: CaptureWorkspacePorts) {}

  readonly handlers = {
    listInterfaces: async (): Promise<CaptureInterfaceDto[]> => {
      try {
        return this.ports.listInterfaces().map(toInterfaceDto);
      } catch (e: unknown) {
        throw new ApiError('unsupported', e instanceof Error ? e.message : String(e));
      }
    },
    startCapture: async (request: CaptureStartRequest): Promise<CaptureStatus> => {
      if (this.running || this.starting) throw new ApiError('unsupported', `a capture already runs on ${this.request?.interface}; stop it first`);
      const filter = request.filter ?? DEFAULT_CAPTURE_FILTER;
      this.starting = true;
      let source: ReturnType<CaptureWorkspacePorts['beginLive']> | null = null;
      let live: LiveCapture;
      try {
        live = await this.ports.start({
          interfaceName: request.interface,
          filter,
          // Removed unless saved; a later run removes it if this one dies first.
          temporary: true,
          events: {
            // The workbench's live source exists once the helper said where the spool is; sessions come after.
            sessionOpened: (s) => {
              source?.events.sessionOpened?.(s);
              this.push.schedule();
            },
            messageDecoded: (s, m) => source?.events.messageDecoded?.(s, m),
            sessionUpdated: (s) => source?.events.sessionUpdated?.(s),
            sessionClosed: (s) => source?.events.sessionClosed?.(s),
          },
          onStats: (stats) => {
            this.lastStats = toStatsDto(stats);
            this.push.schedule();
          },
        });
      } catch (e: unknown) {
        this.starting = false;
        this.lastError = e instanceof Error ? e.message : String(e);
        this.push.now();
        throw new ApiError('unreadable', this.lastError);
      }
      source = this.ports.beginLive(`capture on ${request.interface}`, live.spoolPath);
      this.starting = false;
      this.live = live;
      this.running = true;
      this.request = { interface: request.interface, filter };
      this.lastStats = toStatsDto(live.currentStats);
      this.lastError = null;
      const finished = source.finished;
      void live.done.then((result) => {
        this.running = false;
        this.lastStats = toStatsDto(result.stats);
        if (result.stopReason === 'helper-exited' && (result.helperExit.signal || result.helperExit.code !== 0)) {
          this.lastError = `the capture helper ended unexpectedly (${result.helperExit.signal ?? `exit ${result.helperExit.code}`}); `
            + `the packets up to then are kept`;
        }
        finished(result.packets);
        this.push.now();
      }, (e: unknown) => {
        this.running = false;
        this.lastError = e instanceof Error ? e.message : String(e);
        finished(live.currentStats.packets);
        this.push.now();
      });
      this.push.now();
      return this.status();
    },
    stopCapture: async (): Promise<CaptureStatus> => {
      if (this.live && this.running) {
        await this.live.stop().catch(() => undefined);
        // `done` handlers ran: the capture is the open file, complete.
        await Promise.resolve();
      }
      this.push.now();
      return this.status();
    },
  };

  async dispose(): Promise<void> {
    this.push.cancel();
    if (this.live && this.running) await this.live.stop().catch(() => undefined);
  }

  private status(): CaptureStatus {
    const stats = this.live && this.running ? toStatsDto(this.live.currentStats) : this.lastStats;
    return {
      running: this.running,
      interface: this.request?.interface ?? null,
      filter: this.request?.filter ?? null,
      spoolFile: this.live?.spoolPath ?? null,
      stats,
      error: this.lastError,
    };
  }
}

function toInterfaceDto(i: CaptureInterfaceInfo): CaptureInterfaceDto {
  return { name: i.name, description: i.description, addresses: i.addresses.map((a) => a.address), loopback: i.loopback, up: i.up };
}

function toStatsDto(s: LiveCaptureStats): CaptureStatsDto {
  return {
    packets: s.packets,
    received: s.received,
    bytes: s.bytes,
    droppedByKernel: s.droppedByKernel,
    droppedByInterface: s.droppedByInterface,
    droppedByHelper: s.droppedByHelper,
    sessions: s.sessions,
    behindBytes: Math.max(0, s.spoolBytes - s.analyzedBytes),
  };
}
