/**
 * The engine side of the API: holds the open capture and its sessions and
 * implements every command (arguments already validated by the dispatcher).
 * I/O and engine pieces come in through `WorkbenchPorts`, so the same
 * workbench serves the Electron window and `tlswb serve`, and tests can run it
 * on real files without Electron.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { AnalyzerEvents } from '../core/session/analyzer-events';
import type { FileDamage } from '../core/session/contract-json';
import type { FieldNode } from '../core/session/field-tree';
import type { CertificateInfo, Session, TlsMessage } from '../core/session/model';
import type { ChainVerification } from '../core/x509/chain-verdict';
import type { ReplayOptions, ReplayResult } from '../services/replay/replay-session';
import { captureSpoolDir } from '../services/capture-paths';
import { makeTemporaryDir, pruneStaleTemporaries } from '../services/workbench-temporaries';
import { CompareWorkspace } from './compare-workspace';
import { ProxyWorkspace, type ProxyWorkspacePorts } from './proxy-workspace';
import { ProbeWorkspace } from './probe-workspace';
import type { ProbeOptions, ProbeResult } from '../services/probe/tls-probe';
import { CaptureWorkspace, type CaptureWorkspacePorts } from './capture-workspace';
import { KeyLogWorkspace } from './key-log-workspace';
import type { KeyLog } from '../core/tls/decrypt/keylog';
import {
  ApiError,
  MAX_UPLOAD_BYTES,
  type CertificateChainResult,
  type CommandHandlers,
  type FileSummary,
  type Settings,
} from './contract';
import type { EventHub } from './event-hub';
import { SessionsBatcher } from './sessions-batcher';
import { toCertificateDto, toMessageDetail, toSessionDetail } from './session-detail';
import { summarizeSession } from './session-summary';
import type { SettingsStore } from './settings-store';

export interface AnalyzedFile {
  sessions: Session[];
  packets: number;
  linkTypes: number[];
  damaged: FileDamage | null;
}

/** What the workbench needs from the engine and the services. */
export interface WorkbenchPorts {
  /** `keyLog`: secrets to decrypt with (the key logs loaded; the file's own DSBs are used in any case). */
  analyzeFile(path: string, options: { events?: AnalyzerEvents; displayName?: string; keyLog?: KeyLog }): Promise<AnalyzedFile>;
  /** The field tree of one message of `session` (offsets relative to `message.raw`). */
  describeMessage(message: TlsMessage, session: Session): FieldNode[];
  verifyChain(certificates: CertificateInfo[], serverName: string | null, at: Date): Promise<ChainVerification> | ChainVerification;
  /** Write the capture at `sourcePath` to `targetPath` as pcapng (a damaged one: what could be read); resolves to the bytes written. */
  savePcapng(sourcePath: string, targetPath: string, options: { damaged: boolean }): Promise<number>;
  settings: SettingsStore;
  /** Which transport carries this workbench. */
  transport: 'ipc' | 'ws';
  /** Native file dialogs, where there is a native UI (the Electron shell sets it). */
  choosePath?: (kind: 'open' | 'save') => Promise<string | null>;
  /** Network replay (`tlswb replay`); without it replaySession fails with 'unsupported'. */
  replay?: (options: ReplayOptions) => Promise<ReplayResult>;
  /** The live probe (Probe panel); without it runProbe fails with 'unsupported'. */
  probe?: (options: ProbeOptions) => Promise<ProbeResult>;
  /** The recording proxy (Proxy panel); without it the proxy commands fail with 'unsupported'. */
  proxy?: Pick<ProxyWorkspacePorts, 'start' | 'exportCa' | 'caDir'>;
  /** Live capture (capture toolbar); without it the capture commands fail with 'unsupported'. */
  capture?: Pick<CaptureWorkspacePorts, 'listInterfaces' | 'start'>;
}

interface OpenCapture {
  summary: FileSummary;
  /** Where the bytes are on disk (an upload is kept in a temp file for Save As). */
  sourcePath: string;
  sessions: Session[];
  done: boolean;
  /** A live recording's spool file: removed once this capture is closed (replaced or the workbench disposed). */
  spool: string | null;
}

export class Workbench {
  private current: OpenCapture | null = null;
  /** Live recordings closed while still recording: their spools go when they end. */
  private readonly closed = new Set<OpenCapture>();
  /** Each open bumps it; events of an open that a newer one replaced are dropped. */
  private generation = 0;
  private uploadDir: string | null = null;
  private readonly batcher: SessionsBatcher<Session>;

