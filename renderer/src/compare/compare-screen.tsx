/**
 * The compare screen: pick session A and session B (from the open capture, a
 * second file opened for comparison, or a replay of this run), compare them
 * (the API's compareSessions: the tlswb.diff/1 document and both sessions),
 * and show the result side by side. A replay opens here with its outcome on
 * top. Its state lives in the frame (`CompareState`), so leaving the screen
 * and coming back keeps the second file, the replays and the last result.
 * The second file opens as the main capture does: a native dialog in the
 * desktop app; in the browser a path, an upload or a recent file, and a
 * capture dropped on this screen is uploaded as the second file (not as the
 * open capture, which stays).
 */
import { useCallback, useRef, useState, type DragEvent } from 'react';
import type { CompareFileSummary, CompareResult, RecentFile, ReplaySessionResult, SessionRef, SessionSummary } from '../../../electron/api/contract';
import type { ApiClient } from '../api/api-client';
import type { Translate } from '../i18n/strings';
import { CompareOpenDialog } from './compare-open-dialog';
import { useCompareText, type CompareText } from './compare-strings';
import { CompareView } from './compare-view';
import { dragHasFiles, fileToBase64 } from './upload-file';
import './compare.css';

export interface CompareState {
  a: SessionRef | null;
  b: SessionRef | null;
  result: CompareResult | null;
  /** The replay whose result is shown, if the screen was opened by one. */
  replay: ReplaySessionResult | null;
  secondFile: CompareFileSummary | null;
  /** Replays made in this run that can be compared again. */
  replayIds: number[];
}

export const EMPTY_COMPARE: CompareState = { a: null, b: null, result: null, replay: null, secondFile: null, replayIds: [] };

/** The compare state after a replay: the recording (A) against the replay (B), with its result shown. */
export function compareStateAfterReplay(state: CompareState, replay: ReplaySessionResult): CompareState {
  const ids = replay.replay && !state.replayIds.includes(replay.replay.id) ? [...state.replayIds, replay.replay.id] : state.replayIds;
  return {
    ...state,
    a: replay.comparison?.a.ref ?? state.a,
    b: replay.replay ?? state.b,
    result: replay.comparison,
    replay,
    replayIds: ids,
  };
}

export interface CompareScreenProps {
  api: ApiClient;
  /** The open capture's name and rows. */
  currentName: string | null;
  currentSessions: readonly SessionSummary[];
  state: CompareState;
  onState(update: (s: CompareState) => CompareState): void;
  nativeDialogs: boolean;
  /** The frame's translator (for the shared path dialog). */
  frameT: Translate;
  onClose(): void;
  onError(message: string): void;
}

const refValue = (r: SessionRef | null): string => (r ? `${r.source}:${r.id}` : '');

function parseRef(value: string): SessionRef | null {
  const m = /^(current|compare|replay):(\d+)$/.exec(value);
  return m ? { source: m[1] as SessionRef['source'], id: Number(m[2]) } : null;
}

function rowLabel(s: SessionSummary): string {
  const target = s.sni ?? s.proxyTarget ?? `${s.server.ip}:${s.server.port}`;
  return `#${s.id}  ${s.client.ip}:${s.client.port} → ${target}  ${s.cipherSuiteName ?? ''}`.trimEnd();
}

function SessionSelect(p: {
  label: string;
  value: SessionRef | null;
  onChange(r: SessionRef | null): void;
  current: readonly SessionSummary[];
  currentName: string | null;
  second: CompareFileSummary | null;
  replayIds: readonly number[];
  t: CompareText;
  testId: string;
}) {
  const { t } = p;
  return (
    <label>
      <span className="compare-side__badge">{p.label}</span>
      <select value={refValue(p.value)} onChange={(e) => p.onChange(parseRef(e.target.value))} data-testid={p.testId}>
        <option value="">—</option>
        {p.current.length > 0 && (
          <optgroup label={t('compare.groupCurrent', { name: p.currentName ?? '' })}>
            {p.current.map((s) => (
              <option key={`c${s.id}`} value={`current:${s.id}`}>
                {rowLabel(s)}
              </option>
            ))}
          </optgroup>
        )}
        {p.second && (
          <optgroup label={t('compare.groupSecond', { name: p.second.name })}>
            {p.second.sessions.map((s) => (
              <option key={`s${s.id}`} value={`compare:${s.id}`}>
                {rowLabel(s)}
              </option>
            ))}
          </optgroup>
        )}
        {p.replayIds.length > 0 && (
          <optgroup label={t('compare.groupReplays')}>
            {p.replayIds.map((id) => (
              <option key={`r${id}`} value={`replay:${id}`}>
                {t('compare.replayOption', { id })}
              </option>
            ))}
          </optgroup>
        )}
      </select>
    </label>
  );
}

