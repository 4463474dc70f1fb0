/**
 * Live capture, the parent side (as Wireshark with dumpcap): runs the capture
 * helper (native/capture-helper.ts) with the permitted binary; the helper
 * writes the capture to the spool file itself, and this side follows that file
 * (SpoolTail), feeding the same SessionAnalyzer files use.
 *
 * Nothing lost: the helper never waits on this process. Under a flood the
 * analysis falls behind in the file (`analyzedBytes` vs `spoolBytes`) and
 * catches up later; it never back-pressures the capture into drops. The
 * helper writes every event-loop turn, so if it is killed the file holds all
 * but the last milliseconds; a block it was cut off in the middle of is
 * trimmed here, so the spool reads to its end in tshark too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { join } from 'node:path';
import { createCaptureReader, type CaptureReader } from '../core/capture/capture-reader';
import type { CaptureDamage } from '../core/capture/capture-errors';
import { SessionAnalyzer } from '../core/session/analyzer';
import type { AnalyzerEvents } from '../core/session/analyzer-events';
import type { Session } from '../core/session/model';
import { CaptureError, PERMISSION_FIX } from '../../native/capture-errors';
import { parseHelperMessage, type CaptureStatistics, type HelperMessage } from '../../native/helper-protocol';
import { captureHelperScript, captureNodeBinary, captureSpoolDir, tlswbCommand } from './capture-paths';
import { SpoolTail } from './capture-spool-tail';
import { keptSpoolName, unsavedSpoolName } from './workbench-temporaries';

export { CaptureError } from '../../native/capture-errors';
export type { CaptureStatistics } from '../../native/helper-protocol';

export interface LiveCaptureOptions {
  interfaceName: string;
  /** BPF filter; default '' (everything). */
  filter?: string;
  /** Bytes kept per packet (cap's limit: 65535). */
  snaplen?: number;
  /** libpcap kernel buffer in MiB; default 64. */
  bufferMiB?: number;
  /** The spool file; default a new file in `spoolDir`. */
  spoolPath?: string;
  /** Default: captureSpoolDir() ($XDG_DATA_HOME/tlswb/spool, TLSWB_SPOOL_DIR). */
  spoolDir?: string;
  /**
   * The workbench's recording, removed unless saved: the default spool is
   * named `unsaved-…-PID` so that a later run removes it if this one dies
   * first (services/workbench-temporaries). Default false: the CLI's capture is kept.
   */
  temporary?: boolean;
  /** Stop after this many packets (the spool then holds exactly these). */
  maxPackets?: number;
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** Engine events, as for files. */
  events?: AnalyzerEvents;
  /** Statistics, about twice a second while packets flow. */
  onStats?(stats: LiveCaptureStats): void;
  /** Lines the helper (libpcap) printed that are not protocol messages. */
  onDiagnostic?(line: string): void;
  /** The helper command; default [captureNodeBinary(), captureHelperScript()]. */
  helperCommand?: readonly string[];
  /** Wrap the helper command (e.g. ['setpriv', '--reuid=nobody', ...]); tests of the permission message. */
  helperPrefix?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /**
   * Lower this thread's scheduling priority (nice +10) for the capture, so
   * that under a flood the CPU goes to the helper (which must keep up with
   * the wire) before the analysis (which may lag and catch up). It cannot be
   * raised back without privilege, so only a process that exists to capture
   * (the CLI) should ask for it. Linux: the nice value is per thread.
   */
  yieldToHelper?: boolean;
}

export interface LiveCaptureStats extends CaptureStatistics {
  /** Packets read back from the spool and analyzed. */
  packets: number;
  /** Bytes of the spool analyzed; `spoolBytes - analyzedBytes` is how far the analysis is behind. */
  analyzedBytes: number;
  sessions: number;
}

export type StopReason = 'stopped' | 'count' | 'duration' | 'helper-exited';