  constructor(
    private readonly ports: WorkbenchPorts,
    private readonly events: EventHub,
  ) {
    // What runs that crashed left behind (their unsaved recordings, uploads): this run removes it.
    void pruneStaleTemporaries(captureSpoolDir());
    this.batcher = new SessionsBatcher<Session>(
      (payload) => this.events.emit('sessionsChanged', payload),
      () => this.current?.sessions.length ?? 0,
      summarizeSession,
    );
  }

  /** Compare and replay; its ports read `this` only when a command runs. */
  /** Key logs loaded for decryption; adding one decodes the open capture again. */
  private readonly keyLogs = new KeyLogWorkspace({
    redecode: async () => (this.current ? this.open(this.current.sourcePath, this.current.summary.name, false, this.current.summary.path) : null),
    current: () => (this.current ? { ...this.current.summary } : null),
  });

  private readonly compare = new CompareWorkspace({
    analyzeFile: (path) => this.ports.analyzeFile(path, { displayName: basename(path) }),
    storeUpload: (name, base64) => this.storeUpload(name, base64),
    replay: (options) => {
      if (!this.ports.replay) throw new ApiError('unsupported', 'replay is not available here');
      return this.ports.replay(options);
    },
    current: () => (this.current ? { name: this.current.summary.name, sessions: this.current.sessions } : null),
  });

  /** The recording proxy: while it runs, its sessions are the open capture's. */
  private readonly proxy = new ProxyWorkspace({
    start: (options) => this.requireProxyPort().start(options),
    exportCa: (caDir, file) => this.requireProxyPort().exportCa(caDir, file),
    caDir: () => this.requireProxyPort().caDir(),
    beginLive: (name, spoolFile) => this.beginLive(name, spoolFile),
    emit: (status) => this.events.emit('proxyChanged', status),
  });

  /** The live probe: its recording opens as the capture. */
  private readonly probe = new ProbeWorkspace({
    run: (options) => {
      if (!this.ports.probe) throw new ApiError('unsupported', 'the probe is not available here');
      return this.ports.probe(options);
    },
    openRecording: (path, name) => this.open(path, name, false),
  });

  /** Live capture: while it runs, its sessions are the open capture's. */
  private readonly capture = new CaptureWorkspace({
    listInterfaces: () => this.requireCapturePort().listInterfaces(),
    start: (options) => this.requireCapturePort().start(options),
    beginLive: (name, spoolFile) => this.beginLive(name, spoolFile),
    emit: (status) => this.events.emit('captureStats', status),
  });

  readonly handlers: CommandHandlers = {
    openFile: (path) => this.open(resolve(path), basename(path), true),
    openBytes: (name, base64) => this.openBytes(name, base64),
    getCurrentFile: async () => {
      if (!this.current) return null;
      const summary = { ...this.current.summary };
      if (summary.state === 'loading') summary.sessionCount = this.current.sessions.length;
      return summary;
    },
    listSessions: async () => this.requireFile().sessions.map(summarizeSession),
    getSession: async (id) => toSessionDetail(this.requireSession(id)),
    getMessage: async (sessionId, index) => {
      const session = this.requireSession(sessionId);
      const message = session.messages[index];
      if (!message) throw new ApiError('not-found', `session ${sessionId} has no message ${index}`);
      return toMessageDetail(session, index, this.describe(message, session));
    },
    getCertificateChain: (sessionId) => this.certificateChain(sessionId),
    saveAs: async (path) => {
      const file = this.requireFile();
      const target = resolve(path);
      if (target === file.sourcePath) throw new ApiError('unsupported', 'choose a different file than the one that is open');
      if (!file.done) throw new ApiError('unsupported', 'the capture is still being read; save it when it is loaded');
      const bytes = await this.ports.savePcapng(file.sourcePath, target, { damaged: file.summary.damaged !== null });
      // Its packets are kept now; the spool itself still goes when the capture closes.
      file.summary = { ...file.summary, unsaved: false };
      return { path: target, bytes, format: 'pcapng' };
    },
    recentFiles: () => this.ports.settings.recentFiles(),
    getSettings: () => this.ports.settings.getSettings(),
    setSettings: async (patch: Partial<Settings>) => {
      const settings = await this.ports.settings.setSettings(patch);
      this.events.emit('settingsChanged', settings);
      return settings;
    },
    getCapabilities: async () => ({
      transport: this.ports.transport,
      nativeDialogs: this.ports.choosePath !== undefined,
      maxUploadBytes: MAX_UPLOAD_BYTES,
    }),
    choosePath: async (kind) => {
      if (!this.ports.choosePath) throw new ApiError('unsupported', 'no native file dialog here');
      return this.ports.choosePath(kind);
    },
    ...this.compare.handlers,
    ...this.keyLogs.handlers,
    ...this.proxy.handlers,
    ...this.probe.handlers,
    ...this.capture.handlers,
  };