export function CompareScreen(p: CompareScreenProps) {
  const t = useCompareText();
  const { api, state, onState, onError } = p;
  const [dialog, setDialog] = useState(false);
  const [recent, setRecent] = useState<RecentFile[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);

  const opened = useCallback(
    (file: CompareFileSummary) =>
      onState((s) => ({
        ...s,
        secondFile: file,
        // Opening a file to compare with says what B is: its first session (A stays).
        b: file.sessions.length ? { source: 'compare', id: file.sessions[0]!.id } : null,
      })),
    [onState],
  );

  const openSecond = useCallback(
    (path: string) => {
      setDialog(false);
      api.openCompareFile(path).then(opened, (e: Error) => onError(e.message));
    },
    [api, opened, onError],
  );

  const uploadSecond = useCallback(
    async (f: File) => {
      setDialog(false);
      try {
        const caps = await api.getCapabilities();
        if (f.size > caps.maxUploadBytes) throw new Error(t('compare.uploadTooLarge', { name: f.name }));
        opened(await api.openCompareBytes(f.name, await fileToBase64(f)));
      } catch (e) {
        onError((e as Error).message);
      }
    },
    [api, opened, onError, t],
  );

  const chooseSecond = () => {
    if (p.nativeDialogs) {
      api.choosePath('open').then((path) => path && openSecond(path), (e: Error) => onError(e.message));
      return;
    }
    setRecent(null);
    setDialog(true);
    api.recentFiles().then(setRecent, () => setRecent([]));
  };

  // A capture dropped here is the second file. The events stop here: the frame's window-wide drop would open it as the capture.
  const drag = {
    onDragEnter(e: DragEvent) {
      if (!dragHasFiles(e.dataTransfer?.types)) return;
      e.preventDefault();
      e.stopPropagation();
      dragDepth.current++;
      setDragging(true);
    },
    onDragOver(e: DragEvent) {
      if (!dragHasFiles(e.dataTransfer?.types)) return;
      e.preventDefault();
      e.stopPropagation();
    },
    onDragLeave(e: DragEvent) {
      e.stopPropagation();
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragging(false);
    },
    onDrop(e: DragEvent) {
      if (!dragHasFiles(e.dataTransfer?.types)) return;
      e.preventDefault();
      e.stopPropagation();
      dragDepth.current = 0;
      setDragging(false);
      const f = e.dataTransfer.files[0];
      if (f) void uploadSecond(f);
    },
  };

  const run = () => {
    if (!state.a || !state.b) return;
    const a = state.a;
    const b = state.b;
    setBusy(true);
    api.compareSessions(a, b).then(
      (result) => {
        setBusy(false);
        onState((s) => ({ ...s, result, replay: null }));
      },
      (e: Error) => {
        setBusy(false);
        onError(e.message);
      },
    );
  };

  const replay = state.replay;
  return (
    <div className="compare-screen" data-testid="compare-screen" {...drag}>
      <div className="compare-picker">
        <h2>{t('compare.title')}</h2>
        <SessionSelect label="A" value={state.a} onChange={(a) => onState((s) => ({ ...s, a }))} current={p.currentSessions} currentName={p.currentName} second={state.secondFile} replayIds={state.replayIds} t={t} testId="compare-pick-a" />
        <button type="button" className="btn" title={t('compare.swap')} aria-label={t('compare.swap')} onClick={() => onState((s) => ({ ...s, a: s.b, b: s.a }))} data-testid="compare-swap">
          ⇄
        </button>
        <SessionSelect label="B" value={state.b} onChange={(b) => onState((s) => ({ ...s, b }))} current={p.currentSessions} currentName={p.currentName} second={state.secondFile} replayIds={state.replayIds} t={t} testId="compare-pick-b" />
        <button type="button" className="btn primary" disabled={!state.a || !state.b || busy} onClick={run} data-testid="compare-run">
          {t('compare.run')}
        </button>
        <button type="button" className="btn" onClick={chooseSecond} data-testid="compare-open-second">
          {t('compare.openSecond')}
        </button>
        <span className="spacer" />
        <button type="button" className="btn" onClick={p.onClose} data-testid="compare-close">
          {t('compare.close')}
        </button>
      </div>
      <div className="compare-scroll">
        {replay && <ReplaySummary replay={replay} t={t} />}
        {state.result ? <CompareView key={`${refValue(state.result.a.ref)}|${refValue(state.result.b.ref)}`} result={state.result} /> : <p className="compare-empty">{t('compare.pick')}</p>}
      </div>
      {dialog && <CompareOpenDialog t={t} frameT={p.frameT} recent={recent} onPath={openSecond} onUpload={(f) => void uploadSecond(f)} onCancel={() => setDialog(false)} />}
      {dragging && <div className="compare-drop">{t('compare.dropHere')}</div>}
    </div>
  );
}

function ReplaySummary({ replay, t }: { replay: ReplaySessionResult; t: CompareText }) {
  const failed = replay.comparison === null;
  return (
    <div className={`compare-replay${failed ? ' compare-replay--failed' : ''}`} data-testid="replay-summary" data-outcome={replay.outcome}>
      <strong>{t('replay.outcome', { target: `${replay.target}${replay.proxy ? ` via ${replay.proxy}` : ''}`, outcome: replay.outcome })}</strong>
      {replay.error ? `: ${replay.error}` : ''}
      {' — '}
      {t('replay.sent', { sent: replay.sentBytes, how: t(replay.asRecorded ? 'replay.asRecorded' : 'replay.edited'), received: replay.receivedBytes })}
      {replay.notes.length > 0 && (
        <ul>
          {replay.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