export interface LiveCaptureResult {
  spoolPath: string;
  packets: number;
  linkTypes: number[];
  sessions: Session[];
  stats: LiveCaptureStats;
  stopReason: StopReason;
  /** How the helper ended: exit code, or the signal that killed it. */
  helperExit: { code: number | null; signal: NodeJS.Signals | null };
  /** The helper's stream ended inside a block (it was killed mid-write). */
  damaged: CaptureDamage | null;
}

const STOP_GRACE_MS = 3000;
/**
 * How often an idle tail looks for new blocks. A change notification (inotify
 * through fs.watch) wakes it at once; the poll is the fallback where there is none.
 */
const TAIL_POLL_MS = 20;
const TAIL_POLL_WATCHED_MS = 100;
/** Longest the analysis runs before it yields the event loop (stats, stop requests, the UI). */
const TAIL_BUDGET_MS = 40;

export class LiveCapture {
  readonly spoolPath: string;
  /** Resolves once the helper has ended and the spool is read to its end. */
  readonly done: Promise<LiveCaptureResult>;
  linkType: number | null = null;

  private readonly analyzer: SessionAnalyzer;
  private readonly reader: CaptureReader;
  private readonly stats: LiveCaptureStats = {
    received: 0, bytes: 0, droppedByKernel: null, droppedByInterface: null, droppedByHelper: 0, written: 0, spoolBytes: 0,
    packets: 0, analyzedBytes: 0, sessions: 0,
  };
  private child: ChildProcess | null = null;
  private tail: SpoolTail | null = null;
  private tailTimer: NodeJS.Timeout | null = null;
  /** The pending look is an immediate one (not the idle poll). */
  private tailSoon = false;
  private tailing = false;
  private watcher: FSWatcher | null = null;
  private readerFailed = false;
  private stopReason: StopReason | null = null;
  private helperStopReason: string | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private durationTimer: NodeJS.Timeout | null = null;
  private resolveDone!: (r: LiveCaptureResult) => void;
  private rejectDone!: (e: unknown) => void;

  private constructor(
    private readonly options: LiveCaptureOptions,
    spoolPath: string,
  ) {
    this.spoolPath = spoolPath;
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A failed start rejects `start()`; nobody may be listening on `done` then.
    this.done.catch(() => undefined);
    const events = options.events ?? {};
    this.analyzer = new SessionAnalyzer({
      events: {
        ...events,
        sessionOpened: (s) => {
          this.stats.sessions++;
          events.sessionOpened?.(s);
        },
      },
    });
    this.reader = createCaptureReader({
      onPacket: (p) => {
        const max = this.options.maxPackets;
        if (max !== undefined && this.stats.packets >= max) return;
        this.stats.packets++;
        this.analyzer.push(p);
        if (max !== undefined && this.stats.packets >= max) this.requestStop('count');
      },
    });
  }

  /**
   * Starts the helper and resolves once it captures; rejects with CaptureError
   * (permission, no-such-interface, bad-filter, unavailable, failed) otherwise.
   */
  static async start(options: LiveCaptureOptions): Promise<LiveCapture> {
    const spoolDir = options.spoolDir ?? captureSpoolDir(options.env);
    const spoolPath = options.spoolPath ?? join(spoolDir, options.temporary ? unsavedSpoolName(options.interfaceName) : keptSpoolName(options.interfaceName));
    if (!options.spoolPath) {
      try {
        mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
      } catch (e: unknown) {
        throw new CaptureError('failed', `cannot make the spool folder ${spoolDir}: ${(e as Error).message}`);
      }
    }
    if (options.yieldToHelper) lowerThreadPriority();
    const capture = new LiveCapture(options, spoolPath);
    await capture.launch();
    return capture;
  }

  /** The helper's process id (to watch it; stop with `stop()`). */
  get helperPid(): number | undefined {
    return this.child?.pid;
  }

  /** Statistics so far. */
  get currentStats(): LiveCaptureStats {
    return { ...this.stats, analyzedBytes: this.tail?.offset ?? 0 };
  }

  /** Stops the capture (the helper flushes and exits) and resolves with the result once the spool is analyzed. */
  stop(): Promise<LiveCaptureResult> {
    this.requestStop('stopped');
    return this.done;
  }