  async dispose(): Promise<void> {
    await this.proxy.dispose();
    await this.probe.dispose();
    await this.capture.dispose();
    this.batcher.dispose();
    this.closeCapture(this.current, null);
    this.current = null;
    if (this.uploadDir) await rm(this.uploadDir, { recursive: true, force: true });
  }

  private requireCapturePort(): NonNullable<WorkbenchPorts['capture']> {
    if (!this.ports.capture) throw new ApiError('unsupported', 'live capture is not available here');
    return this.ports.capture;
  }

  private requireProxyPort(): NonNullable<WorkbenchPorts['proxy']> {
    if (!this.ports.proxy) throw new ApiError('unsupported', 'the proxy is not available here');
    return this.ports.proxy;
  }

  /**
   * A live source (the proxy) becomes the open capture: its sessions stream in
   * through the returned analyzer events, as a file's do while it loads;
   * `finished` marks it read (packets counted) once the source stops.
   */
  private beginLive(name: string, sourcePath: string): { events: AnalyzerEvents; finished(packets: number): void } {
    const generation = ++this.generation;
    const capture: OpenCapture = {
      summary: { name, path: sourcePath, packets: 0, linkTypes: [1], damaged: null, sessionCount: 0, state: 'loading', unsaved: true },
      sourcePath,
      sessions: [],
      done: false,
      spool: sourcePath,
    };
    this.closeCapture(this.current, capture);
    this.current = capture;
    this.batcher.markReset();
    this.events.emit('fileOpened', { ...capture.summary });
    return {
      events: this.collectSessions(generation, capture),
      finished: (packets) => {
        capture.done = true;
        // Closed while it still recorded: its spool goes now that nothing writes it.
        if (this.closed.has(capture)) this.removeSpool(capture);
        if (generation !== this.generation) return;
        capture.summary = { ...capture.summary, packets, sessionCount: capture.sessions.length, state: 'ready' };
        for (const s of capture.sessions) this.batcher.changed(s);
        this.batcher.flush();
        this.events.emit('fileOpened', { ...capture.summary });
      },
    };
  }

  /** The analyzer's events for `capture`: sessions collected and batched to clients while it is still the open one. */
  private collectSessions(generation: number, capture: OpenCapture): AnalyzerEvents {
    const changed = (s: Session): void => {
      if (generation === this.generation) this.batcher.changed(s);
    };
    return {
      sessionOpened: (s) => {
        if (generation !== this.generation) return;
        capture.sessions.push(s);
        changed(s);
      },
      messageDecoded: changed,
      sessionUpdated: changed,
      sessionClosed: changed,
    };
  }

