/**
 * Live capture, the parent side (as Wireshark with dumpcap): runs the capture
 * helper (native/capture-helper.ts) with the permitted binary, reads the
 * pcapng it streams with the core's push reader, spools every packet to a
 * pcapng file as it arrives, and feeds the same SessionAnalyzer files use.
 *
 * Nothing lost: packets are written to the spool as each pipe chunk arrives
 * (the helper flushes every event-loop turn), so if the helper, or this
 * process, is killed, the spool reads up to the last complete block: well
 * within a second of the kill. The spool is re-encoded from parsed packets, so
 * it holds only complete blocks even when the helper dies mid-block.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CaptureInterface } from '../core/capture/capture-handlers';
import { createCaptureReader, type CaptureReader } from '../core/capture/capture-reader';
import type { CaptureDamage } from '../core/capture/capture-errors';
import { SessionAnalyzer } from '../core/session/analyzer';
import type { AnalyzerEvents } from '../core/session/analyzer-events';
import type { Session } from '../core/session/model';
import { CaptureError, PERMISSION_FIX } from '../../native/capture-errors';
import { parseHelperMessage, type CaptureStatistics, type HelperMessage } from '../../native/helper-protocol';
import { captureHelperScript, captureNodeBinary, captureSpoolDir, tlswbCommand } from './capture-paths';
import { PcapngFileWriter } from './pcapng-file-writer';

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
}

export interface LiveCaptureStats extends CaptureStatistics {
  /** Packets read from the helper and written to the spool. */
  packets: number;
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

export class LiveCapture {
  readonly spoolPath: string;
  /** Resolves once the helper has ended and the spool is closed. */
  readonly done: Promise<LiveCaptureResult>;
  linkType: number | null = null;

  private readonly analyzer: SessionAnalyzer;
  private readonly reader: CaptureReader;
  private readonly interfaceIds = new Map<number, number>();
  private readonly stats: LiveCaptureStats = {
    received: 0, bytes: 0, droppedByKernel: null, droppedByInterface: null, droppedByHelper: 0, packets: 0, sessions: 0,
  };
  private child: ChildProcess | null = null;
  private stopReason: StopReason | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private durationTimer: NodeJS.Timeout | null = null;
  private resolveDone!: (r: LiveCaptureResult) => void;
  private rejectDone!: (e: unknown) => void;

