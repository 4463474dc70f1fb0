/**
 * The workbench window once connected: toolbar, banners, the session table,
 * the selected session's details and a status line. Works the same over
 * either transport; where there is no native dialog it asks for a path or
 * takes an upload, and files dropped on the window are uploaded.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { Capabilities, FileSummary, RecentFile, SessionDetail, Settings, Theme } from '../../../electron/api/contract';
import type { ApiClient } from '../api/api-client';
import { useI18n } from '../i18n/i18n-context';
import { translator } from '../i18n/strings';
import { isEmptyFilter, matchesFilter, parseFilter } from '../sessions/session-filter';
import { nextSort, sortSessions, type ColumnKey, type SortState } from '../sessions/session-columns';
import { CompareScreen, EMPTY_COMPARE, compareStateAfterReplay, type CompareState } from '../compare/compare-screen';
import { ReplayDialog } from '../replay/replay-dialog';
import { ProxyPanel } from '../proxy/proxy-panel';
import { ProbePanel } from '../proxy/probe-panel';
import { CaptureStatusBar } from '../capture/capture-status';
import { CaptureToolbar } from '../capture/capture-toolbar';
import { useCapture } from '../capture/use-capture';
import { DamageBanner, MessageBanner } from './banners';
import { DetailArea } from './detail-area';
import { PathDialog } from './path-dialog';
import { SessionTable } from './session-table';
import { applySessionsChanged, type SessionRows } from './sessions-state';
import { Toolbar } from './toolbar';
import { isKeyLogFile } from './key-log-drop';

export interface AppFrameProps {
  api: ApiClient;
  settings: Settings;
  onSettings(settings: Settings): void;
}

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function AppFrame({ api, settings, onSettings }: AppFrameProps) {
  const { lang } = useI18n();
  const t = useMemo(() => translator(lang), [lang]);
  const [file, setFile] = useState<FileSummary | null>(null);
  const [rows, setRows] = useState<SessionRows>([]);
  const [recent, setRecent] = useState<RecentFile[]>([]);
  const [caps, setCaps] = useState<Capabilities | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [filterText, setFilterText] = useState('');
  const [hasAlert, setHasAlert] = useState(false);
  const [sort, setSort] = useState<SortState>({ key: null, direction: 'asc' });
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [detail, setDetail] = useState<SessionDetail | null>(null);
  const [dialog, setDialog] = useState<'open' | 'save' | null>(null);
  const [dragging, setDragging] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);
  // Compare and replay (issue 7): the compare screen replaces the workspace while open.
  const [compare, setCompare] = useState<CompareState>(EMPTY_COMPARE);
  const [comparing, setComparing] = useState(false);
  const [replayFor, setReplayFor] = useState<number | null>(null);
  // The recording proxy (issue 5): a drawer; its sessions arrive as the open capture's.
  const [proxyOpen, setProxyOpen] = useState(false);
  const [probeOpen, setProbeOpen] = useState(false);

  const addError = useCallback((message: string) => setErrors((e) => (e.includes(message) ? e : [...e, message].slice(-3))), []);
  // An unsaved live recording (capture or proxy) is only in a temporary file that
  // goes when another capture opens: ask first, as Wireshark does.
  const fileRef = useRef(file);
  fileRef.current = file;
  const confirmReplace = useCallback(() => !fileRef.current?.unsaved || window.confirm(t('discardUnsaved')), [t]);
  // Live capture (issue 4): its sessions arrive as the open capture's.
  const capture = useCapture(api, addError, confirmReplace);

  const refreshRecent = useCallback(() => api.recentFiles().then(setRecent, () => undefined), [api]);

  useEffect(() => {
    const offs = [
      // A reset only replaces the rows: a page that joined while the file was
      // being read gets one after its first list, for the same file, and must
      // keep what the person selected meanwhile. A new file is announced by
      // fileOpened('loading') first: that is what drops the selection.
      api.on('sessionsChanged', (change) => setRows((r) => applySessionsChanged(r, change))),
      api.on('fileOpened', (f) => {
        if (f.state === 'loading') {
          setSelectedId(null);
          setDetail(null);
          // Sessions of the capture that was open are gone; a shown result stays as it was.
          setCompare((c) => ({ ...c, a: c.a?.source === 'current' ? null : c.a, b: c.b?.source === 'current' ? null : c.b }));
        }
        setFile(f);
        if (f.state === 'ready') void refreshRecent();
      }),
      api.on('settingsChanged', onSettings),
      api.on('error', (e) => addError(e.message)),
    ];
    // Whatever was open before this page connected (tlswb serve FILE).
    void api.getCurrentFile().then(async (f) => {
      if (!f) return;
      setFile((cur) => cur ?? f);
      const list = await api.listSessions();
      setRows((r) => (r.length === 0 ? list : applySessionsChanged(r, { reset: false, sessions: list, total: list.length })));
    }).catch((e: Error) => addError(e.message));
    void api.getCapabilities().then(setCaps, (e: Error) => addError(e.message));
    void refreshRecent();
    return () => offs.forEach((off) => off());
  }, [api, addError, onSettings, refreshRecent]);

  // After a failed open the engine keeps the previous capture (or none): show that, not the failed one "loading".
  const openFailed = useCallback(
    (e: Error) => {
      addError(e.message);
      api.getCurrentFile().then(setFile, () => undefined);
    },
    [api, addError],
  );

  const openPath = useCallback(
    (path: string) => {
      setDialog(null);
      if (!confirmReplace()) return;
      api.openFile(path).then(() => setErrors([]), openFailed);
    },
    [api, openFailed, confirmReplace],
  );

  const upload = useCallback(
    async (f: File) => {
      setDialog(null);
      if (!confirmReplace()) return;
      try {
        if (caps && f.size > caps.maxUploadBytes) throw new Error(`${f.name} is too large to upload`);
        await api.openBytes(f.name, await fileToBase64(f));
        setErrors([]);
      } catch (e) {
        openFailed(e as Error);
      }
    },
    [api, caps, openFailed, confirmReplace],
  );

  // A dropped key log (decryption): the engine decodes the open capture again with it; only its name is shown.
  const loadKeys = useCallback(
    async (f: File) => {
      try {
        const r = await api.loadKeyLogBytes(f.name, await fileToBase64(f));
        setNotice(t('keyLogLoaded', { name: r.name, secrets: r.secrets }));
      } catch (e) {
        addError((e as Error).message);
      }
    },
    [api, t, addError],
  );

  const open = useCallback(() => {
    if (caps?.nativeDialogs) {
      api.choosePath('open').then((p) => p && openPath(p), (e: Error) => addError(e.message));
    } else setDialog('open');
  }, [api, caps, openPath, addError]);

  const saveTo = useCallback(
    (path: string) => {
      setDialog(null);
      api.saveAs(path).then(
        (r) => {
          setNotice(t('saved', { bytes: r.bytes, path: r.path }));
          setFile((f) => (f ? { ...f, unsaved: false } : f));
        },
        (e: Error) => addError(e.message),
      );
    },
    [api, t, addError],
  );

  const save = useCallback(() => {
    if (!file) return;
    if (caps?.nativeDialogs) {
      api.choosePath('save').then((p) => p && saveTo(p), (e: Error) => addError(e.message));
    } else setDialog('save');
  }, [api, caps, file, saveTo, addError]);

  // Closing the tab with an unsaved recording: the browser asks. (Electron's window asks in the shell.)
  useEffect(() => {
    if (!file?.unsaved || !caps || caps.transport === 'ipc') return;
    const onUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [file?.unsaved, caps]);

  // Ctrl+O, Ctrl+S, Ctrl+F. In Electron the menu's accelerators handle O and S first.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === 'f') {
        e.preventDefault();
        filterRef.current?.focus();
        filterRef.current?.select();
      } else if (key === 'o' && caps?.transport !== 'ipc') {
        e.preventDefault();
        open();
      } else if (key === 's' && caps?.transport !== 'ipc') {
        e.preventDefault();
        save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [caps, open, save]);

  // Drop a capture anywhere. In Electron the shell catches the drop (it knows the path); in a browser it is uploaded.
  useEffect(() => {
    if (!caps || caps.transport === 'ipc') return;
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent) => hasFiles(e) && e.preventDefault();
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const f = e.dataTransfer?.files[0];
      if (f) void isKeyLogFile(f).then((keys) => (keys ? loadKeys(f) : upload(f)));
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [caps, upload, loadKeys]);

  const filter = useMemo(() => parseFilter(filterText, hasAlert), [filterText, hasAlert]);
  const shown = useMemo(() => {
    const kept = isEmptyFilter(filter) ? rows : rows.filter((r) => matchesFilter(r, filter));
    return sortSessions(kept, sort);
  }, [rows, filter, sort]);

  const showSession = useCallback(
    (id: number) => {
      setSelectedId(id);
      api.getSession(id).then(setDetail, (e: Error) => addError(e.message));
    },
    [api, addError],
  );

  const openDetails = useCallback(
    (id: number) => {
      showSession(id);
      // Enter: move on to the timeline, where ↑/↓ walk the messages.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.details [tabindex="0"]')?.focus());
    },
    [showSession],
  );

  const onSort = useCallback((key: ColumnKey) => setSort((s) => nextSort(s, key)), []);
  const compareWith = useCallback(
    (id: number) => {
      // A: this session; B: kept if chosen before, else the next session of the file (or the second file's first).
      setCompare((c) => {
        const next = rows.find((r) => r.id > id) ?? rows.find((r) => r.id !== id);
        const b = c.b ?? (c.secondFile?.sessions[0] ? { source: 'compare' as const, id: c.secondFile.sessions[0].id } : next ? { source: 'current' as const, id: next.id } : null);
        return { ...c, a: { source: 'current', id }, b };
      });
      setComparing(true);
    },
    [rows],
  );
  const setTheme = useCallback((theme: Theme) => {
    api.setSettings({ theme }).then(onSettings, (e: Error) => addError(e.message));
  }, [api, onSettings, addError]);

  const emptyText = !file ? t('noFile') : rows.length === 0 ? (file.state === 'loading' ? t('loading') : t('noSessions')) : t('noMatch');

  return (
    <div className="app">
      <Toolbar
        t={t}
        filter={filterText}
        onFilter={setFilterText}
        hasAlert={hasAlert}
        onHasAlert={setHasAlert}
        filterRef={filterRef}
        canSave={file !== null && file.state === 'ready'}
        onOpen={open}
        onSave={save}
        recent={recent}
        onOpenRecent={openPath}
        theme={settings.theme}
        onTheme={setTheme}
        fileLabel={file ? file.path ?? file.name : null}
        onCompare={() => setComparing(true)}
        comparing={comparing}
        onProxy={() => {
          setProbeOpen(false);
          setProxyOpen((v) => !v);
        }}
        proxyOpen={proxyOpen}
        onProbe={() => {
          setProxyOpen(false);
          setProbeOpen((v) => !v);
        }}
        probeOpen={probeOpen}
      />
      <CaptureToolbar capture={capture} />
      {file?.damaged && <DamageBanner damaged={file.damaged} t={t} />}
      {errors.map((e) => (
        <MessageBanner key={e} kind="error" text={e} t={t} onDismiss={() => setErrors((all) => all.filter((x) => x !== e))} />
      ))}
      {notice && <MessageBanner kind="notice" text={notice} t={t} onDismiss={() => setNotice(null)} />}
      {comparing ? (
        <CompareScreen
          api={api}
          currentName={file?.name ?? null}
          currentSessions={rows}
          state={compare}
          onState={setCompare}
          nativeDialogs={caps?.nativeDialogs ?? false}
          frameT={t}
          onClose={() => setComparing(false)}
          onError={addError}
        />
      ) : (
        <main className="workspace" style={{ '--session-rows': shown.length } as CSSProperties}>
          <section className="sessions-pane" aria-label="sessions">
            {shown.length > 0 ? (
              <SessionTable rows={shown} selectedId={selectedId} onSelect={showSession} onOpen={openDetails} sort={sort} onSort={onSort} t={t} />
            ) : (
              <div className="empty" data-testid="sessions-empty">
                {emptyText}
              </div>
            )}
          </section>
          {detail && detail.summary.id === selectedId ? (
            <DetailArea api={api} detail={detail} t={t} onError={addError} onReplay={setReplayFor} onCompare={compareWith} />
          ) : (
            <div className="empty">{file && rows.length > 0 ? t('selectSession') : ''}</div>
          )}
        </main>
      )}
      <footer className="statusbar" data-testid="statusbar">
        <span>{t('sessionsShown', { shown: shown.length, total: rows.length })}</span>
        {/* The packet count is known once the file is read; a live capture or proxy shows its own counts. */}
        {file?.state === 'ready' && <span>{t('packets', { count: file.packets })}</span>}
        {file?.state === 'loading' && <span>{t('loading')}</span>}
        <CaptureStatusBar status={capture.status} />
      </footer>
      {dialog && (
        <PathDialog kind={dialog} t={t} onPath={dialog === 'open' ? openPath : saveTo} onUpload={dialog === 'open' ? (f) => void upload(f) : undefined} onCancel={() => setDialog(null)} />
      )}
      {replayFor !== null && detail && detail.summary.id === replayFor && (
        <ReplayDialog
          api={api}
          sessionId={replayFor}
          sni={detail.session.sni}
          alpnOffered={detail.session.alpnOffered}
          onCancel={() => setReplayFor(null)}
          onDone={(r) => {
            setReplayFor(null);
            setCompare((c) => compareStateAfterReplay(c, r));
            setComparing(true);
          }}
        />
      )}
      {proxyOpen && <ProxyPanel api={api} onClose={() => setProxyOpen(false)} onError={addError} confirmReplace={confirmReplace} />}
      {probeOpen && <ProbePanel api={api} onClose={() => setProbeOpen(false)} onError={addError} confirmReplace={confirmReplace} />}
      {dragging && <div className="drop-overlay">{t('dropHere')}</div>}
    </div>
  );
}