  private async open(sourcePath: string, name: string, remember: boolean, displayPath: string | null = sourcePath): Promise<FileSummary> {
    const generation = ++this.generation;
    try {
      const info = await stat(sourcePath);
      if (!info.isFile()) throw new ApiError('unreadable', `${name} is not a file`);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError('not-found', `cannot open ${name}: ${describeIoError(err)}`);
    }
    const previous = this.current;
    // Decoding the open live recording again (a key log came) keeps it what it was: unsaved, its spool its own.
    const spool = previous?.spool === sourcePath ? sourcePath : null;
    const capture: OpenCapture = {
      summary: { name, path: displayPath, packets: 0, linkTypes: [], damaged: null, sessionCount: 0, state: 'loading', unsaved: spool !== null && previous?.summary.unsaved === true },
      sourcePath,
      sessions: [],
      done: false,
      spool,
    };
    this.current = capture;
    this.batcher.markReset();
    this.events.emit('fileOpened', { ...capture.summary });
    let result: AnalyzedFile;
    try {
      result = await this.ports.analyzeFile(sourcePath, {
        displayName: name,
        ...(this.keyLogs.keyLog ? { keyLog: this.keyLogs.keyLog } : {}),
        events: this.collectSessions(generation, capture),
      });
    } catch (err) {
      if (generation === this.generation) {
        // Nothing could be read: keep what was open before.
        this.current = previous;
        this.batcher.markReset();
        if (previous) for (const s of previous.sessions) this.batcher.changed(s);
        this.batcher.flush();
        // Clients saw fileOpened('loading') for the file that failed: show them the previous one again.
        if (previous) this.events.emit('fileOpened', { ...previous.summary });
      }
      throw new ApiError('unreadable', `cannot read ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (generation !== this.generation) {
      this.closeCapture(previous, this.current);
      throw new ApiError('internal', `opening ${name} was replaced by a newer open`);
    }
    capture.sessions = result.sessions;
    capture.done = true;
    capture.summary = {
      name,
      path: displayPath,
      packets: result.packets,
      linkTypes: [...result.linkTypes].sort((a, b) => a - b),
      damaged: result.damaged,
      sessionCount: result.sessions.length,
      state: 'ready',
      unsaved: capture.summary.unsaved,
    };
    this.closeCapture(previous, capture);
    // The end of the file may change any session (closed, fingerprints); unchanged rows are not resent.
    for (const s of result.sessions) this.batcher.changed(s);
    this.batcher.flush();
    if (remember && displayPath) await this.ports.settings.addRecentFile(displayPath).catch(() => undefined);
    this.events.emit('fileOpened', { ...capture.summary });
    return { ...capture.summary };
  }

  /**
   * `previous` is no longer the open capture (`next` replaced it, or the
   * workbench closes): a live recording's spool is removed, at once if the
   * recording ended, else when it does. The person was asked first (the
   * renderer and the Electron shell confirm before replacing an unsaved one).
   */
  private closeCapture(previous: OpenCapture | null, next: OpenCapture | null): void {
    if (!previous?.spool || previous.spool === next?.spool) return;
    this.closed.add(previous);
    if (previous.done) this.removeSpool(previous);
  }

  private removeSpool(capture: OpenCapture): void {
    const spool = capture.spool;
    capture.spool = null;
    this.closed.delete(capture);
    if (spool) void rm(spool, { force: true }).catch(() => undefined);
  }

  private async openBytes(name: string, base64: string): Promise<FileSummary> {
    const path = await this.storeUpload(name, base64);
    return this.open(path, basename(name), false, null);
  }

  /** Writes an uploaded capture to a private file of this run (removed on dispose) and returns its path. */
  private async storeUpload(name: string, base64: string): Promise<string> {
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length === 0) throw new ApiError('unreadable', `${name} is empty`);
    if (bytes.length > MAX_UPLOAD_BYTES) throw new ApiError('too-large', `${name} is larger than ${MAX_UPLOAD_BYTES} bytes`);
    if (!this.uploadDir) this.uploadDir = await makeTemporaryDir('upload');
    await mkdir(this.uploadDir, { recursive: true });
    // The uploaded name is only a label: the file on disk gets a random name.
    const safeName = basename(name).replace(/[^\w.-]/g, '_').slice(0, 100) || 'capture';
    const path = join(this.uploadDir, `${randomBytes(6).toString('hex')}-${safeName}`);
    await writeFile(path, bytes, { mode: 0o600 });
    return path;
  }

  private async certificateChain(sessionId: number): Promise<CertificateChainResult> {
    const session = this.requireSession(sessionId);
    // Judged at the time of the capture: what the client saw then, not what the certificate is today.
    const atMs = Number(session.startTimeNs / 1_000_000n);
    const result: CertificateChainResult = {
      sessionId,
      sni: session.sni,
      certificates: session.certificates.map((c) => toCertificateDto(c, atMs)),
      verification: null,
    };
    try {
      result.verification = await this.ports.verifyChain(session.certificates, session.sni, new Date(atMs));
    } catch (err) {
      result.unavailable = `the chain could not be verified: ${err instanceof Error ? err.message : String(err)}`;
    }
    return result;
  }

  private describe(message: TlsMessage, session: Session): FieldNode[] {
    try {
      return this.ports.describeMessage(message, session);
    } catch (err) {
      // A dissector bug must not hide the bytes: show them undecoded, and say why.
      return [{ name: 'undecoded', value: err instanceof Error ? err.message : String(err), offset: 0, length: message.raw.length }];
    }
  }

  private requireFile(): OpenCapture {
    if (!this.current) throw new ApiError('no-file', 'no capture is open');
    return this.current;
  }

  private requireSession(id: number): Session {
    const sessions = this.requireFile().sessions;
    // Ids are list indexes (the contract); search only if a list was ever reordered.
    const session = sessions[id]?.id === id ? sessions[id] : sessions.find((s) => s.id === id);
    if (!session) throw new ApiError('not-found', `no session ${id}`);
    return session;
  }
}

function describeIoError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