  private constructor(
    private readonly options: LiveCaptureOptions,
    private readonly spool: PcapngFileWriter,
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
      onInterface: (info) => this.onInterface(info),
      onPacket: (p) => {
        const max = this.options.maxPackets;
        if (max !== undefined && this.stats.packets >= max) return;
        const id = this.interfaceIds.get(p.interfaceId);
        if (id === undefined) return;
        this.spool.writePacket({ interfaceId: id, timestampNs: p.timestampNs, data: p.data, originalLength: p.originalLength });
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
    const spoolPath = options.spoolPath ?? defaultSpoolPath(options.spoolDir ?? captureSpoolDir(options.env), options.interfaceName);
    if (!options.spoolPath) mkdirSync(options.spoolDir ?? captureSpoolDir(options.env), { recursive: true, mode: 0o700 });
    let spool: PcapngFileWriter;
    try {
      spool = await PcapngFileWriter.open(spoolPath, { userAppl: 'tlswb live capture' });
    } catch (e: unknown) {
      throw new CaptureError('failed', `cannot write the capture file ${spoolPath}: ${(e as Error).message}`);
    }
    const capture = new LiveCapture(options, spool, spoolPath);
    await capture.launch();
    return capture;
  }

  /** The helper's process id (to watch it; stop with `stop()`). */
  get helperPid(): number | undefined {
    return this.child?.pid;
  }

  /** Statistics so far. */
  get currentStats(): LiveCaptureStats {
    return { ...this.stats };
  }

  /** Stops the capture (the helper flushes and exits) and resolves with the result. */
  stop(): Promise<LiveCaptureResult> {
    this.requestStop('stopped');
    return this.done;
  }

  private requestStop(reason: StopReason): void {
    if (this.stopReason !== null || !this.child) return;
    this.stopReason = reason;
    // Closing the helper's stdin is its portable "stop"; SIGKILL if it hangs.
    this.child.stdin?.end();
    this.killTimer = setTimeout(() => this.child?.kill('SIGKILL'), STOP_GRACE_MS);
  }

  private launch(): Promise<void> {
    const o = this.options;
    const command = [...(o.helperPrefix ?? []), ...(o.helperCommand ?? [captureNodeBinary(o.env), captureHelperScript(o.env)])];
    const args = [...command.slice(1), '-i', o.interfaceName, '-f', o.filter ?? '',
      '-s', String(o.snaplen ?? 65535), '-B', String(o.bufferMiB ?? 64)];
    const env = { ...(o.env ?? process.env) };
    // In Electron, process.execPath is the app: make it behave as node for the helper.
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
    const child = spawn(command[0]!, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child = child;
    const diagnostics: string[] = [];
    let ready = false;
    let startError: CaptureError | null = null;

    return new Promise<void>((resolveStart, rejectStart) => {
      const fail = (error: CaptureError): void => {
        void this.spool.close().catch(() => undefined);
        rejectStart(error);
        this.rejectDone(error);
      };
      child.stdin?.on('error', () => undefined);
      child.on('error', (e) => {
        if (!ready) fail(new CaptureError('failed', `cannot run the capture helper ${command[0]}: ${e.message}`));
      });
      child.stdout!.on('data', (chunk: Buffer) => this.feed(chunk));
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
            ready = true;
            this.linkType = message.linkType;
            if (o.durationSeconds !== undefined) {
              this.durationTimer = setTimeout(() => this.requestStop('duration'), o.durationSeconds * 1000);
            }
            resolveStart();
          } else if (message.type === 'error') {
            startError = new CaptureError(message.kind, this.withExactFix(message));
          } else {
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

  private feed(chunk: Buffer): void {
    try {
      this.reader.feed(chunk);
    } catch (e: unknown) {
      // The helper speaks pcapng; anything else is its bug: stop rather than spool garbage.
      this.options.onDiagnostic?.(`capture helper output unreadable: ${(e as Error).message}`);
      this.requestStop('helper-exited');
    }
  }

  private updateStats(message: Extract<HelperMessage, { type: 'stats' | 'stopped' }>): void {
    this.stats.received = message.received;
    this.stats.bytes = message.bytes;
    this.stats.droppedByKernel = message.droppedByKernel;
    this.stats.droppedByInterface = message.droppedByInterface;
    this.stats.droppedByHelper = message.droppedByHelper;
    this.options.onStats?.(this.currentStats);
  }

  private onInterface(info: CaptureInterface): void {
    const id = this.spool.addInterface({
      linkType: info.linkType,
      snaplen: info.snaplen,
      tsresol: info.tsresol,
      name: info.name ?? this.options.interfaceName,
      ...(info.description ? { description: info.description } : {}),
    });
    this.interfaceIds.set(info.id, id);
  }

  private async finish(code: number | null, signal: NodeJS.Signals | null): Promise<LiveCaptureResult> {
    const summary = this.reader.end();
    this.analyzer.finish();
    await this.spool.close();
    return {
      spoolPath: this.spoolPath,
      packets: this.stats.packets,
      linkTypes: summary.linkTypes,
      sessions: this.analyzer.sessions,
      stats: this.currentStats,
      stopReason: this.stopReason ?? 'helper-exited',
      helperExit: { code, signal },
      damaged: summary.damaged,
    };
  }

  /** The permission message names the exact command for how this CLI was started. */
  private withExactFix(message: { kind: string; message: string }): string {
    if (message.kind !== 'permission') return message.message;
    return message.message.replace(PERMISSION_FIX, `sudo ${tlswbCommand()} setup-capture`);
  }
}

function defaultSpoolPath(dir: string, interfaceName: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const safe = interfaceName.replace(/[^\w.-]/g, '_');
  return join(dir, `capture-${safe}-${stamp}-${process.pid}.pcapng`);
}
