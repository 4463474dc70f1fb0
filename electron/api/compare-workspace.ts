/**
 * The engine side of compare and replay: a second capture opened for
 * comparison (the open capture stays open), the replays made in this run, and
 * the three commands that use them. A compare is `diffSessions` on the two
 * sessions (the `tlswb.diff/1` document of `tlswb diff --json`) plus both
 * sessions' details; a replay is `runReplay`, its leg kept so it can be
 * compared again with any other session.
 */
import { rm, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Session } from '../core/session/model';
import { diffSessions } from '../core/session/session-diff';
import { ClientHelloEditError } from '../core/tls/client-hello-encoder';
import { replayOutcomeReport } from '../services/replay/replay-outcome';
import { ReplayError, type ReplayOptions, type ReplayResult } from '../services/replay/replay-session';
import { collectCodeNames } from './compare-code-names';
import type { CompareFileSummary, CompareResult, ReplaySessionResult, SessionRef } from './compare-contract';
import { ApiError, type CommandHandlers } from './contract';
import { toReplayOptions } from './replay-request';
import { toSessionDetail } from './session-detail';
import { summarizeSession } from './session-summary';
import type { AnalyzedFile } from './workbench';

/** A replay leg is small (a few handshake messages), but a long session of replays must not grow without bound. */
export const MAX_KEPT_REPLAYS = 64;

export interface CompareWorkspacePorts {
  analyzeFile(path: string): Promise<AnalyzedFile>;
  /** Writes an uploaded capture to a private file and returns its path (absent: no uploads). */
  storeUpload?: (name: string, base64: string) => Promise<string>;
  replay?: (options: ReplayOptions) => Promise<ReplayResult>;
  /** The open capture: its display name and sessions (null when none is open). */
  current(): { name: string; sessions: readonly Session[] } | null;
}

type CompareCommands = Pick<CommandHandlers, 'openCompareFile' | 'openCompareBytes' | 'compareSessions' | 'replaySession'>;

interface LoadedFile {
  name: string;
  sessions: Session[];
}

export class CompareWorkspace {
  private compareFile: LoadedFile | null = null;
  private readonly replays = new Map<number, Session>();
  private nextReplayId = 0;

  constructor(private readonly ports: CompareWorkspacePorts) {}

  readonly handlers: CompareCommands = {
    openCompareFile: (path) => this.openCompareFile(resolve(path)),
    openCompareBytes: (name, base64) => this.openCompareBytes(name, base64),
    compareSessions: async (a, b) => this.compare(a, b),
    replaySession: (sessionId, request) => this.replay(sessionId, toReplayOptions(request)),
  };

  /** An upload: analyzed from a private copy, removed once read (the sessions keep what they need). */
  private async openCompareBytes(uploadName: string, base64: string): Promise<CompareFileSummary> {
    if (!this.ports.storeUpload) throw new ApiError('unsupported', 'uploads are not available here');
    const path = await this.ports.storeUpload(uploadName, base64);
    try {
      return await this.openCompareFile(path, basename(uploadName), null);
    } finally {
      await rm(path, { force: true });
    }
  }

  private async openCompareFile(path: string, name = basename(path), shownPath: string | null = path): Promise<CompareFileSummary> {
    const info = await stat(path).catch(() => null);
    if (!info) throw new ApiError('not-found', `cannot open ${name}: no such file or no permission`);
    if (!info.isFile()) throw new ApiError('unreadable', `${name} is not a file`);
    let result: AnalyzedFile;
    try {
      result = await this.ports.analyzeFile(path);
    } catch (err) {
      throw new ApiError('unreadable', `cannot read ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Ids are list indexes, as the analysis contract numbers sessions.
    result.sessions.forEach((s, i) => {
      s.id = i;
    });
    this.compareFile = { name, sessions: result.sessions };
    return { name, path: shownPath, packets: result.packets, damaged: result.damaged, sessions: result.sessions.map(summarizeSession) };
  }

  private lookup(ref: SessionRef): { session: Session; file: string | null } {
    if (ref.source === 'replay') {
      const session = this.replays.get(ref.id);
      if (!session) throw new ApiError('not-found', `no replay ${ref.id} (replays are kept until the workbench closes, the last ${MAX_KEPT_REPLAYS})`);
      return { session, file: null };
    }
    const file = ref.source === 'current' ? this.ports.current() : this.compareFile;
    if (!file) throw new ApiError('no-file', ref.source === 'current' ? 'no capture is open' : 'no file is open for comparison');
    const session = file.sessions[ref.id]?.id === ref.id ? file.sessions[ref.id] : file.sessions.find((s) => s.id === ref.id);
    if (!session) throw new ApiError('not-found', `${file.name} has no session ${ref.id}`);
    return { session, file: file.name };
  }

  private compare(aRef: SessionRef, bRef: SessionRef, scope: 'all' | 'first-flights' = 'all'): CompareResult {
    const a = this.lookup(aRef);
    const b = this.lookup(bRef);
    const diff = diffSessions(a.session, b.session, { aFile: a.file, bFile: b.file, scope });
    const aDetail = toSessionDetail(a.session);
    const bDetail = toSessionDetail(b.session);
    return {
      diff,
      a: { ref: aRef, file: a.file, detail: aDetail },
      b: { ref: bRef, file: b.file, detail: bDetail },
      names: collectCodeNames(diff, [aDetail, bDetail]),
    };
  }

  private async replay(sessionId: number, options: ReturnType<typeof toReplayOptions>): Promise<ReplaySessionResult> {
    if (!this.ports.replay) throw new ApiError('unsupported', 'replay is not available here');
    const aRef: SessionRef = { source: 'current', id: sessionId };
    const recorded = this.lookup(aRef);
    let result: ReplayResult;
    try {
      result = await this.ports.replay({
        recorded: recorded.session,
        recordedFile: recorded.file,
        to: options.to,
        ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
        edits: options.edits,
        timeoutMs: options.timeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
      });
    } catch (err) {
      if (err instanceof ReplayError) throw new ApiError('unsupported', err.message);
      if (err instanceof ClientHelloEditError) throw new ApiError('invalid-arguments', `cannot edit the ClientHello: ${err.message}`);
      throw err;
    }
    let replay: SessionRef | null = null;
    let comparison: CompareResult | null = null;
    if (result.session) {
      const id = this.nextReplayId++;
      result.session.id = id;
      this.replays.set(id, result.session);
      for (const old of this.replays.keys()) {
        if (this.replays.size <= MAX_KEPT_REPLAYS) break;
        this.replays.delete(old);
      }
      replay = { source: 'replay', id };
      // What a replay receives is the first flights: compare the recording cut the same way (as `tlswb replay`).
      comparison = this.compare(aRef, replay, 'first-flights');
    }
    return { ...replayOutcomeReport(result), replay, comparison };
  }
}