  private requestStop(reason: StopReason): void {
    if (this.stopReason !== null || !this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopReason = reason;
    // Closing the helper's stdin is its portable "stop"; SIGKILL if it hangs.
    this.child.stdin?.end();
    this.killTimer = setTimeout(() => this.child?.kill('SIGKILL'), STOP_GRACE_MS);
  }

  private launch(): Promise<void> {
    const o = this.options;
    const command = [...(o.helperPrefix ?? []), ...(o.helperCommand ?? [captureNodeBinary(o.env), captureHelperScript(o.env)])];
    const args = [...command.slice(1), '-i', o.interfaceName, '-w', this.spoolPath, '-f', o.filter ?? '',
      '-s', String(o.snaplen ?? 65535), '-B', String(o.bufferMiB ?? 64)];
    // The helper stops itself at the count, so the file holds exactly that many packets.
    if (o.maxPackets !== undefined) args.push('-c', String(o.maxPackets));
    const env = { ...(o.env ?? process.env) };
    // In Electron, process.execPath is the app: make it behave as node for the helper.
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
    const child = spawn(command[0]!, args, { stdio: ['pipe', 'ignore', 'pipe'], env });
    this.child = child;
    const diagnostics: string[] = [];
    let ready = false;
    let startError: CaptureError | null = null;

    return new Promise<void>((resolveStart, rejectStart) => {
      const fail = (error: CaptureError): void => {
        rejectStart(error);
        this.rejectDone(error);
      };
      child.stdin?.on('error', () => undefined);
      child.on('error', (e) => {
        if (!ready) fail(new CaptureError('failed', `cannot run the capture helper ${command[0]}: ${e.message}`));
      });
      let pendingLine = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        pendingLine += text;
        let nl: number;
        while ((nl = pendingLine.indexOf('\n')) >= 0) {
          const line = pendingLine.slice(0, nl);
          pendingLine = pendingLine.slice(nl + 1);
          const message = parseHelperMessage(line);
          if (message === null) {
            if (line.trim()) {
              if (diagnostics.length < 20) diagnostics.push(line.trim());
              o.onDiagnostic?.(line);
            }
            continue;
          }
          if (message.type === 'ready') {
            try {
              this.tail = new SpoolTail(message.spoolPath, (bytes) => this.feed(bytes));
            } catch (e: unknown) {
              startError = new CaptureError('failed', `cannot read the capture file ${message.spoolPath}: ${(e as Error).message}`);
              child.stdin?.end();
              continue;
            }
            ready = true;
            this.linkType = message.linkType;
            if (o.durationSeconds !== undefined) {
              this.durationTimer = setTimeout(() => this.requestStop('duration'), o.durationSeconds * 1000);
            }
            this.tailing = true;
            this.watchSpool(message.spoolPath);
            this.pump();
            resolveStart();
          } else if (message.type === 'error') {
            startError = new CaptureError(message.kind, this.withExactFix(message));
          } else {
            if (message.type === 'stopped') this.helperStopReason = message.reason;
            this.updateStats(message);
          }
        }
      });
      child.on('close', (code, signal) => {
        if (this.killTimer) clearTimeout(this.killTimer);
        if (this.durationTimer) clearTimeout(this.durationTimer);
        if (!ready) {
          fail(startError ?? new CaptureError('failed',
            `the capture helper exited (${signal ?? `code ${code}`}) before capturing${diagnostics.length ? `: ${diagnostics.join(' ')}` : ''}`));
          return;
        }
        this.finish(code, signal).then(this.resolveDone, this.rejectDone);
      });
    });
  }

  /** New blocks wake the tail at once: a new session shows within milliseconds of its packets. */
  private watchSpool(path: string): void {
    try {
      this.watcher = watch(path, { persistent: false }, () => this.wake());
      this.watcher.on('error', () => this.unwatch());
    } catch {
      this.watcher = null;
    }
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  private wake(): void {
    if (!this.tailing || this.tailSoon) return;
    if (this.tailTimer) clearTimeout(this.tailTimer);
    this.tailSoon = true;
    this.tailTimer = setTimeout(() => this.pump(), 0);
  }

  /** Reads what the helper appended, within a time budget, then looks again: at once if behind, else after a poll interval. */
  private pump(): void {
    this.tailTimer = null;
    this.tailSoon = false;
    if (!this.tailing || !this.tail) return;
    let more: boolean;
    try {
      more = this.tail.readAvailable(TAIL_BUDGET_MS);
    } catch (e: unknown) {
      this.options.onDiagnostic?.(`cannot read the capture file ${this.spoolPath}: ${(e as Error).message}`);
      more = false;
    }
    if (!this.tailing || this.tailTimer) return;
    this.tailSoon = more;
    this.tailTimer = setTimeout(() => this.pump(), more ? 0 : this.watcher ? TAIL_POLL_WATCHED_MS : TAIL_POLL_MS);
  }

  private feed(chunk: Uint8Array): void {
    if (this.readerFailed) return;
    try {
      this.reader.feed(chunk);
    } catch (e: unknown) {
      // The helper writes pcapng; anything else is its bug: stop rather than analyze garbage.
      this.readerFailed = true;
      this.options.onDiagnostic?.(`capture file unreadable: ${(e as Error).message}`);
      this.requestStop('helper-exited');
    }
  }

  private updateStats(message: Extract<HelperMessage, { type: 'stats' | 'stopped' }>): void {
    this.stats.received = message.received;
    this.stats.bytes = message.bytes;
    this.stats.droppedByKernel = message.droppedByKernel;
    this.stats.droppedByInterface = message.droppedByInterface;
    this.stats.droppedByHelper = message.droppedByHelper;
    this.stats.written = message.written;
    this.stats.spoolBytes = message.spoolBytes;
    this.options.onStats?.(this.currentStats);
  }

  private async finish(code: number | null, signal: NodeJS.Signals | null): Promise<LiveCaptureResult> {
    this.tailing = false;
    this.unwatch();
    if (this.tailTimer) clearTimeout(this.tailTimer);
    const tail = this.tail!;
    let trimmed = 0;
    try {
      // The rest of the file, still yielding between budgets: a big backlog must not freeze the UI.
      while (tail.readAvailable(TAIL_BUDGET_MS)) await new Promise((r) => setImmediate(r));
      trimmed = tail.trimPartialBlock();
    } catch (e: unknown) {
      this.options.onDiagnostic?.(`cannot read the capture file ${this.spoolPath}: ${(e as Error).message}`);
    }
    this.stats.analyzedBytes = tail.offset;
    tail.close();
    const summary = this.reader.end();
    this.analyzer.finish();
    const damaged = summary.damaged ?? (trimmed > 0
      ? { afterPacket: summary.packets, reason: `the capture helper ended inside a block; its last ${trimmed} bytes were cut off` }
      : null);
    let stopReason = this.stopReason;
    if (stopReason === null && this.helperStopReason === 'count reached') stopReason = 'count';
    return {
      spoolPath: this.spoolPath,
      packets: this.stats.packets,
      linkTypes: summary.linkTypes,
      sessions: this.analyzer.sessions,
      stats: this.currentStats,
      stopReason: stopReason ?? 'helper-exited',
      helperExit: { code, signal },
      damaged,
    };
  }

  /** The permission message names the exact command for how this CLI was started. */
  private withExactFix(message: { kind: string; message: string }): string {
    if (message.kind !== 'permission') return message.message;
    return message.message.replace(PERMISSION_FIX, `sudo ${tlswbCommand()} setup-capture`);
  }
}

/** The analysis yields the CPU to the helper under load. */
const ANALYSIS_NICE = 10;

function lowerThreadPriority(): void {
  try {
    if (getPriority() < ANALYSIS_NICE) setPriority(ANALYSIS_NICE);
  } catch {
    // Not permitted or not supported: the capture works the same, only less well under a flood.
  }
}

